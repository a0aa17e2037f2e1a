// The order writer's pipelined sync (order_writer.hpp, overlap_sync): a batch is
// answered only after a sync of the WAL that its COMMIT left owed, the writer writes
// the next batch meanwhile, and a failed sync answers a storage error and stops the
// writer taking orders.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <future>
#include <string>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/wal_write_buffer.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::Collector;
using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::pollUntil;
using testing::TempDir;

class OrderSyncTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("warung.db");
  SqliteStore store_{path_};
  std::int64_t account_ = 0;

  void SetUp() override {
    auto a = store_.createAccount(newAccount("u1"));
    ASSERT_TRUE(a.ok());
    account_ = a->id;
    ASSERT_TRUE(store_.adjustBalance(account_, Money{100000}, "seed", 1).ok());
  }

  // Orders with `ref`, as another process sees the file now (committed, synced or not).
  int rowsWithRef(const std::string& ref) {
    SQLite::Database reader(path_, SQLite::OPEN_READONLY);
    SQLite::Statement q(reader, "SELECT COUNT(*) FROM orders WHERE ref_id = ?1");
    q.bind(1, ref);
    q.executeStep();
    return q.getColumn(0).getInt();
  }
};

// The sync stands still until released: the first order's commit is in the file but
// unanswered; the writer still writes the second order meanwhile; releasing the sync
// answers both.
TEST_F(OrderSyncTest, AnOrderIsAnsweredOnlyAfterTheWalIsSyncedAndTheNextBatchGoesOnMeanwhile) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> syncs{0};
  std::atomic<bool> same_file{false};
  const std::string wal = path_ + "-wal";
  WriterConfig cfg;
  cfg.sync_file = [&](int fd) {
    struct stat by_fd {};
    struct stat by_name {};
    same_file = fstat(fd, &by_fd) == 0 && stat(wal.c_str(), &by_name) == 0 &&
                by_fd.st_ino == by_name.st_ino && by_fd.st_dev == by_name.st_dev;
    if (syncs.fetch_add(1) == 0) released.wait();
    return 0;
  };
  SqliteOrderWriter w(path_, cfg);

  Collector first;
  w.submit(makeOrder(account_, "A1", 7, "a", 100), first.callback());
  ASSERT_TRUE(pollUntil([&] { return syncs.load() == 1; }));
  EXPECT_TRUE(same_file) << "the sync was not of the database's WAL";
  EXPECT_EQ(rowsWithRef("A1"), 1);  // committed ...
  EXPECT_EQ(first.count(), 0u);     // ... and not answered

  Collector second;
  w.submit(makeOrder(account_, "A2", 7, "b", 100), second.callback());
  EXPECT_TRUE(pollUntil([&] { return rowsWithRef("A2") == 1; })) << "the writer waited for the sync";
  EXPECT_EQ(second.count(), 0u);

  release.set_value();
  ASSERT_TRUE(first.wait(1));
  ASSERT_TRUE(second.wait(1));
  EXPECT_TRUE(first.take().front().ok());
  EXPECT_TRUE(second.take().front().ok());
  EXPECT_GE(w.deferredSyncs(), 2u);  // the second batch's commit was owed a sync of its own
}

TEST_F(OrderSyncTest, AFailedSyncAnswersAStorageErrorAndTheWriterTakesNoMoreOrders) {
  WriterConfig cfg;
  cfg.sync_file = [](int) { return EIO; };
  SqliteOrderWriter w(path_, cfg);

  auto r = place(w, makeOrder(account_, "F1", 7, "a", 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInternal);
  EXPECT_EQ(r.error().detail, "storage error");

  auto later = place(w, makeOrder(account_, "F2", 7, "b", 100));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, Errc::kInternal);
  EXPECT_EQ(rowsWithRef("F2"), 0);  // refused before it was written
  EXPECT_EQ(w.deferredSyncs(), 1u);
}

TEST_F(OrderSyncTest, WithoutOverlapTheCommitSyncsInPlace) {
  std::atomic<int> syncs{0};
  WriterConfig cfg;
  cfg.overlap_sync = false;
  cfg.sync_file = [&](int) {
    ++syncs;
    return 0;
  };
  SqliteOrderWriter w(path_, cfg);
  for (int i = 0; i < 3; ++i) {
    const std::string ref = "P" + std::to_string(i);
    EXPECT_TRUE(place(w, makeOrder(account_, ref, 7, ref, 100)).ok());
  }
  EXPECT_EQ(syncs.load(), 0);
  EXPECT_EQ(w.deferredSyncs(), 0u);
}

// The VFS side: inside a DeferWalSync a commit owes its sync (of the WAL file);
// outside it, nothing is owed and the commit syncs as always.
TEST(DeferWalSync, ACommitInsideTheScopeOwesTheWalsSync) {
  TempDir dir;
  const std::string path = dir.file("deferred.db");
  detail::Connection c(path, 5000, /*create=*/true, /*query_only=*/false, /*process_writer=*/true);
  c.db().exec("PRAGMA journal_mode=WAL");
  c.db().exec("CREATE TABLE t (x INTEGER)");
  int owed = -1;
  {
    DeferWalSync defer;
    c.db().exec("INSERT INTO t VALUES (1)");
    owed = defer.owedFd();
  }
  ASSERT_GE(owed, 0);
  struct stat by_fd {};
  struct stat by_name {};
  ASSERT_EQ(fstat(owed, &by_fd), 0);
  ASSERT_EQ(stat((path + "-wal").c_str(), &by_name), 0);
  EXPECT_EQ(by_fd.st_ino, by_name.st_ino);
  {
    DeferWalSync defer;  // a read-only statement commits nothing
    SQLite::Statement q(c.db(), "SELECT COUNT(*) FROM t");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(defer.owedFd(), -1);
  }
}

// When the WAL starts over, SQLite writes a new header and syncs it before any frame
// (its guard against out-of-order writes after a restart): that sync is made in place
// even inside a DeferWalSync; only the commit's own sync is owed.
TEST(DeferWalSync, TheSyncOfANewWalHeaderIsMadeInPlace) {
  TempDir dir;
  const std::string path = dir.file("restart.db");
  detail::Connection c(path, 5000, /*create=*/true, /*query_only=*/false, /*process_writer=*/true);
  c.db().exec("PRAGMA journal_mode=WAL");
  c.db().exec("CREATE TABLE t (x INTEGER)");
  c.db().exec("INSERT INTO t VALUES (1)");
  c.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");  // the next write starts the WAL over
  ASSERT_EQ(testing::walBytes(path), 0u);

  const WalWriteBufferStats before = walWriteBufferStats();
  int owed = -1;
  {
    DeferWalSync defer;
    c.db().exec("INSERT INTO t VALUES (2)");
    owed = defer.owedFd();
  }
  const WalWriteBufferStats after = walWriteBufferStats();
  EXPECT_GE(owed, 0);
  EXPECT_EQ(after.wal_syncs - before.wal_syncs, 1u) << "the new header's sync";
  EXPECT_EQ(after.deferred_syncs - before.deferred_syncs, 1u) << "the commit's sync";
}

}  // namespace
}  // namespace warung::store::sqlite
