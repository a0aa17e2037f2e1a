// The duplicate-pending rule kept in the order writer's memory (pending_targets.hpp):
// what the map remembers, what it forgets, what it learns at start, and the lock that
// keeps it the only writer of orders on its file.
#include "store/sqlite/pending_targets.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

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

// Every order remembered under `key`, sorted.
std::vector<std::int64_t> idsUnder(PendingTargets& p, PendingTargets::Key key) {
  std::vector<std::int64_t> ids;
  p.visit(key, [&](std::int64_t id) {
    ids.push_back(id);
    return PendingTargets::Next::kKeep;
  });
  std::sort(ids.begin(), ids.end());
  return ids;
}

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
  EXPECT_EQ(idsUnder(p, 5), (std::vector<std::int64_t>{101}));
  EXPECT_EQ(idsUnder(p, 6), (std::vector<std::int64_t>{100}));
}

// The table against std::unordered_multimap, over a mix of adds, removes and visits
// that forget some orders or stop early: keys crowded into a few home slots (long
// runs, wrapping past the end of the table, so that backward-shift deletion has work),
// any order id (0 and negative ones too), growth past several sizes and shrinking back.
TEST(PendingTargets, BehavesAsAMultimapThroughGrowthCollisionsForgettingAndShrinking) {
  PendingTargets table;
  std::unordered_multimap<PendingTargets::Key, std::int64_t> model;
  std::mt19937_64 rng(20261206);
  // A key's shard is its top bits, its home slot in the shard its low bits: these go
  // to three shards, and share a few homes at any size, next to each other (their
  // runs merge) and at the last slots of a shard of 16, 1,024 and 4,096 (their runs
  // wrap past the end).
  constexpr std::array<std::uint64_t, 8> kLow{0, 1, 2, 3, 15, 700, 1023, 4095};
  constexpr std::array<std::uint64_t, 3> kTop{0, 1ULL << 63, 0xFFC0000000000000ULL};
  auto anyKey = [&] { return kTop[rng() % kTop.size()] | (rng() % 256) << 24 | kLow[rng() % kLow.size()]; };
  auto modelIds = [&](PendingTargets::Key key) {
    std::vector<std::int64_t> ids;
    for (auto [it, end] = model.equal_range(key); it != end; ++it) ids.push_back(it->second);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  std::vector<std::pair<PendingTargets::Key, std::int64_t>> added;
  std::size_t largest = 0;
  for (int step = 0; step < 36000; ++step) {
    const bool emptying = step >= 18000;  // the second half only forgets
    const auto roll = rng() % 10;
    if (!emptying && roll < 6) {
      const auto key = anyKey();
      const auto id = static_cast<std::int64_t>(rng() % 2000) - 1000;
      table.add(key, id);
      model.emplace(key, id);
      added.emplace_back(key, id);
    } else if (roll < 8 && !added.empty()) {
      const auto [key, id] = added[rng() % added.size()];
      table.remove(key, id);
      for (auto [it, end] = model.equal_range(key); it != end; ++it) {
        if (it->second == id) {
          model.erase(it);
          break;
        }
      }
    } else {
      // Forget the odd ids under a key (each a row found final); stop at an id that
      // ends in 7 only when visiting keeps everything.
      const auto key = added.empty() ? anyKey() : added[rng() % added.size()].first;
      const bool forgetting = rng() % 2 == 0;
      std::vector<std::int64_t> shown;
      const bool stopped = table.visit(key, [&](std::int64_t id) {
        shown.push_back(id);
        if (forgetting) return id % 2 != 0 ? PendingTargets::Next::kForget : PendingTargets::Next::kKeep;
        return id % 10 == 7 ? PendingTargets::Next::kStop : PendingTargets::Next::kKeep;
      });
      std::sort(shown.begin(), shown.end());
      const auto before = modelIds(key);
      if (forgetting) {
        ASSERT_FALSE(stopped);
        ASSERT_EQ(shown, before) << "step " << step;
        for (auto it = model.equal_range(key).first; it != model.end() && it->first == key;) {
          it = it->second % 2 != 0 ? model.erase(it) : std::next(it);
        }
      } else {
        const bool has7 = std::any_of(before.begin(), before.end(), [](auto id) { return id % 10 == 7; });
        ASSERT_EQ(stopped, has7) << "step " << step;
        if (!stopped) {
          ASSERT_EQ(shown, before) << "step " << step;
        }
      }
    }
    ASSERT_EQ(table.size(), model.size()) << "step " << step;
    largest = std::max(largest, table.capacity());
    if (step % 6000 == 0) {
      for (const auto& [key, ids] : model) ASSERT_EQ(idsUnder(table, key), modelIds(key)) << "step " << step;
    }
  }
  for (const auto& [key, id] : added) ASSERT_EQ(idsUnder(table, key), modelIds(key));
  EXPECT_GE(largest, 8192u);                           // its shards grew several times (from 16 slots)
  EXPECT_LT(table.capacity(), largest);                // and gave memory back
  EXPECT_GE(table.capacity() * 7, table.size() * 10);  // never past 70 % full
  table.clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_TRUE(idsUnder(table, 1).empty());
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
