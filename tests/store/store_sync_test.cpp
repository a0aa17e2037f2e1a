// The store's writes with overlap_sync (SqliteConfig, WriteTransaction::commit): the
// COMMIT leaves its WAL sync owed, the write turn is given back, then the sync is made
// before the write returns; a failed sync fails the write and stops every later write
// to the file in the process, the order writer's included, and the other way round.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::pollUntil;
using testing::TempDir;

constexpr auto kNow = std::chrono::milliseconds(0);

class StoreSyncTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("warung.db");

  // The account's balance as another connection sees the file now (synced or not).
  std::int64_t balanceSeenByAnother(std::int64_t account) {
    SQLite::Database reader(path_, SQLite::OPEN_READONLY);
    SQLite::Statement q(reader, "SELECT balance FROM accounts WHERE id = ?1");
    q.bind(1, account);
    EXPECT_TRUE(q.executeStep());
    return q.getColumn(0).getInt64();
  }
  // A copy of the database file alone, without its WAL: what checkpoints put there.
  std::string fileAlone() {
    const std::string alone = dir_.file("alone.db");
    std::remove((alone + "-wal").c_str());
    std::ifstream in(path_, std::ios::binary);
    std::ofstream out(alone, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
    return alone;
  }
  int ledgerRows() {
    SQLite::Database reader(path_, SQLite::OPEN_READONLY);
    SQLite::Statement q(reader, "SELECT COUNT(*) FROM ledger");
    q.executeStep();
    return q.getColumn(0).getInt();
  }
};

// The sync stands still until released: the credit is committed (another connection
// sees it), the write turn is free again (the order writer could write its next batch),
// and the write has not returned; releasing the sync returns it.
TEST_F(StoreSyncTest, AWriteGivesTheTurnBackBeforeItsSyncAndReturnsOnlyAfterIt) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> hold{false};
  std::atomic<int> held{0};
  std::atomic<bool> same_file{false};
  const std::string wal = path_ + "-wal";
  SqliteConfig cfg;
  cfg.sync_file = [&](int fd) {
    if (!hold) return 0;
    struct stat by_fd {};
    struct stat by_name {};
    same_file = fstat(fd, &by_fd) == 0 && stat(wal.c_str(), &by_name) == 0 &&
                by_fd.st_ino == by_name.st_ino && by_fd.st_dev == by_name.st_dev;
    ++held;
    released.wait();
    return 0;
  };
  SqliteStore store(path_, cfg);
  auto a = store.createAccount(newAccount("u1"));
  ASSERT_TRUE(a.ok());

  hold = true;
  auto credit =
      std::async(std::launch::async, [&] { return store.adjustBalance(a->id, Money{500}, "seed", 1); });
  ASSERT_TRUE(pollUntil([&] { return held.load() == 1; }));
  EXPECT_TRUE(same_file) << "the sync was not of the database's WAL";
  EXPECT_EQ(balanceSeenByAnother(a->id), 500);                                             // committed ...
  EXPECT_EQ(credit.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);  // ... not returned
  EXPECT_TRUE(store.writeTurn()->try_lock_for(kNow)) << "the write kept its turn during its sync";
  store.writeTurn()->unlock();

  release.set_value();
  auto r = credit.get();
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->balance_after.rupiah, 500);
}

TEST_F(StoreSyncTest, AFailedSyncFailsTheWriteAndStopsEveryLaterWriteOrdersIncluded) {
  std::atomic<bool> fail{false};
  std::atomic<int> syncs{0};
  SqliteConfig cfg;
  cfg.sync_file = [&](int) {
    ++syncs;
    return fail ? EIO : 0;
  };
  SqliteStore store(path_, cfg);
  auto a = store.createAccount(newAccount("u1"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(store.adjustBalance(a->id, Money{1000}, "seed", 1).ok());
  const int synced_before = syncs.load();
  EXPECT_GT(synced_before, 0) << "the store's commits were not deferred";
  SqliteOrderWriter writer(path_);  // shares the store's turn, and so its flag

  fail = true;
  auto failed = store.adjustBalance(a->id, Money{200}, "seed", 2);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, Errc::kInternal);
  const int ledger = ledgerRows();

  fail = false;  // even a disk that works again: the process does not trust the file
  auto later = store.adjustBalance(a->id, Money{300}, "seed", 3);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, Errc::kInternal);
  auto order = place(writer, makeOrder(a->id, "S1", 7, "a", 100));
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().code, Errc::kInternal);
  EXPECT_EQ(ledgerRows(), ledger) << "a write went in after the failed sync";
  EXPECT_EQ(syncs.load(), synced_before + 1);
  EXPECT_TRUE(store.writeTurn()->walSyncFailed());
}

TEST_F(StoreSyncTest, AFailedSyncOfTheOrderWriterStopsTheStoresWrites) {
  SqliteStore store(path_);
  auto a = store.createAccount(newAccount("u1"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(store.adjustBalance(a->id, Money{1000}, "seed", 1).ok());
  WriterConfig wcfg;
  wcfg.sync_file = [](int) { return EIO; };
  SqliteOrderWriter writer(path_, wcfg);
  ASSERT_FALSE(place(writer, makeOrder(a->id, "W1", 7, "a", 100)).ok());

  auto credit = store.adjustBalance(a->id, Money{300}, "seed", 2);
  ASSERT_FALSE(credit.ok());
  EXPECT_EQ(credit.error().code, Errc::kInternal);
  EXPECT_EQ(balanceSeenByAnother(a->id), 1000 - 100)
      << "the order was committed before its sync failed; no more";
}

// After a failed sync of the WAL the last connection to close does not copy the WAL
// into the database file, as it otherwise would (the OS may have dropped what it never
// wrote; the next start recovers from the WAL on disk, whose frames carry checksums).
// A reader holds the checkpoint thread back from the failed order's frames while they
// are new: that thread syncs the WAL itself before it copies, through its own
// descriptor, which a real failure fails too and this test's injected one does not.
TEST_F(StoreSyncTest, AfterAFailedWalSyncClosingLeavesTheWalUncopied) {
  std::atomic<bool> fail{false};
  {
    SqliteStore store(path_);
    auto a = store.createAccount(newAccount("u1"));
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(store.adjustBalance(a->id, Money{1000}, "seed", 1).ok());
    WriterConfig wcfg;
    wcfg.checkpoint_pages = 1;  // a copy is due after every commit
    wcfg.sync_file = [&](int) { return fail ? EIO : 0; };
    SqliteOrderWriter writer(path_, wcfg);
    ASSERT_TRUE(place(writer, makeOrder(a->id, "BEFORE", 7, "a", 100)).ok());
    ASSERT_TRUE(pollUntil([&] {  // copied into the database file while all was well
      try {
        SQLite::Database copy(fileAlone(), SQLite::OPEN_READONLY);
        return copy.execAndGet("SELECT COUNT(*) FROM orders").getInt() == 1;
      } catch (const SQLite::Exception&) {
        return false;  // not even the schema copied yet
      }
    }));

    SQLite::Database reader(path_, SQLite::OPEN_READONLY);
    reader.exec("BEGIN");
    ASSERT_EQ(reader.execAndGet("SELECT COUNT(*) FROM orders").getInt(), 1);  // its snapshot
    fail = true;
    ASSERT_FALSE(place(writer, makeOrder(a->id, "AFTER", 7, "b", 100)).ok());
    reader.exec("COMMIT");
  }  // the reader, the writer, then the store: every connection to the file closed

  struct stat wal {};
  ASSERT_EQ(::stat((path_ + "-wal").c_str(), &wal), 0) << "closing copied the WAL and removed it";
  EXPECT_GT(wal.st_size, 0);
  SQLite::Database db(fileAlone(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT ref_id FROM orders ORDER BY id");
  std::vector<std::string> refs;
  while (q.executeStep()) refs.push_back(q.getColumn(0).getString());
  EXPECT_EQ(refs, std::vector<std::string>{"BEFORE"}) << "the failed order was copied into the file";
}

TEST_F(StoreSyncTest, WithoutOverlapAWriteSyncsInPlace) {
  std::atomic<int> syncs{0};
  SqliteConfig cfg;
  cfg.overlap_sync = false;
  cfg.sync_file = [&](int) {
    ++syncs;
    return 0;
  };
  SqliteStore store(path_, cfg);
  auto a = store.createAccount(newAccount("u1"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(store.adjustBalance(a->id, Money{500}, "seed", 1).ok());
  EXPECT_EQ(syncs.load(), 0);
  EXPECT_EQ(balanceSeenByAnother(a->id), 500);
}

}  // namespace
}  // namespace warung::store::sqlite
