// The wiring of the storage backend (app/backend): on SQLite, the server's order
// writer and the store write in turns (store/sqlite/write_turn.hpp).
#include "app/backend.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::app {
namespace {

using store::sqlite::testing::waitForWaiting;
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

}  // namespace
}  // namespace warung::app
