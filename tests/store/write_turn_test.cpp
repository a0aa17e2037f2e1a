#include "store/sqlite/write_turn.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::newAccount;
using testing::TempDir;
using testing::waitForWaiting;

TEST(WriteTurnTest, CallersGetTheTurnInTheOrderTheyAskedForIt) {
  WriteTurn turn;
  turn.lock();
  EXPECT_EQ(turn.waiting(), 0u);
  constexpr int kCallers = 8;
  std::mutex order_mutex;
  std::vector<int> order;
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      std::lock_guard held(turn);
      std::lock_guard l(order_mutex);
      order.push_back(i);
    });
    // The next caller starts only once this one is queued: the order they asked in.
    // (EXPECT, not ASSERT, here and below while the turn is held: the threads must
    // still be let through and joined.)
    EXPECT_TRUE(waitForWaiting(turn, static_cast<std::size_t>(i + 1)));
  }
  turn.unlock();
  for (auto& c : callers) c.join();
  std::vector<int> expected;
  for (int i = 0; i < kCallers; ++i) expected.push_back(i);
  EXPECT_EQ(order, expected);
  EXPECT_EQ(turn.waiting(), 0u);
}

TEST(WriteTurnTest, AFreeTurnIsTakenAtOnceAndAgainAfterItIsGivenBack) {
  WriteTurn turn;
  for (int i = 0; i < 3; ++i) {
    turn.lock();
    EXPECT_EQ(turn.waiting(), 0u);
    turn.unlock();
  }
  EXPECT_TRUE(turn.try_lock_for(std::chrono::milliseconds(0)));
  turn.unlock();
}

// A caller that stops waiting leaves the queue; the one behind it gets the turn next.
TEST(WriteTurnTest, ACallerThatGivesUpIsSkipped) {
  WriteTurn turn;
  turn.lock();
  std::atomic<bool> gave_up{false};
  std::thread impatient([&] { gave_up = !turn.try_lock_for(std::chrono::milliseconds(500)); });
  EXPECT_TRUE(waitForWaiting(turn, 1));
  std::atomic<bool> served{false};
  std::thread patient([&] {  // bounded: a turn that never comes fails the test, not hangs it
    if (!turn.try_lock_for(testing::kDeadline)) return;
    served = true;
    turn.unlock();
  });
  EXPECT_TRUE(waitForWaiting(turn, 2));
  impatient.join();
  EXPECT_TRUE(gave_up.load());
  EXPECT_EQ(turn.waiting(), 1u);
  EXPECT_FALSE(served.load());
  turn.unlock();
  patient.join();
  EXPECT_TRUE(served.load());
  EXPECT_EQ(turn.waiting(), 0u);
  EXPECT_TRUE(turn.try_lock_for(std::chrono::milliseconds(0)));  // nobody holds it
  turn.unlock();
}

TEST(WriteTurnTest, AHoldThatFindsNoTurnInTimeThrowsAndHoldsNothing) {
  WriteTurn turn;
  turn.lock();
  EXPECT_THROW(WriteTurnHold(turn, std::chrono::milliseconds(20)), std::runtime_error);
  turn.unlock();
  { WriteTurnHold hold(turn, std::chrono::milliseconds(20)); }
  EXPECT_TRUE(turn.try_lock_for(std::chrono::milliseconds(0)));
  turn.unlock();
}

// One turn per file in a process, however the path to it is spelt.
TEST(ProcessWriteTurnTest, OneFileHasOneTurnByAnyPathAndAnotherFileAnother) {
  TempDir dir;
  const std::shared_ptr<WriteTurn> turn = processWriteTurn(dir.file("a.db"));
  ASSERT_NE(turn, nullptr);
  EXPECT_EQ(processWriteTurn(dir.file("a.db")), turn);
  EXPECT_EQ(processWriteTurn((dir.path() / "." / "nowhere" / ".." / "a.db").string()), turn);
  std::filesystem::create_directory_symlink(dir.path(), dir.path() / "link");
  EXPECT_EQ(processWriteTurn((dir.path() / "link" / "a.db").string()), turn);
  EXPECT_NE(processWriteTurn(dir.file("b.db")), turn);
}

// Two stores on one file in one process (their write connections share a page cache,
// connection.hpp) take the same turn, so their writes at the same time all succeed:
// with a turn each, a write of one meeting the other's transaction in the shared
// cache would fail at once (SQLITE_LOCKED) instead of waiting.
TEST(ProcessWriteTurnTest, TwoStoresOnOneFileTakeOneTurnAndWriteAtTheSameTime) {
  TempDir dir;
  SqliteStore first(dir.file("warung.db"));
  SqliteStore second(dir.file("warung.db"));
  EXPECT_EQ(first.writeTurn(), second.writeTurn());
  auto account = first.createAccount(newAccount("both"));
  ASSERT_TRUE(account.ok());
  constexpr int kEach = 200;
  std::atomic<int> failed{0};
  auto credit = [&](SqliteStore& store) {
    for (int i = 0; i < kEach; ++i) {
      if (!store.adjustBalance(account->id, Money{1}, "credit", 1).ok()) failed.fetch_add(1);
    }
  };
  std::thread a(credit, std::ref(first));
  std::thread b(credit, std::ref(second));
  a.join();
  b.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(second.ledgerSum(account->id).value(), Money{2 * kEach});
}

// database.cache_mb reaches the page cache the store's and the writer's connections
// share (the last one opened sets it); 0 is refused by both.
TEST(ProcessWriteTurnTest, TheSharedWriteCacheHasTheConfiguredSize) {
  TempDir dir;
  const std::string path = dir.file("warung.db");
  SqliteConfig store_cfg;
  store_cfg.cache_mb = 3;
  SqliteStore store(path, store_cfg);
  EXPECT_EQ(testing::sharedWriteCacheKib(path), 3 * 1024);
  WriterConfig writer_cfg;
  writer_cfg.cache_mb = 5;
  SqliteOrderWriter writer(path, writer_cfg);
  EXPECT_EQ(testing::sharedWriteCacheKib(path), 5 * 1024);

  store_cfg.cache_mb = 0;
  EXPECT_THROW(SqliteStore(dir.file("other.db"), store_cfg), std::runtime_error);
  writer_cfg.cache_mb = 0;
  EXPECT_THROW(SqliteOrderWriter(dir.file("other.db"), writer_cfg), std::runtime_error);
}

}  // namespace
}  // namespace warung::store::sqlite
