// store/sqlite/connection: retryBusySoon waits for another connection's write lock in
// short steps, and still gives up after busy_timeout_ms; the page cache has the size
// asked for.
#include "store/sqlite/connection.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using detail::Connection;
using testing::TempDir;

class BusyWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Connection setup(path_, 1000, /*create=*/true, /*query_only=*/false);
    setup.db().exec("PRAGMA journal_mode=WAL");
    setup.db().exec("CREATE TABLE t (x INTEGER)");
  }
  TempDir dir_;
  std::string path_ = dir_.file("busy.db");
};

// The holder keeps the lock 60 ms: SQLite's own handler would try about 6 times in that
// while (1, 2, 5, 10, 15, 20 ms sleeps); this one at least ten times as often.
TEST_F(BusyWaitTest, AWaitingConnectionTriesAgainInShortSteps) {
  Connection holder(path_, 1000, /*create=*/false, /*query_only=*/false);
  Connection waiter(path_, 5000, /*create=*/false, /*query_only=*/false);
  waiter.retryBusySoon();
  holder.db().exec("BEGIN IMMEDIATE");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    holder.db().exec("COMMIT");
  });
  waiter.db().exec("BEGIN IMMEDIATE");  // waits for the holder
  waiter.db().exec("INSERT INTO t VALUES (1)");
  waiter.db().exec("COMMIT");
  release.join();
  EXPECT_GE(waiter.busyRetries(), 30u);
}

TEST_F(BusyWaitTest, AWaitingConnectionStillGivesUpAfterBusyTimeout) {
  Connection holder(path_, 1000, /*create=*/false, /*query_only=*/false);
  Connection waiter(path_, 50, /*create=*/false, /*query_only=*/false);
  waiter.retryBusySoon();
  holder.db().exec("BEGIN IMMEDIATE");
  const auto start = std::chrono::steady_clock::now();
  try {
    waiter.db().exec("BEGIN IMMEDIATE");
    ADD_FAILURE() << "BEGIN IMMEDIATE succeeded while another connection held the lock";
  } catch (const SQLite::Exception& e) {
    EXPECT_EQ(e.getErrorCode(), SQLITE_BUSY) << e.what();
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  EXPECT_GT(waiter.busyRetries(), 0u);
  holder.db().exec("COMMIT");
}

TEST(ConnectionCacheTest, ThePageCacheHasTheSizeAskedFor) {
  TempDir dir;
  Connection asked(dir.file("c.db"), 1000, /*create=*/true, /*query_only=*/false, /*process_writer=*/false,
                   3);
  EXPECT_EQ(testing::cacheKib(asked.db()), 3 * 1024);
  Connection standard(dir.file("c.db"), 1000, /*create=*/false, /*query_only=*/true);
  EXPECT_EQ(testing::cacheKib(standard.db()), sql::kDefaultCacheMib * 1024);
}

}  // namespace
}  // namespace warung::store::sqlite
