// Each account's orders of each kind are a chain on SQLite (migration 10): every order
// names its account's previous order of the kind, the account its newest. Whatever
// reaches an account's orders through the chain (the status list, listOrders of one
// account, the ledger) must read exactly what the orders table holds for it, newest
// first: after batches with refusals, on a database migrated from before the chain,
// and never another account's orders or a loop when the chain is broken.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"
#include "support/order_batch.hpp"

namespace warung::store::sqlite {
namespace {

using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::TempDir;
using Ids = std::vector<std::int64_t>;

// The account's order ids as the table holds them, newest first, read without the
// store (and without the chain); `kind` empty: both kinds.
Ids tableIds(const std::string& path, std::int64_t account_id, std::string_view kind = "") {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(
      db, "SELECT id FROM orders WHERE account_id = ?1 AND (?2 = '' OR kind = ?2) ORDER BY id DESC");
  q.bind(1, account_id);
  q.bind(2, std::string(kind));
  Ids out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

Ids ids(const Result<std::vector<domain::Order>>& orders) {
  EXPECT_TRUE(orders.ok()) << (orders.ok() ? "" : orders.error().detail);
  Ids out;
  if (orders.ok()) {
    for (const auto& o : *orders) out.push_back(o.id);
  }
  return out;
}

Ids firstN(const Ids& all, std::size_t n) { return Ids(all.begin(), all.begin() + std::min(n, all.size())); }

// Every way the store reads an account's orders through its chains agrees with the table.
void expectChainsMatchTheTable(SqliteStore& store, const std::string& path, std::int64_t account_id) {
  SCOPED_TRACE("account " + std::to_string(account_id));
  for (const domain::Kind kind : {domain::Kind::kSocialMedia, domain::Kind::kGame}) {
    const Ids all = tableIds(path, account_id, domain::toString(kind));
    for (const int limit : {1, 2, 15, 1000}) {
      EXPECT_EQ(ids(store.latestOrders(account_id, kind, limit)),
                firstN(all, static_cast<std::size_t>(limit)));
    }
    OrderFilter f;
    f.account_id = account_id;
    f.kind = kind;
    f.limit = 1000;
    EXPECT_EQ(ids(store.listOrders(f)), all);
  }
  OrderFilter f;
  f.account_id = account_id;
  f.limit = 1000;
  EXPECT_EQ(ids(store.listOrders(f)), tableIds(path, account_id)) << "both kinds, merged newest first";
}

class OrderChain : public ::testing::Test {
 protected:
  OrderChain() : path_(dir_.file("warung.db")), store_(path_) {}

  std::int64_t account(const std::string& user, std::int64_t balance) {
    auto a = store_.createAccount(newAccount(user));
    EXPECT_TRUE(a.ok());
    if (balance > 0) EXPECT_TRUE(store_.adjustBalance(a->id, Money{balance}, "seed", 1).ok());
    return a->id;
  }

  TempDir dir_;
  std::string path_;
  SqliteStore store_;
};

TEST_F(OrderChain, RefusedOrdersStayOutOfTheChainsAndBatchesKeepThemWhole) {
  const std::int64_t rich = account("rich", 1'000'000);
  const std::int64_t poor = account("poor", 0);
  const std::int64_t suspended = account("suspended", 1'000'000);
  ASSERT_TRUE(store_.setAccountStatus(suspended, domain::AccountStatus::kSuspended).ok());
  {
    SqliteOrderWriter w(path_);
    for (int i = 0; i < 12; ++i) {
      const auto kind = i % 3 == 0 ? domain::Kind::kGame : domain::Kind::kSocialMedia;
      ASSERT_TRUE(place(w, makeOrder(rich, "R" + std::to_string(i), 10 + i, "t", 10, kind)).ok());
    }
    // One batch with every kind of refusal between orders of the same account and kind
    // (several in one transaction: each must see the one before as the newest).
    warung::testing::placeMixedBatch(w, rich, poor, suspended);
  }
  EXPECT_EQ(tableIds(path_, poor), Ids{});
  EXPECT_EQ(tableIds(path_, suspended), Ids{});
  EXPECT_EQ(tableIds(path_, rich).size(), 12u + 4u);  // HOLD, A, E, F; G replayed F
  expectChainsMatchTheTable(store_, path_, rich);
  expectChainsMatchTheTable(store_, path_, poor);
}

TEST_F(OrderChain, ListOrdersOfOneAccountFiltersPagesAndNeverReadsAnother) {
  const std::int64_t a = account("a", 1'000'000);
  const std::int64_t b = account("b", 1'000'000);
  {
    SqliteOrderWriter w(path_);
    for (int i = 0; i < 20; ++i) {
      const std::int64_t acc = i % 2 == 0 ? a : b;
      const auto kind = i % 4 < 2 ? domain::Kind::kSocialMedia : domain::Kind::kGame;
      auto o = makeOrder(acc, "L" + std::to_string(i), 7 + i % 3,
                         i % 5 == 0 ? "five" : "t" + std::to_string(i), 10, kind);
      o.created_at = 1000 + i;
      ASSERT_TRUE(place(w, o).ok());
    }
  }
  auto refsOf = [&](const OrderFilter& f) {
    std::vector<std::string> out;
    auto orders = store_.listOrders(f);
    EXPECT_TRUE(orders.ok());
    for (const auto& o : orders.value()) {
      EXPECT_EQ(o.account_id, *f.account_id);
      out.push_back(o.ref_id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  OrderFilter f;
  f.account_id = a;  // a has L0, L2, ..., L18: social media L0 L4 L8 L12 L16, game L2 L6 L10 L14 L18
  EXPECT_EQ(refsOf(f), (V{"L18", "L16", "L14", "L12", "L10", "L8", "L6", "L4", "L2", "L0"}));
  f.limit = 3;
  f.offset = 2;
  EXPECT_EQ(refsOf(f), (V{"L14", "L12", "L10"}));
  f.offset = 9;
  EXPECT_EQ(refsOf(f), (V{"L0"}));
  f.offset = 10;
  EXPECT_EQ(refsOf(f), V{});
  f = {};
  f.account_id = a;
  f.target = "five";  // L0, L10
  EXPECT_EQ(refsOf(f), (V{"L10", "L0"}));
  f.kind = domain::Kind::kSocialMedia;
  EXPECT_EQ(refsOf(f), (V{"L0"}));
  f = {};
  f.account_id = a;
  f.service_code = "S7";  // i % 3 == 0: L0 L6 L12 L18
  f.created_from = 1001;
  f.created_to = 1018;  // exclusive
  EXPECT_EQ(refsOf(f), (V{"L12", "L6"}));
  f = {};
  f.account_id = a;
  f.status = domain::OrderStatus::kSuccess;
  EXPECT_EQ(refsOf(f), V{});
  // Open orders of one account are read by the status index, not the chain: the same
  // answers, paged the same way.
  {
    auto l18 = store_.findOrder(a, domain::Kind::kGame, "L18");
    ASSERT_TRUE(l18.ok());
    domain::Transition t;
    t.order_id = l18->id;
    t.account_id = a;
    t.ref_id = "L18";
    t.from = domain::OrderStatus::kWaiting;
    t.to = domain::OrderStatus::kProcessing;
    t.at = 2000;
    ASSERT_TRUE(store_.applyTransition(t).ok());
  }
  f.status = domain::OrderStatus::kProcessing;
  EXPECT_EQ(refsOf(f), (V{"L18"}));
  f.status = domain::OrderStatus::kWaiting;
  EXPECT_EQ(refsOf(f), (V{"L16", "L14", "L12", "L10", "L8", "L6", "L4", "L2", "L0"}));
  f.kind = domain::Kind::kGame;
  f.limit = 2;
  f.offset = 1;
  EXPECT_EQ(refsOf(f), (V{"L10", "L6"}));
  f.offset = 3;
  EXPECT_EQ(refsOf(f), (V{"L2"}));
  f.offset = 4;
  EXPECT_EQ(refsOf(f), V{});
  f = {};
  f.account_id = a;
  f.target = "' OR 1=1 --";  // bound, never spliced into the SQL
  EXPECT_EQ(refsOf(f), V{});
  f = {};
  f.account_id = 999;  // no such account
  EXPECT_EQ(refsOf(f), V{});
}

TEST_F(OrderChain, ABrokenChainIsAnErrorNotAnotherAccountsOrdersOrALoop) {
  const std::int64_t a = account("a", 1'000'000);
  const std::int64_t b = account("b", 1'000'000);
  Ids placed;
  {
    SqliteOrderWriter w(path_);
    for (int i = 0; i < 4; ++i) {
      auto p = place(w, makeOrder(i < 2 ? a : b, "B" + std::to_string(i), 7, "t" + std::to_string(i), 10));
      ASSERT_TRUE(p.ok());
      placed.push_back(p->order.id);
    }
  }
  auto latestOfA = [&] { return store_.latestOrders(a, domain::Kind::kSocialMedia, 15); };
  auto setPrev = [&](std::int64_t id, std::int64_t prev) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("UPDATE orders SET prev_id = " + std::to_string(prev) + " WHERE id = " + std::to_string(id));
  };
  ASSERT_EQ(ids(latestOfA()), (Ids{placed[1], placed[0]}));
  setPrev(placed[1], placed[3]);  // a's newest order now names b's as the one before it
  auto r = latestOfA();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInternal);
  setPrev(placed[1], placed[1]);  // a loop: a's newest names itself
  OrderFilter f;
  f.account_id = a;
  EXPECT_FALSE(store_.listOrders(f).ok());
  EXPECT_FALSE(store_.latestOrders(a, domain::Kind::kSocialMedia, 15).ok());
  // The ledger's chains (SQL) end where the chain breaks: no loop, no other account.
  auto ledger = store_.ledger(a, 100);
  ASSERT_TRUE(ledger.ok());
  for (const auto& e : *ledger) EXPECT_EQ(e.account_id, a);
  EXPECT_TRUE(store_.ledgerSum(a).ok());
  setPrev(placed[1], placed[3]);
  ledger = store_.ledger(a, 100);
  ASSERT_TRUE(ledger.ok());
  for (const auto& e : *ledger) EXPECT_EQ(e.account_id, a) << "order " << e.order_id;
  EXPECT_TRUE(store_.latestOrders(b, domain::Kind::kSocialMedia, 15).ok()) << "other accounts are unaffected";
}

// A file as a build before the chain left it (migrations 1-9), with orders of two
// accounts and both kinds interleaved; opening it backfills the chains from the index
// it then drops, and the order writer goes on from them.
TEST(OrderChainMigration, ADatabaseFromBeforeTheChainIsBackfilledAndGoesOn) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    for (const Migration& m : migrations()) {
      if (m.version >= 10) break;
      db.exec(m.sql);
      db.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", 0)");
    }
    db.exec(
        "INSERT INTO accounts (id, user_id, name, level, status, balance, key_hash, created_at)"
        " VALUES (1, 'u1', 'U1', 'standar', 'active', 100000, 'h1', 0),"
        " (2, 'u2', 'U2', 'standar', 'active', 100000, 'h2', 0), (3, 'u3', 'U3', 'standar', 'active', 0, "
        "'h3', 0)");
    SQLite::Statement ins(
        db,
        "INSERT INTO orders (ref_id, account_id, kind, service_id, service_code, service_name,"
        " category_key, data1, data2, data3, target, quantity, unit_price, charge, status,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, 1, 'S1', 'One', 'c', 't', '', '', ?1,"
        " 1, 10, 10, 'success', 0, 0)");
    for (int i = 0; i < 30; ++i) {
      ins.reset();
      ins.bind(1, "M" + std::to_string(i));
      ins.bind(2, i % 3 == 0 ? 2 : 1);
      ins.bind(3, i % 4 == 0 ? "game" : "social-media");
      ins.exec();
    }
  }
  {
    SqliteStore store(path);
    {
      SQLite::Database db(path, SQLite::OPEN_READONLY);
      EXPECT_EQ(
          db.execAndGet("SELECT COUNT(*) FROM sqlite_master WHERE name = 'orders_account_kind_id_status'")
              .getInt(),
          0);
    }
    for (const std::int64_t acc : {1, 2, 3}) expectChainsMatchTheTable(store, path, acc);
    {
      SqliteOrderWriter w(path);
      ASSERT_TRUE(place(w, makeOrder(1, "NEW", 7, "new", 10, domain::Kind::kGame)).ok());
    }
    auto latest = store.latestOrders(1, domain::Kind::kGame, 15);
    ASSERT_TRUE(latest.ok());
    ASSERT_FALSE(latest->empty());
    EXPECT_EQ(latest->front().ref_id, "NEW");
    for (const std::int64_t acc : {1, 2, 3}) expectChainsMatchTheTable(store, path, acc);
  }
}

}  // namespace
}  // namespace warung::store::sqlite
