#include "store/sqlite/order_writer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <thread>

#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/wal_write_buffer.hpp"
#include "store/support.hpp"
#include "support/latest_unheld.hpp"
#include "support/order_batch.hpp"
#include "support/stuck_orders.hpp"

namespace warung::store::sqlite {
namespace {

using testing::Collector;
using testing::kDeadline;
using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::TempDir;
using ::warung::testing::expectLatestOrdersSince;
using ::warung::testing::expectLatestOrdersUnheld;
using ::warung::testing::expectStuckOrders;
using ::warung::testing::placeAsOneBatch;
using ::warung::testing::placeMixedBatch;

class OrderWriterTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("warung.db");
  SqliteStore store_{path_};

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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
  auto r = place(w, makeOrder(acc, "R1", 7, "t", 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kForbidden);
  EXPECT_EQ(balance(acc), Money{10000});
  EXPECT_EQ(orderCount(acc), 0u);
}

TEST_F(OrderWriterTest, UnknownAccountIsNotFound) {
  SqliteOrderWriter w(path_);
  auto r = place(w, makeOrder(4242, "R1", 7, "t", 100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
}

TEST_F(OrderWriterTest, DuplicatePendingTargetUntilTheFirstIsFinal) {
  const auto acc = account("u1", 10000);
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
  ASSERT_TRUE(place(w, makeOrder(acc, "R1", 7, "a", 1000)).ok());
  auto r = place(w, makeOrder(acc, "R1", 7, "b", 1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInternal);
  EXPECT_EQ(balance(acc), Money{9000});
  expectLedgerMatches(acc);
}

// Another process's write transaction (here a connection of its own, outside this
// process's write turn): the writer's BEGIN waits for it, again and again up to six
// busy timeouts, and only then refuses the batch, charging nothing.
TEST_F(OrderWriterTest, BeginWaitsForAnotherWritersLockThenRefusesTheBatch) {
  const auto acc = account("u1", 10000);
  WriterConfig cfg;
  cfg.busy_timeout_ms = 50;
  SqliteOrderWriter w(path_, cfg);
  SQLite::Database other(path_, SQLite::OPEN_READWRITE);

  other.exec("BEGIN IMMEDIATE");
  Collector waited;
  w.submit(makeOrder(acc, "B1", 7, "a", 1000), waited.callback());
  std::this_thread::sleep_for(std::chrono::milliseconds(120));  // past two busy timeouts
  other.exec("COMMIT");
  ASSERT_TRUE(waited.wait(1));
  auto first = waited.take();
  ASSERT_TRUE(first.front().ok()) << first.front().error().detail;

  other.exec("BEGIN IMMEDIATE");
  auto refused = place(w, makeOrder(acc, "B2", 7, "b", 1000));  // six timeouts of 50 ms
  other.exec("COMMIT");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kInternal);
  EXPECT_EQ(balance(acc), Money{9000});
  EXPECT_EQ(orderCount(acc), 1u);

  ASSERT_TRUE(place(w, makeOrder(acc, "B3", 7, "b", 1000)).ok()) << "the writer goes on";
  EXPECT_EQ(balance(acc), Money{8000});
  expectLedgerMatches(acc);
}

TEST_F(OrderWriterTest, FullQueueIsOverloaded) {
  const auto acc = account("u1", 10000);
  WriterConfig cfg;
  cfg.queue_capacity = 1;
  cfg.busy_timeout_ms = 60000;
  SqliteOrderWriter w(path_, cfg);

  // Another connection (think: the CLI) holds the write lock, so the writer thread
  // blocks in BEGIN IMMEDIATE with whatever it took, and the queue fills.
  SQLite::Database blocker(path_, SQLite::OPEN_READWRITE);
  blocker.exec("BEGIN IMMEDIATE");

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
  blocker.exec("COMMIT");

  ASSERT_TRUE(accepted.wait(3 - n_refused));
  for (auto& r : accepted.take()) EXPECT_TRUE(r.ok());
  EXPECT_EQ(balance(acc), Money{10000 - 100 * static_cast<std::int64_t>(3 - n_refused)});
}

TEST_F(OrderWriterTest, ShutdownDrainsQueueThenRefuses) {
  const auto acc = account("u1", 100000);
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);

  placeMixedBatch(w, rich, poor, suspended);

  EXPECT_EQ(balance(rich), Money{10000 - 100 - 3000});
  EXPECT_EQ(balance(poor), Money{50});
  EXPECT_EQ(balance(suspended), Money{10000});
  for (auto id : {rich, poor, suspended}) expectLedgerMatches(id);
  EXPECT_EQ(orderCount(rich), 4u);
}

// The debit comes after the order row (no savepoint per order): a refused debit
// deletes the row again, so nothing is left to block the same target later.
TEST_F(OrderWriterTest, ARefusedDebitLeavesNoOrderBehind) {
  const auto poor = account("poor", 50);
  SqliteOrderWriter w(path_);
  auto refused = place(w, makeOrder(poor, "R1", 7, "target", 1000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kInsufficientBalance);
  EXPECT_EQ(orderCount(poor), 0u);
  EXPECT_FALSE(store_.findOrderByRef("R1").ok());

  ASSERT_TRUE(store_.adjustBalance(poor, Money{5000}, "top-up", 2).ok());
  auto placed = place(w, makeOrder(poor, "R2", 7, "target", 1000));
  ASSERT_TRUE(placed.ok()) << placed.error().detail;
  EXPECT_EQ(balance(poor), Money{5050 - 1000});
  expectLedgerMatches(poor);
}

// An unexpected failure inside a batch (here a trigger refusing one order's ledger row)
// rolls the batch back; its orders are then placed one by one, so only that one fails.
TEST_F(OrderWriterTest, AnUnexpectedFailureInABatchFailsThatOrderAlone) {
  const auto rich = account("rich", 10000);
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER boom BEFORE INSERT ON ledger WHEN NEW.ref = 'BOOM'"
        " BEGIN SELECT RAISE(ABORT, 'boom'); END");
  }
  SqliteOrderWriter w(path_);
  auto answers =
      placeAsOneBatch(w, makeOrder(rich, "HOLD", 1, "hold", 100),
                      {makeOrder(rich, "A", 2, "t-A", 1000), makeOrder(rich, "BOOM", 2, "t-BOOM", 1000),
                       makeOrder(rich, "C", 2, "t-C", 1000)});

  EXPECT_TRUE(answers.at("A").ok());
  EXPECT_EQ(answers.at("BOOM").error().code, Errc::kInternal);
  EXPECT_TRUE(answers.at("C").ok());
  EXPECT_FALSE(store_.findOrderByRef("BOOM").ok());
  EXPECT_EQ(balance(rich), Money{10000 - 100 - 2000});
  EXPECT_EQ(orderCount(rich), 3u);
  expectLedgerMatches(rich);
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
  SqliteOrderWriter w(path_, cfg);

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

// ---------------------------------------------------------------- checkpoints

using testing::walBytes;

// Four submitters without pause keep the writer busy, so the WAL is rarely fully
// copied while the writer is between batches: without the writer finishing the copy
// past wal_max_pages it would hold every page these orders wrote (tens of MB).
TEST_F(OrderWriterTest, CheckpointsRunBesideTheWriterAndTheWalStaysBounded) {
  const std::int64_t acc = account("ckpt", 1'000'000'000);
  WriterConfig cfg;
  cfg.max_batch = 32;
  cfg.checkpoint_pages = 20;
  cfg.wal_max_pages = 100;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 750;
  {
    SqliteOrderWriter w(path_, cfg);
    Collector done;
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string ref = "C" + std::to_string(t) + "-" + std::to_string(i);
          w.submit(makeOrder(acc, ref, 1 + i % 3, ref, 10), [&](Result<Placed> r) {
            if (!r.ok()) ++failed;
            done.callback()(std::move(r));
          });
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(done.wait(kThreads * kPerThread));
    EXPECT_EQ(failed.load(), 0);
    const CheckpointStats stats = w.checkpointStats();
    EXPECT_GT(stats.background, 0u);
    // Past twice wal_max_pages the writer copies what is left after the background
    // round in progress, so the WAL holds little more than that: what the writer
    // commits during that round, more on a loaded machine, where the checkpoint thread
    // waits for a CPU. Beside a busy loop the WAL reached up to 651 frames (13 of 40
    // runs over 600) once the writer no longer wrote an index by account (migration 10).
    const std::uintmax_t page_frame = 4096 + 24;
    EXPECT_LE(walBytes(path_), (2 * cfg.wal_max_pages + 600) * page_frame)
        << "background " << stats.background << ", by writer " << stats.by_writer;
  }
  EXPECT_EQ(orderCount(acc), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(balance(acc), Money{1'000'000'000 - kThreads * kPerThread * 10});
  expectLedgerMatches(acc);
}

// Past wal_max_pages the checkpoint thread drains the WAL, syncing the database file
// after each round, and leaves the writer only a short tail to copy (whose sync then
// has little to write) instead of everything copied since the WAL started.
TEST_F(OrderWriterTest, PastWalMaxPagesTheWriterCopiesOnlyAShortTail) {
  const std::int64_t acc = account("tail", 1'000'000'000);
  WriterConfig cfg;
  cfg.checkpoint_pages = 200;  // the writer's turn comes with at most 50 frames left
  cfg.wal_max_pages = 600;
  constexpr int kChunks = 150;
  constexpr int kChunk = 20;
  {
    SqliteOrderWriter w(path_, cfg);
    for (int c = 0; c < kChunks; ++c) {
      Collector done;
      std::atomic<int> failed{0};
      for (int i = 0; i < kChunk; ++i) {
        const std::string ref = "T" + std::to_string(c) + "-" + std::to_string(i);
        w.submit(makeOrder(acc, ref, 1 + i % 3, ref, 10), [&](Result<Placed> r) {
          if (!r.ok()) ++failed;
          done.callback()(std::move(r));
        });
      }
      ASSERT_TRUE(done.wait(kChunk));
      ASSERT_EQ(failed.load(), 0);
    }
    const CheckpointStats stats = w.checkpointStats();
    EXPECT_GT(stats.by_writer, 0u);
    EXPECT_GT(stats.synced, 0u);
    // 50 frames when the checkpoint thread gave it its turn, and at most one batch of
    // 20 orders after that (copies forced past 2 x wal_max_pages are counted apart).
    EXPECT_LE(stats.largest_tail, 50u + 100u)
        << "by writer " << stats.by_writer << ", forced " << stats.forced;
    EXPECT_LT(stats.forced, stats.by_writer);
    // Past 2 x wal_max_pages the writer copies after the batch that crossed the line,
    // which is in the WAL by then: up to one batch's frames more (a loaded machine,
    // where the checkpoint thread falls behind, once reached 1,339 frames here).
    EXPECT_LE(walBytes(path_), (2 * cfg.wal_max_pages + 200) * (4096 + 24))
        << "by writer " << stats.by_writer << ", forced " << stats.forced;
  }
  EXPECT_EQ(orderCount(acc), static_cast<std::size_t>(kChunks * kChunk));
  expectLedgerMatches(acc);
}

// The checkpoint thread's copies reach the disk checkpoint_writeback_kb at a time as
// they are written (paceWriteback), not all at the database file's next sync; 0 turns
// that off. The orders are all there either way.
TEST_F(OrderWriterTest, TheCheckpointThreadHandsItsWritesToTheDiskAtItsPace) {
  for (const std::size_t kb : {std::size_t{16}, std::size_t{0}}) {
    SCOPED_TRACE("checkpoint_writeback_kb " + std::to_string(kb));
    const std::int64_t acc = account("pace" + std::to_string(kb), 1'000'000'000);
    WriterConfig cfg;
    cfg.checkpoint_pages = 20;
    cfg.wal_max_pages = 100;
    cfg.checkpoint_writeback_kb = kb;
    const WalWriteBufferStats before = walWriteBufferStats();
    {
      SqliteOrderWriter w(path_, cfg);
      for (int i = 0; i < 400; ++i) {
        const std::string ref = "P" + std::to_string(kb) + "-" + std::to_string(i);
        ASSERT_TRUE(place(w, makeOrder(acc, ref, 1 + i % 3, ref, 10)).ok());
      }
      EXPECT_GT(w.checkpointStats().background, 0u);
    }
    const WalWriteBufferStats after = walWriteBufferStats();
    const std::uint64_t rounds = after.writeback_rounds - before.writeback_rounds;
    const std::uint64_t bytes = after.writeback_bytes - before.writeback_bytes;
    if (kb == 0) {
      EXPECT_EQ(rounds, 0u);
    } else {
      EXPECT_GT(rounds, 1u);
      EXPECT_LE(bytes / rounds, kb * 1024 + 4096) << rounds << " rounds, " << bytes << " bytes";
    }
    EXPECT_EQ(orderCount(acc), 400u);
    expectLedgerMatches(acc);
  }
}

TEST_F(OrderWriterTest, CheckpointSettingsAreChecked) {
  WriterConfig cfg;
  cfg.checkpoint_pages = 100;
  cfg.wal_max_pages = 99;
  EXPECT_THROW(SqliteOrderWriter(path_, cfg), std::runtime_error);
  cfg.checkpoint_pages = 0;  // SQLite's own checkpoints: no thread, no hook
  SqliteOrderWriter w(path_, cfg);
  const std::int64_t acc = account("plain", 1000);
  ASSERT_TRUE(place(w, makeOrder(acc, "P1", 1, "t", 10)).ok());
  EXPECT_EQ(w.checkpointStats().background, 0u);
  EXPECT_EQ(w.checkpointStats().by_writer, 0u);
}

// ---------------------------------------------------------------- the write turn

// The store's writes (here the dispatcher's claim, which files route-less orders as
// manual) and the writer's batches take turns in the order they asked: a claim that
// asked after a batch sees its order, one that asked before does not.
TEST_F(OrderWriterTest, ABatchAndAStoreWriteTakeTurnsInTheOrderTheyAsked) {
  const std::int64_t acc = account("turns", 1000);
  const std::shared_ptr<WriteTurn> turn = store_.writeTurn();
  SqliteOrderWriter w(path_);
  constexpr std::int64_t kNow = 2'000'000'000;
  // EXPECT, not ASSERT, while the test holds the turn: returning with it held would
  // leave the writer's shutdown waiting for it forever.

  // The batch asks first.
  turn->lock();
  Collector first;
  w.submit(makeOrder(acc, "T1", 1, "t1", 10), first.callback());
  EXPECT_TRUE(testing::waitForWaiting(*turn, 1));
  auto claim = std::async(std::launch::async, [&] { return store_.claimToSend(kNow, 10); });
  EXPECT_TRUE(testing::waitForWaiting(*turn, 2));
  turn->unlock();
  ASSERT_TRUE(first.wait(1));
  ASSERT_TRUE(first.take().front().ok());
  auto after_batch = claim.get();
  ASSERT_TRUE(after_batch.ok());
  EXPECT_EQ(after_batch->filed_manual, 1);

  // The claim asks first.
  turn->lock();
  claim = std::async(std::launch::async, [&] { return store_.claimToSend(kNow, 10); });
  EXPECT_TRUE(testing::waitForWaiting(*turn, 1));
  Collector second;
  w.submit(makeOrder(acc, "T2", 1, "t2", 10), second.callback());
  EXPECT_TRUE(testing::waitForWaiting(*turn, 2));
  turn->unlock();
  auto before_batch = claim.get();
  ASSERT_TRUE(before_batch.ok());
  EXPECT_EQ(before_batch->filed_manual, 0);
  ASSERT_TRUE(second.wait(1));
  ASSERT_TRUE(second.take().front().ok());
  EXPECT_EQ(store_.claimToSend(kNow, 10)->filed_manual, 1);
}

// The writer's connection and the store's share one page cache (connection.hpp): a
// store commit between two batches leaves the writer nothing to read back from the
// files, where a cache of its own would be dropped and each page the next orders
// touch read again (and the store's, after every batch).
TEST_F(OrderWriterTest, AStoreCommitBetweenBatchesLeavesTheWriterNothingToReadAgain) {
  const std::int64_t acc = account("cache", 1'000'000);
  SqliteOrderWriter w(path_);
  auto placeSome = [&](const std::string& prefix) {
    for (int i = 0; i < 20; ++i) {
      const std::string n = prefix + std::to_string(i);
      auto r = place(w, makeOrder(acc, n, 7, "target-" + n, 10));
      EXPECT_TRUE(r.ok()) << n;
    }
  };
  placeSome("A");
  const std::uint64_t before = walWriteBufferStats().reads;
  ASSERT_TRUE(store_.adjustBalance(acc, Money{1}, "top-up", 2).ok());
  placeSome("B");
  ASSERT_TRUE(store_.adjustBalance(acc, Money{1}, "top-up", 3).ok());
  EXPECT_EQ(walWriteBufferStats().reads - before, 0u);
  expectLedgerMatches(acc);
}

// A store write waits for the turn as long as for SQLite's lock (busy_timeout_ms),
// then fails as it would there; the turn stays usable.
TEST(WriteTurnStoreTest, AStoreWriteThatFindsNoTurnInTimeFailsAndTheTurnGoesOn) {
  TempDir dir;
  SqliteConfig cfg;
  cfg.busy_timeout_ms = 50;
  SqliteStore store(dir.file("warung.db"), cfg);
  store.writeTurn()->lock();
  auto refused = store.createAccount(newAccount("late"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kInternal);
  store.writeTurn()->unlock();
  EXPECT_TRUE(store.createAccount(newAccount("late")).ok());
  EXPECT_EQ(store.writeTurn()->waiting(), 0u);
}

// SQLite copies the WAL into the database after any commit that leaves more than
// 1,000 frames in it, on the committing connection. Once the order writer's thread
// does the checkpoints, the store's commits no longer do: the WAL grows past that
// until the writer's checkpoint thread copies it.
TEST_F(OrderWriterTest, OnceTheWriterCheckpointsTheStoresCommitsDoNot) {
  int batch = 0;
  ASSERT_TRUE(testing::writeBigServices(store_, 12, &batch));
  EXPECT_LT(testing::walFrames(path_), 1800u) << "SQLite's own checkpoints keep the WAL near 1,000 frames";

  store_.leaveCheckpointsToOrderWriter();
  const std::uintmax_t before = testing::walFrames(path_);
  ASSERT_TRUE(testing::writeBigServices(store_, 12, &batch));
  EXPECT_GT(testing::walFrames(path_), before + 2000u) << "the store's commits still checkpoint";
}

// ---------------------------------------------------------------- transitions

TEST_F(OrderWriterTest, TransitionIsCompareAndSet) {
  const auto acc = account("u1", 10000);
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
  ASSERT_TRUE(place(w, makeOrder(a, "RA", 7, "t", 100)).ok());
  ASSERT_TRUE(place(w, makeOrder(b, "RB", 7, "t", 100, domain::Kind::kGame)).ok());

  EXPECT_TRUE(store_.findOrder(a, domain::Kind::kSocialMedia, "RA").ok());
  EXPECT_EQ(store_.findOrder(b, domain::Kind::kSocialMedia, "RA").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.findOrder(a, domain::Kind::kGame, "RA").error().code, Errc::kNotFound);
  EXPECT_TRUE(store_.findOrder(b, domain::Kind::kGame, "RB").ok());
  EXPECT_EQ(store_.findOrder(a, domain::Kind::kGame, "RB").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.findOrderByRef("nope").error().code, Errc::kNotFound);
}

// The status reads go through SQLite's C API (raw_statement.hpp), the other reads
// through SQLiteCpp: both must give back every field as it was placed, NULL
// idempotency key and multi-byte text included.
void expectSameOrder(const domain::Order& got, const domain::Order& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.ref_id, want.ref_id);
  EXPECT_EQ(got.account_id, want.account_id);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.service_id, want.service_id);
  EXPECT_EQ(got.service_code, want.service_code);
  EXPECT_EQ(got.service_name, want.service_name);
  EXPECT_EQ(got.category_key, want.category_key);
  EXPECT_EQ(got.data, want.data);
  EXPECT_EQ(got.target, want.target);
  EXPECT_EQ(got.quantity, want.quantity);
  EXPECT_EQ(got.unit_price.rupiah, want.unit_price.rupiah);
  EXPECT_EQ(got.charge.rupiah, want.charge.rupiah);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.start_count, want.start_count);
  EXPECT_EQ(got.remain, want.remain);
  EXPECT_EQ(got.voucher, want.voucher);
  EXPECT_EQ(got.note, want.note);
  EXPECT_EQ(got.idempotency_key, want.idempotency_key);
  EXPECT_EQ(got.fingerprint, want.fingerprint);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

TEST_F(OrderWriterTest, EveryReadGivesBackEveryFieldAsPlaced) {
  const auto a = account("a", 100000);
  SqliteOrderWriter w(path_);
  domain::Order full = makeOrder(a, "FULL", 9, "Zoë 😀 \"x\"/y", 1234, domain::Kind::kGame);
  full.data = {"Zoë 😀 \"x\"/y", "2001", "zona-3"};
  full.quantity = 1;
  full.unit_price = Money{1200};
  full.start_count = 17;
  full.remain = 5;
  full.voucher = "V-123";
  full.note = "catatan: ok";
  full.idempotency_key = "idem-1";
  full.updated_at = 1700000200;
  auto placed_full = place(w, full);
  ASSERT_TRUE(placed_full.ok());
  auto placed_plain = place(w, makeOrder(a, "PLAIN", 7, "t", 10, domain::Kind::kGame));  // no idempotency key
  ASSERT_TRUE(placed_plain.ok());

  for (const auto* placed : {&placed_full.value(), &placed_plain.value()}) {
    const domain::Order& want = placed->order;
    SCOPED_TRACE(want.ref_id);
    auto scoped = store_.findOrder(a, domain::Kind::kGame, want.ref_id);
    ASSERT_TRUE(scoped.ok());
    expectSameOrder(*scoped, want);
    auto by_ref = store_.findOrderByRef(want.ref_id);
    ASSERT_TRUE(by_ref.ok());
    expectSameOrder(*by_ref, want);
  }
  // Both rows are read into one refilled Order (visitLatestOrders): the second, with
  // every field set, must not keep anything of the first, with several empty.
  auto latest = store_.latestOrders(a, domain::Kind::kGame, 15);
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 2u);
  expectSameOrder((*latest)[0], placed_plain->order);
  expectSameOrder((*latest)[1], placed_full->order);
  OrderFilter f;
  f.account_id = a;
  auto listed = store_.listOrders(f);  // SQLiteCpp's reader
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& o : *listed)
    expectSameOrder(o, o.ref_id == "FULL" ? placed_full->order : placed_plain->order);
}

TEST_F(OrderWriterTest, LatestOrdersNewestFirstWithLimit) {
  const auto a = account("a", 100000);
  const auto b = account("b", 100000);
  SqliteOrderWriter w(path_);
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
  SqliteOrderWriter w(path_);
  expectLatestOrdersUnheld(store_, w, a);
}

TEST_F(OrderWriterTest, LatestOrdersSinceReadsAListOnlyWhenItsVersionMoved) {
  const auto a = account("a", 100000);
  SqliteOrderWriter w(path_);
  expectLatestOrdersSince(store_, w, a, true);
}

TEST_F(OrderWriterTest, StuckOrdersAreThePendingOnesLastChangedBeforeATime) {
  const auto a = account("a", 100000);
  SqliteOrderWriter w(path_);
  expectStuckOrders(store_, store_, w, a);
}

TEST_F(OrderWriterTest, ListOrdersFilters) {
  const auto a = account("a", 100000);
  const auto b = account("b", 100000);
  SqliteOrderWriter w(path_);
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

}  // namespace
}  // namespace warung::store::sqlite
