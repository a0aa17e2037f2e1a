// The duplicate-pending rule kept in the order writer's memory (pending_targets.hpp):
// what the map remembers, what it forgets, what it learns at start, and the lock that
// keeps it the only writer of orders on its file.
#include "store/sqlite/pending_targets.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/write_turn.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::TempDir;

constexpr const char* kPending = "an order for this service and target is still pending";

std::int64_t fundedAccount(SqliteStore& store, const std::string& user_id) {
  auto a = store.createAccount(newAccount(user_id));
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(store.adjustBalance(a->id, Money{100000}, "seed", 1).ok());
  return a->id;
}

domain::Transition toFinal(const domain::Order& o) {
  domain::Transition t;
  t.order_id = o.id;
  t.account_id = o.account_id;
  t.ref_id = o.ref_id;
  t.from = domain::OrderStatus::kWaiting;
  t.to = domain::OrderStatus::kSuccess;
  t.at = 1700000500;
  return t;
}

TEST(PendingTargets, KeysTellAccountsServicesAndTargetsApartAndRemoveTakesOneOrder) {
  using K = PendingTargets;
  EXPECT_EQ(K::keyOf(1, 7, "t"), K::keyOf(1, 7, "t"));
  EXPECT_NE(K::keyOf(1, 7, "t"), K::keyOf(2, 7, "t"));
  EXPECT_NE(K::keyOf(1, 7, "t"), K::keyOf(1, 8, "t"));
  EXPECT_NE(K::keyOf(1, 7, "t"), K::keyOf(1, 7, "u"));
  EXPECT_NE(K::keyOf(1, 2, "t"), K::keyOf(2, 1, "t"));

  PendingTargets p;
  p.add(5, 100);
  p.add(5, 101);
  p.add(6, 100);
  p.remove(5, 100);
  p.remove(5, 999);  // not there: nothing
  EXPECT_EQ(p.size(), 2u);
  auto [it, end] = p.range(5);
  ASSERT_NE(it, end);
  EXPECT_EQ(it->second, 101);
  EXPECT_EQ(std::next(it), end);
}

class PendingTargetsWriterTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("warung.db");
};

// An order made final by another process leaves the writer's map untouched; the next
// order with its key finds the row final, is placed, and the old order is forgotten.
TEST_F(PendingTargetsWriterTest, AnOrderMadeFinalElsewhereIsForgottenWhenItsKeyComesAgain) {
  SqliteStore store(path_);
  const auto acc = fundedAccount(store, "u1");
  SqliteOrderWriter w(path_);
  auto first = place(w, makeOrder(acc, "R1", 7, "target", 100));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(place(w, makeOrder(acc, "R2", 7, "target", 100)).error().detail, kPending);

  {
    SQLite::Database cli(path_, SQLite::OPEN_READWRITE);  // think: `warung order set-status`
    cli.exec("UPDATE orders SET status = 'error' WHERE ref_id = 'R1'");
  }
  PendingTargets& pending = processWriteTurn(path_)->pendingTargets();
  EXPECT_EQ(pending.size(), 1u);
  auto again = place(w, makeOrder(acc, "R3", 7, "target", 100));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(pending.size(), 1u);  // R1 forgotten, R3 remembered
  EXPECT_EQ(place(w, makeOrder(acc, "R4", 7, "target", 100)).error().detail, kPending);
}

// A transition by this process's store forgets the order at once.
TEST_F(PendingTargetsWriterTest, AFinalTransitionInThisProcessForgetsTheOrder) {
  SqliteStore store(path_);
  const auto acc = fundedAccount(store, "u1");
  SqliteOrderWriter w(path_);
  auto first = place(w, makeOrder(acc, "R1", 7, "target", 100));
  ASSERT_TRUE(first.ok());
  PendingTargets& pending = processWriteTurn(path_)->pendingTargets();
  ASSERT_EQ(pending.size(), 1u);
  ASSERT_TRUE(store.applyTransition(toFinal(first->order)).ok());
  EXPECT_EQ(pending.size(), 0u);
  EXPECT_TRUE(place(w, makeOrder(acc, "R2", 7, "target", 100)).ok());
}

// A new writer reads the pending orders from the file: the rule holds across a restart.
TEST_F(PendingTargetsWriterTest, AWriterStartsKnowingThePendingOrdersInTheFile) {
  std::int64_t acc = 0;
  {
    SqliteStore store(path_);
    acc = fundedAccount(store, "u1");
    SqliteOrderWriter w(path_);
    ASSERT_TRUE(place(w, makeOrder(acc, "R1", 7, "pending", 100)).ok());
    auto done = place(w, makeOrder(acc, "R2", 7, "finished", 100));
    ASSERT_TRUE(done.ok());
    ASSERT_TRUE(store.applyTransition(toFinal(done->order)).ok());
  }  // the process's turn and its map are gone with the last user
  SqliteStore store(path_);
  SqliteOrderWriter w(path_);
  EXPECT_EQ(processWriteTurn(path_)->pendingTargets().size(), 1u);
  EXPECT_EQ(place(w, makeOrder(acc, "R3", 7, "pending", 100)).error().detail, kPending);
  EXPECT_TRUE(place(w, makeOrder(acc, "R4", 7, "finished", 100)).ok());
}

// One writer of orders per file: a second one is refused, naming the lock, until the
// first is gone.
TEST_F(PendingTargetsWriterTest, ASecondWriterOnTheFileIsRefusedUntilTheFirstIsGone) {
  SqliteStore store(path_);
  auto first = std::make_unique<SqliteOrderWriter>(path_);
  try {
    SqliteOrderWriter second(path_);
    ADD_FAILURE() << "a second writer was allowed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another server is taking orders on it"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(path_ + "-orders.lock"), std::string::npos) << e.what();
  }
  first.reset();
  EXPECT_NO_THROW(SqliteOrderWriter again(path_));
}

}  // namespace
}  // namespace warung::store::sqlite
