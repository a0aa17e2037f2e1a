// The wiring of the storage backend (app/backend): on SQLite, the server's order
// writer and the store write in turns (store/sqlite/write_turn.hpp), and once the
// writer checkpoints on its own thread the store's commits no longer do.
#include "app/backend.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "app/config.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::app {
namespace {

using store::sqlite::testing::sharedWriteCacheKib;
using store::sqlite::testing::waitForWaiting;
using store::sqlite::testing::walFrames;
using store::sqlite::testing::writeBigServices;
using testing::TempDir;
using testing::store_orders::Collector;
using testing::store_orders::makeOrder;
using testing::store_orders::newAccount;

TEST(BackendTest, OnSqliteTheOrderWriterWaitsForTheStoresWriteTurn) {
  TempDir dir;
  Config config;
  config.db_path = dir.file("warung.db");
  Backend backend(config);
  auto* sqlite = dynamic_cast<store::sqlite::SqliteStore*>(&backend.store());
  ASSERT_NE(sqlite, nullptr);
  auto account = backend.store().createAccount(newAccount("wired"));
  ASSERT_TRUE(account.ok());
  ASSERT_TRUE(backend.store().adjustBalance(account->id, Money{1000}, "seed", 1).ok());
  std::unique_ptr<store::OrderWriter> writer = backend.makeOrderWriter();

  const auto turn = sqlite->writeTurn();
  turn->lock();
  Collector done;
  writer->submit(makeOrder(account->id, "W1", 1, "t", 10), done.callback());
  // EXPECT, not ASSERT, while the turn is held: the writer must still be let through.
  EXPECT_TRUE(waitForWaiting(*turn, 1)) << "the order writer does not wait for the store's turn";
  turn->unlock();
  ASSERT_TRUE(done.wait(1));
  EXPECT_TRUE(done.take().front().ok());
}

// database.cache_mb sets the page cache the store's write connection and the order
// writer's share (connection.hpp), from the config file through Backend.
TEST(BackendTest, OnSqliteCacheMbSizesTheWriteCacheOfTheStoreAndTheWriter) {
  TempDir dir;
  const std::string toml = dir.file("warung.toml");
  std::ofstream(toml) << "[database]\npath = \"" << dir.file("warung.db") << "\"\ncache_mb = 7\n";
  const Config config = loadConfig(toml);
  EXPECT_EQ(config.sqlite.cache_mb, 7);
  EXPECT_EQ(config.orderWriterConfig().cache_mb, 7);
  Backend backend(config);
  EXPECT_EQ(sharedWriteCacheKib(config.db_path), 7 * 1024);
  std::unique_ptr<store::OrderWriter> writer = backend.makeOrderWriter();
  EXPECT_EQ(sharedWriteCacheKib(config.db_path), 7 * 1024);
}

// The order writer Backend makes for `config`, with one account of Rp 1,000 to order for.
struct WiredWriter {
  explicit WiredWriter(const Config& config) : backend(config) {
    auto created = backend.store().createAccount(newAccount("wired"));
    if (!created) throw std::runtime_error(created.error().detail);
    account = created->id;
    if (!backend.store().adjustBalance(account, Money{1000}, "seed", 1).ok())
      throw std::runtime_error("seed");
    writer = backend.makeOrderWriter();
  }
  store::sqlite::SqliteOrderWriter& sqlite() {
    return dynamic_cast<store::sqlite::SqliteOrderWriter&>(*writer);
  }
  Backend backend;
  std::int64_t account = 0;
  std::unique_ptr<store::OrderWriter> writer;
};

// database.overlap_sync switches both deferred syncs: the order writer's sync thread
// and the store's sync after its write turn (WriteTransaction::commit).
TEST(BackendTest, OnSqliteOverlapSyncSetsTheWriterAndTheStore) {
  EXPECT_TRUE(Config{}.sqlite.overlap_sync);  // on by default
  EXPECT_TRUE(Config{}.orderWriterConfig().overlap_sync);
  for (const bool overlap : {true, false}) {
    SCOPED_TRACE(overlap ? "overlap_sync = true" : "overlap_sync = false");
    TempDir dir;
    const std::string toml = dir.file("warung.toml");
    std::ofstream(toml) << "[database]\npath = \"" << dir.file("warung.db")
                        << "\"\noverlap_sync = " << (overlap ? "true" : "false") << "\n";
    const Config config = loadConfig(toml);
    EXPECT_EQ(config.sqlite.overlap_sync, overlap);
    Collector done;  // outlives the writer: no answer can come after it is gone
    WiredWriter wired(config);
    wired.writer->submit(makeOrder(wired.account, "O1", 1, "t", 10), done.callback());
    ASSERT_TRUE(done.wait(1));
    ASSERT_TRUE(done.take().front().ok());
    // With the switch off the COMMIT syncs in place: nothing is left to the sync thread.
    EXPECT_EQ(wired.sqlite().deferredSyncs() > 0, overlap);
  }
}

// database.busy_timeout_ms bounds the order writer's wait for another process's write
// lock as it does the store's: six timeouts of 50 ms, then the order is refused (with
// the writer's own default, 5 s each, it would wait 30 s).
TEST(BackendTest, OnSqliteBusyTimeoutBoundsTheOrderWritersWaitForAnotherProcess) {
  TempDir dir;
  const std::string toml = dir.file("warung.toml");
  std::ofstream(toml) << "[database]\npath = \"" << dir.file("warung.db") << "\"\nbusy_timeout_ms = 50\n";
  const Config config = loadConfig(toml);
  EXPECT_EQ(config.orderWriterConfig().busy_timeout_ms, 50);
  Collector done;  // outlives the writer: no answer can come after it is gone
  WiredWriter wired(config);
  SQLite::Database other(config.db_path, SQLite::OPEN_READWRITE);  // outside the write turn
  other.exec("BEGIN IMMEDIATE");
  const auto start = std::chrono::steady_clock::now();
  wired.writer->submit(makeOrder(wired.account, "O1", 1, "t", 10), done.callback());
  const bool answered = done.wait(1);
  const auto waited = std::chrono::steady_clock::now() - start;
  other.exec("COMMIT");
  ASSERT_TRUE(answered);
  auto results = done.take();
  ASSERT_FALSE(results.front().ok());
  EXPECT_EQ(results.front().error().code, Errc::kInternal);
  EXPECT_LT(waited, std::chrono::seconds(10));
}

TEST(BackendTest, CheckpointWritebackKbSetsTheWritersPace) {
  TempDir dir;
  const std::string toml = dir.file("warung.toml");
  EXPECT_EQ(Config{}.writer.checkpoint_writeback_kb, 1024u);
  std::ofstream(toml) << "[database]\npath = \"" << dir.file("warung.db")
                      << "\"\ncheckpoint_writeback_kb = 0\n";
  EXPECT_EQ(loadConfig(toml).writer.checkpoint_writeback_kb, 0u);
}

// With its own checkpoint thread (database.checkpoint_pages > 0, the default) the
// writer takes the checkpoints over: the store's commits let the WAL grow. With
// checkpoint_pages = 0 SQLite's own stay on both connections.
TEST(BackendTest, OnSqliteTheStoreLeavesCheckpointsToAnOrderWriterThatMakesThem) {
  for (const std::size_t checkpoint_pages : {std::size_t{16000}, std::size_t{0}}) {
    SCOPED_TRACE("checkpoint_pages " + std::to_string(checkpoint_pages));
    TempDir dir;
    Config config;
    config.db_path = dir.file("warung.db");
    config.writer.checkpoint_pages = checkpoint_pages;
    Backend backend(config);
    std::unique_ptr<store::OrderWriter> writer = backend.makeOrderWriter();
    int batch = 0;
    ASSERT_TRUE(writeBigServices(backend.store(), 12, &batch));  // about 2,400 frames
    if (checkpoint_pages > 0) {
      EXPECT_GT(walFrames(config.db_path), 2000u) << "the store's commits still checkpoint";
    } else {
      EXPECT_LT(walFrames(config.db_path), 1800u) << "SQLite's own checkpoints were turned off";
    }
  }
}

}  // namespace
}  // namespace warung::app
