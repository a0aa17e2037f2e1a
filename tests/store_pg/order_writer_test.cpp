// PostgresOrderWriter, ported from the SQLite writer's tests, plus what only several
// nodes can do: two writers on one database, and connections dropped under them.
#include "store/postgres/order_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "store/postgres/postgres_store.hpp"
#include "store_pg/support.hpp"
#include "support/latest_unheld.hpp"
#include "support/order_batch.hpp"
#include "support/stuck_orders.hpp"

namespace warung::store::postgres {
namespace {

using testing::Collector;
using testing::kDeadline;
using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::TestDatabase;
using ::warung::testing::expectLatestOrdersSince;
using ::warung::testing::expectLatestOrdersUnheld;
using ::warung::testing::expectStuckOrders;
using ::warung::testing::placeMixedBatch;

class OrderWriterTest : public ::testing::Test {
 protected:
  TestDatabase db_;
  PostgresStore store_{db_.config()};

  std::int64_t account(const std::string& user_id, std::int64_t balance) {
    auto a = store_.createAccount(newAccount(user_id));
    EXPECT_TRUE(a.ok());
    if (balance > 0) {
      EXPECT_TRUE(store_.adjustBalance(a->id, Money{balance}, "seed", 1).ok());
    }
    return a->id;
  }
  Money balance(std::int64_t account_id) {
    // Keep the Result alive: value() of a temporary would dangle in a range-for.
    auto accounts = store_.listAccounts();
    EXPECT_TRUE(accounts.ok());
    for (const auto& a : accounts.value()) {
      if (a.id == account_id) return a.balance;
    }
    ADD_FAILURE() << "no account " << account_id;
    return Money{-1};
  }
  std::size_t orderCount(std::int64_t account_id) {
    OrderFilter f;
    f.account_id = account_id;
    f.limit = 10000;
    return store_.listOrders(f).value().size();
  }
  void expectLedgerMatches(std::int64_t account_id) {
    EXPECT_EQ(store_.ledgerSum(account_id).value(), balance(account_id)) << account_id;
  }
  domain::Transition transition(const domain::Order& o, domain::OrderStatus from, domain::OrderStatus to,
                                Money refund = Money{0}) {
    domain::Transition t;
    t.order_id = o.id;
    t.account_id = o.account_id;
    t.ref_id = o.ref_id;
    t.from = from;
    t.to = to;
    t.remain = o.remain;
    t.refund = refund;
    t.at = 1700000500;
    return t;
  }
};

TEST_F(OrderWriterTest, PlacesOrderWithDebitAndLedgerRow) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  const Versions before = store_.versions().value();

  auto r = place(w, makeOrder(acc, "R1", 7, "https://instagram.com/a", 2500));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_FALSE(r->replayed);
  EXPECT_GT(r->order.id, 0);
  EXPECT_EQ(r->order.status, domain::OrderStatus::kWaiting);
  EXPECT_EQ(balance(acc), Money{7500});

  auto stored = store_.findOrderByRef("R1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, r->order.id);
  EXPECT_EQ(stored->account_id, acc);
  EXPECT_EQ(stored->service_id, 7);
  EXPECT_EQ(stored->service_code, "S7");
  EXPECT_EQ(stored->service_name, "Service 7");
  EXPECT_EQ(stored->category_key, "default");
  EXPECT_EQ(stored->data[0], "https://instagram.com/a");
  EXPECT_EQ(stored->data[1], "1000");
  EXPECT_EQ(stored->target, "https://instagram.com/a");
  EXPECT_EQ(stored->quantity, 1000);
  EXPECT_EQ(stored->unit_price, Money{2500});
  EXPECT_EQ(stored->charge, Money{2500});
  EXPECT_EQ(stored->remain, 1000);
  EXPECT_EQ(stored->idempotency_key, "");
  EXPECT_EQ(stored->fingerprint, "fp-https://instagram.com/a-2500");
  EXPECT_EQ(stored->created_at, 1700000100);

  auto rows = store_.ledger(acc, 1).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount, Money{-2500});
  EXPECT_EQ(rows[0].balance_after, Money{7500});
  EXPECT_EQ(rows[0].reason, domain::LedgerReason::kOrder);
  EXPECT_EQ(rows[0].order_id, r->order.id);
  EXPECT_EQ(rows[0].ref, "R1");
  expectLedgerMatches(acc);
  // A debit is a balance change: caches keyed on versions need not reload.
  EXPECT_EQ(store_.versions().value(), before);
}

TEST_F(OrderWriterTest, InsufficientBalanceChangesNothing) {
  const auto acc = account("u1", 1000);
  PostgresOrderWriter w(db_.config());
  auto r = place(w, makeOrder(acc, "R1", 7, "t", 1001));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInsufficientBalance);
  EXPECT_EQ(r.error().detail, "balance Rp 1000 is below the charge Rp 1001");
  EXPECT_EQ(balance(acc), Money{1000});
  EXPECT_EQ(orderCount(acc), 0u);
  EXPECT_EQ(store_.ledger(acc, 10)->size(), 1u);  // only the seed credit
}

TEST_F(OrderWriterTest, SuspendedAccountIsForbidden) {
  const auto acc = account("u1", 10000);
  ASSERT_TRUE(store_.setAccountStatus(acc, domain::AccountStatus::kSuspended).ok());
  PostgresOrderWriter w(db_.config());
  auto r = place(w, makeOrder(acc, "R1", 7, "t", 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kForbidden);
  EXPECT_EQ(balance(acc), Money{10000});
  EXPECT_EQ(orderCount(acc), 0u);
}

TEST_F(OrderWriterTest, UnknownAccountIsNotFound) {
  PostgresOrderWriter w(db_.config());
  auto r = place(w, makeOrder(4242, "R1", 7, "t", 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
}

TEST_F(OrderWriterTest, DuplicatePendingTargetUntilTheFirstIsFinal) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto first = place(w, makeOrder(acc, "R1", 7, "target", 1000));
  ASSERT_TRUE(first.ok());

  auto dup = place(w, makeOrder(acc, "R2", 7, "target", 1000));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  EXPECT_EQ(dup.error().detail, "an order for this service and target is still pending");
  EXPECT_EQ(balance(acc), Money{9000});  // the debit was rolled back with the insert
  expectLedgerMatches(acc);

  // Another service, or another account, with the same target is fine.
  EXPECT_TRUE(place(w, makeOrder(acc, "R3", 8, "target", 1000)).ok());
  const auto other = account("u2", 5000);
  EXPECT_TRUE(place(w, makeOrder(other, "R4", 7, "target", 1000)).ok());

  // Still pending while processing.
  ASSERT_TRUE(store_
                  .applyTransition(transition(first->order, domain::OrderStatus::kWaiting,
                                              domain::OrderStatus::kProcessing))
                  .ok());
  EXPECT_EQ(place(w, makeOrder(acc, "R5", 7, "target", 1000)).error().code, Errc::kConflict);

  ASSERT_TRUE(store_
                  .applyTransition(transition(first->order, domain::OrderStatus::kProcessing,
                                              domain::OrderStatus::kSuccess))
                  .ok());
  auto again = place(w, makeOrder(acc, "R6", 7, "target", 1000));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(balance(acc), Money{7000});
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, IdempotentReplayChargesOnce) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto o = makeOrder(acc, "R1", 7, "t", 1000);
  o.idempotency_key = "key-1";
  auto first = place(w, o);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);

  auto retry = o;
  retry.ref_id = "R1-retry";  // a retry gets a fresh ref from the generator
  auto second = place(w, retry);
  ASSERT_TRUE(second.ok()) << second.error().detail;
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(second->order.ref_id, "R1");
  EXPECT_EQ(second->order.id, first->order.id);
  EXPECT_EQ(second->order.idempotency_key, "key-1");
  EXPECT_EQ(balance(acc), Money{9000});
  EXPECT_EQ(orderCount(acc), 1u);
  expectLedgerMatches(acc);

  // The same key on another account is that account's own key.
  const auto other = account("u2", 5000);
  auto theirs = makeOrder(other, "R2", 7, "t", 1000);
  theirs.idempotency_key = "key-1";
  auto r = place(w, theirs);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->replayed);
}

TEST_F(OrderWriterTest, SameKeyDifferentParametersIsConflict) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto o = makeOrder(acc, "R1", 7, "t", 1000);
  o.idempotency_key = "key-1";
  ASSERT_TRUE(place(w, o).ok());
  auto changed = makeOrder(acc, "R2", 7, "other-target", 1000);
  changed.idempotency_key = "key-1";
  auto r = place(w, changed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kConflict);
  EXPECT_EQ(r.error().detail, "idempotency_key was already used with different parameters");
  EXPECT_EQ(balance(acc), Money{9000});
}

TEST_F(OrderWriterTest, RefIdClashIsInternalAndChargesNothing) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  ASSERT_TRUE(place(w, makeOrder(acc, "R1", 7, "a", 1000)).ok());
  auto r = place(w, makeOrder(acc, "R1", 7, "b", 1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInternal);
  EXPECT_EQ(balance(acc), Money{9000});
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, FullQueueIsOverloaded) {
  const auto acc = account("u1", 10000);
  WriterConfig cfg;
  cfg.queue_capacity = 1;
  PostgresOrderWriter w(db_.config(), cfg);

  // Another node holds the account's row lock, so the writer thread blocks locking its
  // batch's accounts with whatever it took, and the queue fills.
  db_.exec("BEGIN");
  db_.exec("SELECT id FROM accounts WHERE id = " + std::to_string(acc) + " FOR UPDATE");

  Collector accepted;
  std::vector<Error> refused;
  std::mutex refused_mutex;
  for (int i = 0; i < 3; ++i) {
    w.submit(makeOrder(acc, "R" + std::to_string(i), 7, "t" + std::to_string(i), 100), [&](Result<Placed> r) {
      if (!r.ok() && r.error().code == Errc::kOverloaded) {
        std::lock_guard lock(refused_mutex);
        refused.push_back(r.error());
        return;
      }
      accepted.callback()(std::move(r));
    });
  }
  // At most one order in the writer's hands and one in the queue: the third (at
  // least) was refused at once, on this thread.
  std::size_t n_refused = 0;
  {
    std::lock_guard lock(refused_mutex);
    n_refused = refused.size();
    ASSERT_GE(n_refused, 1u);
    EXPECT_EQ(refused[0].detail, "server busy, try again");
  }
  db_.exec("COMMIT");

  ASSERT_TRUE(accepted.wait(3 - n_refused));
  for (auto& r : accepted.take()) EXPECT_TRUE(r.ok());
  EXPECT_EQ(balance(acc), Money{10000 - 100 * static_cast<std::int64_t>(3 - n_refused)});
}

TEST_F(OrderWriterTest, ShutdownDrainsQueueThenRefuses) {
  const auto acc = account("u1", 100000);
  PostgresOrderWriter w(db_.config());
  Collector c;
  for (int i = 0; i < 50; ++i) {
    w.submit(makeOrder(acc, "R" + std::to_string(i), 7, "t" + std::to_string(i), 10), c.callback());
  }
  w.shutdown();
  ASSERT_TRUE(c.wait(50));
  for (auto& r : c.take()) EXPECT_TRUE(r.ok());
  EXPECT_EQ(balance(acc), Money{100000 - 500});

  auto late = place(w, makeOrder(acc, "late", 7, "late", 10));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, Errc::kOverloaded);
  EXPECT_EQ(late.error().detail, "server is shutting down");
  w.shutdown();  // idempotent
}

TEST_F(OrderWriterTest, OneFailedOrderDoesNotAffectOthersInItsBatch) {
  const auto rich = account("rich", 10000);
  const auto poor = account("poor", 50);
  const auto suspended = account("suspended", 10000);
  ASSERT_TRUE(store_.setAccountStatus(suspended, domain::AccountStatus::kSuspended).ok());
  PostgresOrderWriter w(db_.config());

  placeMixedBatch(w, rich, poor, suspended);

  EXPECT_EQ(balance(rich), Money{10000 - 100 - 3000});
  EXPECT_EQ(balance(poor), Money{50});
  EXPECT_EQ(balance(suspended), Money{10000});
  for (auto id : {rich, poor, suspended}) expectLedgerMatches(id);
  EXPECT_EQ(orderCount(rich), 4u);
}

TEST_F(OrderWriterTest, ConcurrentSubmittersNeverOverdraw) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  constexpr int kAccounts = 5;
  constexpr std::int64_t kCharge = 100;
  // Orders per account: 8 * 200 / 5 = 320. These balances pay for 50, 100, 200, 320
  // and 320 (with money left) of them.
  const std::array<std::int64_t, kAccounts> seeds{5000, 10000, 20000, 32000, 50000};
  std::array<std::int64_t, kAccounts> ids{};
  for (int i = 0; i < kAccounts; ++i) ids[i] = account("acc" + std::to_string(i), seeds[i]);

  WriterConfig cfg;
  cfg.max_batch = 64;  // several batches, and several orders per batch
  PostgresOrderWriter w(db_.config(), cfg);

  std::atomic<int> accepted{0}, insufficient{0}, other{0};
  Collector done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        const std::string ref = "T" + std::to_string(n);
        w.submit(makeOrder(ids[n % kAccounts], ref, 1, ref, kCharge), [&](Result<Placed> r) {
          if (r.ok()) {
            ++accepted;
          } else if (r.error().code == Errc::kInsufficientBalance) {
            ++insufficient;
          } else {
            ++other;
          }
          done.callback()(std::move(r));
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(done.wait(kThreads * kPerThread));

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accepted.load(), 50 + 100 + 200 + 320 + 320);
  EXPECT_EQ(accepted.load() + insufficient.load(), kThreads * kPerThread);
  const std::array<std::int64_t, kAccounts> paid_for{50, 100, 200, 320, 320};
  for (int i = 0; i < kAccounts; ++i) {
    SCOPED_TRACE(i);
    const Money b = balance(ids[i]);
    EXPECT_GE(b, Money{0});
    EXPECT_EQ(b, Money{seeds[i] - paid_for[i] * kCharge});
    EXPECT_EQ(orderCount(ids[i]), static_cast<std::size_t>(paid_for[i]));
    expectLedgerMatches(ids[i]);
  }
}

// ---------------------------------------------------------------- transitions

TEST_F(OrderWriterTest, TransitionIsCompareAndSet) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto placed = place(w, makeOrder(acc, "R1", 7, "t", 1000));
  ASSERT_TRUE(placed.ok());
  const domain::Order o = placed->order;

  auto t = transition(o, domain::OrderStatus::kWaiting, domain::OrderStatus::kProcessing);
  t.start_count = 321;
  t.note = "sent to provider";
  auto moved = store_.applyTransition(t);
  ASSERT_TRUE(moved.ok()) << moved.error().detail;
  EXPECT_EQ(moved->status, domain::OrderStatus::kProcessing);
  EXPECT_EQ(moved->start_count, 321);
  EXPECT_EQ(moved->note, "sent to provider");
  EXPECT_EQ(moved->updated_at, 1700000500);
  EXPECT_EQ(moved->created_at, o.created_at);

  auto stale = store_.applyTransition(t);  // still says from = waiting
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  EXPECT_EQ(stale.error().detail, "order R1 is no longer waiting");

  auto missing = t;
  missing.order_id = 999999;
  EXPECT_EQ(store_.applyTransition(missing).error().code, Errc::kNotFound);
  EXPECT_EQ(balance(acc), Money{9000});
}

TEST_F(OrderWriterTest, ErrorRefundsExactlyOnce) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto placed = place(w, makeOrder(acc, "R1", 7, "t", 2500));
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(balance(acc), Money{7500});

  const auto t =
      transition(placed->order, domain::OrderStatus::kWaiting, domain::OrderStatus::kError, Money{2500});
  auto r = store_.applyTransition(t);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, domain::OrderStatus::kError);
  EXPECT_EQ(balance(acc), Money{10000});

  auto rows = store_.ledger(acc, 1).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].reason, domain::LedgerReason::kRefund);
  EXPECT_EQ(rows[0].amount, Money{2500});
  EXPECT_EQ(rows[0].balance_after, Money{10000});
  EXPECT_EQ(rows[0].order_id, placed->order.id);
  EXPECT_EQ(rows[0].ref, "R1");

  auto again = store_.applyTransition(t);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::kConflict);
  EXPECT_EQ(balance(acc), Money{10000});
  EXPECT_EQ(store_.ledger(acc, 100)->size(), 3u);  // seed, order, one refund
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, PartialRefundsTheTransitionsAmount) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto placed = place(w, makeOrder(acc, "R1", 7, "t", 1000));
  ASSERT_TRUE(placed.ok());
  ASSERT_TRUE(store_
                  .applyTransition(transition(placed->order, domain::OrderStatus::kWaiting,
                                              domain::OrderStatus::kProcessing))
                  .ok());
  auto t =
      transition(placed->order, domain::OrderStatus::kProcessing, domain::OrderStatus::kPartial, Money{400});
  t.remain = 400;
  auto r = store_.applyTransition(t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, domain::OrderStatus::kPartial);
  EXPECT_EQ(r->remain, 400);
  EXPECT_EQ(balance(acc), Money{9400});
  EXPECT_EQ(store_.ledger(acc, 1)->front().amount, Money{400});
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, RefundAboveChargeIsRefused) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  auto placed = place(w, makeOrder(acc, "R1", 7, "t", 1000));
  ASSERT_TRUE(placed.ok());
  auto r = store_.applyTransition(
      transition(placed->order, domain::OrderStatus::kWaiting, domain::OrderStatus::kError, Money{1001}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInternal);
  EXPECT_EQ(store_.findOrderByRef("R1")->status, domain::OrderStatus::kWaiting);
  EXPECT_EQ(balance(acc), Money{9000});
}

// ---------------------------------------------------------------- reads

TEST_F(OrderWriterTest, FindOrderIsScopedToAccountAndKind) {
  const auto a = account("a", 10000);
  const auto b = account("b", 10000);
  PostgresOrderWriter w(db_.config());
  ASSERT_TRUE(place(w, makeOrder(a, "RA", 7, "t", 100)).ok());
  ASSERT_TRUE(place(w, makeOrder(b, "RB", 7, "t", 100, domain::Kind::kGame)).ok());

  EXPECT_TRUE(store_.findOrder(a, domain::Kind::kSocialMedia, "RA").ok());
  EXPECT_EQ(store_.findOrder(b, domain::Kind::kSocialMedia, "RA").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.findOrder(a, domain::Kind::kGame, "RA").error().code, Errc::kNotFound);
  EXPECT_TRUE(store_.findOrder(b, domain::Kind::kGame, "RB").ok());
  EXPECT_EQ(store_.findOrder(a, domain::Kind::kGame, "RB").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.findOrderByRef("nope").error().code, Errc::kNotFound);
}

TEST_F(OrderWriterTest, LatestOrdersNewestFirstWithLimit) {
  const auto a = account("a", 100000);
  const auto b = account("b", 100000);
  PostgresOrderWriter w(db_.config());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(place(w, makeOrder(a, "S" + std::to_string(i), 7, std::to_string(i), 10)).ok());
  }
  ASSERT_TRUE(place(w, makeOrder(a, "G0", 9, "g", 10, domain::Kind::kGame)).ok());
  ASSERT_TRUE(place(w, makeOrder(b, "X0", 7, "x", 10)).ok());

  auto latest = store_.latestOrders(a, domain::Kind::kSocialMedia, 4);
  ASSERT_TRUE(latest.ok());
  std::vector<std::string> refs;
  for (const auto& o : *latest) refs.push_back(o.ref_id);
  EXPECT_EQ(refs, (std::vector<std::string>{"S5", "S4", "S3", "S2"}));
  EXPECT_EQ(store_.latestOrders(a, domain::Kind::kSocialMedia, 15)->size(), 6u);
  EXPECT_EQ(store_.latestOrders(a, domain::Kind::kGame, 15)->size(), 1u);
  EXPECT_EQ(store_.latestOrders(b, domain::Kind::kGame, 15)->size(), 0u);
}

TEST_F(OrderWriterTest, LatestOrdersUnheldReadsOnlyTheOrdersNotHeld) {
  const auto a = account("a", 100000);
  PostgresOrderWriter w(db_.config());
  expectLatestOrdersUnheld(store_, w, a);
}

TEST_F(OrderWriterTest, LatestOrdersSinceReadsAListOnlyWhenItsVersionMoved) {
  const auto a = account("a", 100000);
  PostgresOrderWriter w(db_.config());
  expectLatestOrdersSince(store_, w, a, false);
}

TEST_F(OrderWriterTest, StuckOrdersAreThePendingOnesLastChangedBeforeATime) {
  const auto a = account("a", 100000);
  PostgresOrderWriter w(db_.config());
  expectStuckOrders(store_, store_, w, a);
}

TEST_F(OrderWriterTest, ListOrdersFilters) {
  const auto a = account("a", 100000);
  const auto b = account("b", 100000);
  PostgresOrderWriter w(db_.config());
  auto at = [](domain::Order o, std::int64_t t) {
    o.created_at = o.updated_at = t;
    return o;
  };
  ASSERT_TRUE(place(w, at(makeOrder(a, "1", 7, "x", 10), 100)).ok());
  ASSERT_TRUE(place(w, at(makeOrder(a, "2", 8, "y", 10), 200)).ok());
  ASSERT_TRUE(place(w, at(makeOrder(a, "3", 7, "z", 10, domain::Kind::kGame), 300)).ok());
  auto four = place(w, at(makeOrder(b, "4", 7, "x", 10), 400));
  ASSERT_TRUE(four.ok());
  ASSERT_TRUE(store_
                  .applyTransition(
                      transition(four->order, domain::OrderStatus::kWaiting, domain::OrderStatus::kSuccess))
                  .ok());

  auto refs = [&](const OrderFilter& f) {
    std::vector<std::string> out;
    auto orders = store_.listOrders(f);
    EXPECT_TRUE(orders.ok());
    for (const auto& o : orders.value()) out.push_back(o.ref_id);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(refs({}), (V{"4", "3", "2", "1"}));
  OrderFilter f;
  f.account_id = a;
  EXPECT_EQ(refs(f), (V{"3", "2", "1"}));
  f.kind = domain::Kind::kSocialMedia;
  EXPECT_EQ(refs(f), (V{"2", "1"}));
  f = {};
  f.status = domain::OrderStatus::kSuccess;
  EXPECT_EQ(refs(f), (V{"4"}));
  f = {};
  f.service_code = "S7";
  EXPECT_EQ(refs(f), (V{"4", "3", "1"}));
  f.target = "x";
  EXPECT_EQ(refs(f), (V{"4", "1"}));
  f = {};
  f.created_from = 200;
  f.created_to = 400;  // exclusive
  EXPECT_EQ(refs(f), (V{"3", "2"}));
  f = {};
  f.limit = 2;
  EXPECT_EQ(refs(f), (V{"4", "3"}));
  f = {};
  f.target = "' OR 1=1 --";  // values are bound, never spliced into the SQL
  EXPECT_EQ(refs(f), V{});
}

// ---------------------------------------------------------------- several nodes

TEST_F(OrderWriterTest, TwoNodesNeverOverdraw) {
  constexpr int kThreadsPerNode = 4;
  constexpr int kPerThread = 200;
  constexpr int kAccounts = 5;
  constexpr std::int64_t kCharge = 100;
  // Orders per account: 2 * 4 * 200 / 5 = 320. These balances pay for 50, 100, 200, 320
  // and 320 (with money left) of them, whichever node takes which order.
  const std::array<std::int64_t, kAccounts> seeds{5000, 10000, 20000, 32000, 50000};
  std::array<std::int64_t, kAccounts> ids{};
  for (int i = 0; i < kAccounts; ++i) ids[i] = account("acc" + std::to_string(i), seeds[i]);

  WriterConfig cfg;
  cfg.max_batch = 64;  // several batches per node, each touching every account
  PostgresOrderWriter node_a(db_.config(), cfg);
  PostgresOrderWriter node_b(db_.config(), cfg);

  std::atomic<int> accepted{0}, insufficient{0}, other{0};
  Collector done;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kThreadsPerNode; ++t) {
    PostgresOrderWriter& w = t % 2 == 0 ? node_a : node_b;
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        const std::string ref = "T" + std::to_string(n);
        w.submit(makeOrder(ids[n % kAccounts], ref, 1, ref, kCharge), [&](Result<Placed> r) {
          if (r.ok()) {
            ++accepted;
          } else if (r.error().code == Errc::kInsufficientBalance) {
            ++insufficient;
          } else {
            ++other;
            ADD_FAILURE() << r.error().detail;
          }
          done.callback()(std::move(r));
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(done.wait(2 * kThreadsPerNode * kPerThread));

  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accepted.load(), 50 + 100 + 200 + 320 + 320);
  EXPECT_EQ(accepted.load() + insufficient.load(), 2 * kThreadsPerNode * kPerThread);
  const std::array<std::int64_t, kAccounts> paid_for{50, 100, 200, 320, 320};
  for (int i = 0; i < kAccounts; ++i) {
    SCOPED_TRACE(i);
    const Money b = balance(ids[i]);
    EXPECT_GE(b, Money{0});
    EXPECT_EQ(b, Money{seeds[i] - paid_for[i] * kCharge});
    EXPECT_EQ(orderCount(ids[i]), static_cast<std::size_t>(paid_for[i]));
    expectLedgerMatches(ids[i]);
  }
}

TEST_F(OrderWriterTest, SameIdempotencyKeyOnTwoNodesChargesOnce) {
  constexpr int kKeys = 40;
  const auto acc = account("u1", 1000000);
  PostgresOrderWriter node_a(db_.config());
  PostgresOrderWriter node_b(db_.config());
  Collector done;
  for (int k = 0; k < kKeys; ++k) {
    // A client's retry that reached another node while the first try was in flight.
    auto first = makeOrder(acc, "A" + std::to_string(k), 7, "t" + std::to_string(k), 1000);
    first.idempotency_key = "key-" + std::to_string(k);
    auto retry = first;
    retry.ref_id = "B" + std::to_string(k);
    node_a.submit(first, done.callback());
    node_b.submit(retry, done.callback());
  }
  ASSERT_TRUE(done.wait(2 * kKeys));
  std::map<std::int64_t, int> by_order;
  int fresh = 0;
  for (auto& r : done.take()) {
    ASSERT_TRUE(r.ok()) << r.error().detail;
    ++by_order[r->order.id];
    if (!r->replayed) ++fresh;
  }
  EXPECT_EQ(fresh, kKeys);
  EXPECT_EQ(by_order.size(), static_cast<std::size_t>(kKeys));
  for (const auto& [id, n] : by_order) EXPECT_EQ(n, 2) << id;
  EXPECT_EQ(orderCount(acc), static_cast<std::size_t>(kKeys));
  EXPECT_EQ(balance(acc), Money{1000000 - kKeys * 1000});
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, RefundsFromTwoNodesHappenOnce) {
  constexpr int kOrders = 60;
  const auto acc = account("u1", 100000);
  PostgresOrderWriter w(db_.config());
  std::vector<domain::Order> orders;
  for (int i = 0; i < kOrders; ++i) {
    auto r = place(w, makeOrder(acc, "R" + std::to_string(i), 7, "t" + std::to_string(i), 1000));
    ASSERT_TRUE(r.ok());
    orders.push_back(r->order);
  }
  EXPECT_EQ(balance(acc), Money{100000 - kOrders * 1000});

  // Both nodes' workers decide every order failed at once: each refund happens once.
  // New orders keep coming meanwhile, so refunds and debits interleave on the account.
  PostgresStore other(db_.config());
  std::atomic<int> applied{0}, conflicts{0}, errors{0};
  auto refundAll = [&](PostgresStore& s) {
    for (const auto& o : orders) {
      auto r = s.applyTransition(
          transition(o, domain::OrderStatus::kWaiting, domain::OrderStatus::kError, o.charge));
      if (r.ok()) {
        ++applied;
      } else if (r.error().code == Errc::kConflict) {
        ++conflicts;
      } else {
        ++errors;
        ADD_FAILURE() << r.error().detail;
      }
    }
  };
  Collector more;
  std::thread a([&] { refundAll(store_); });
  std::thread b([&] { refundAll(other); });
  for (int i = 0; i < kOrders; ++i) {
    w.submit(makeOrder(acc, "N" + std::to_string(i), 8, "n" + std::to_string(i), 10), more.callback());
  }
  a.join();
  b.join();
  ASSERT_TRUE(more.wait(kOrders));
  for (auto& r : more.take()) EXPECT_TRUE(r.ok());
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(applied.load(), kOrders);
  EXPECT_EQ(conflicts.load(), kOrders);
  EXPECT_EQ(balance(acc), Money{100000 - kOrders * 10});
  expectLedgerMatches(acc);
}

// ---------------------------------------------------------------- failures

TEST_F(OrderWriterTest, WriterReconnectsAfterTheConnectionDropped) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  ASSERT_TRUE(place(w, makeOrder(acc, "R1", 7, "a", 1000)).ok());
  // The writer's connection is gone (server restart, failover) between two batches.
  ASSERT_GE(db_.dropOtherConnections(), 1);
  auto r = place(w, makeOrder(acc, "R2", 7, "b", 1000));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(balance(acc), Money{8000});
  EXPECT_EQ(orderCount(acc), 2u);  // written once
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, InvalidUtf8IsInvalidArgumentAndChargesOnlyTheOthers) {
  const auto acc = account("u1", 10000);
  PostgresOrderWriter w(db_.config());
  Collector c;
  auto bad = makeOrder(acc, "R1", 7, "bad \xff target", 1000);
  w.submit(bad, c.callback());
  w.submit(makeOrder(acc, "R2", 7, "good", 1000), c.callback());
  ASSERT_TRUE(c.wait(2));
  int ok = 0, invalid = 0;
  for (auto& r : c.take()) {
    if (r.ok()) ++ok;
    if (!r.ok() && r.error().code == Errc::kInvalidArgument) ++invalid;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(invalid, 1);
  EXPECT_EQ(balance(acc), Money{9000});
  expectLedgerMatches(acc);
}

}  // namespace
}  // namespace warung::store::postgres
