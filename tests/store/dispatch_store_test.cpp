// SqliteStore as the DispatchStore: migration 2, providers and routes, dispatch
// claims, the order's story and the webhook outbox, and what applyTransition writes
// beside the order.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using domain::DeliveryStatus;
using domain::DispatchPhase;
using domain::OrderStatus;
using testing::Collector;
using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::TempDir;

constexpr std::int64_t kNow = 1700001000;

std::vector<std::int64_t> orderIds(const std::vector<DispatchItem>& items) {
  std::vector<std::int64_t> ids;
  for (const auto& i : items) ids.push_back(i.order.id);
  return ids;
}

class DispatchStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("warung.db");
  SqliteStore store_{path_};
  DispatchStore& ds_ = store_;

  std::int64_t account(const std::string& user_id, std::int64_t balance = 1000000) {
    auto a = store_.createAccount(newAccount(user_id));
    EXPECT_TRUE(a.ok());
    EXPECT_TRUE(store_.adjustBalance(a->id, Money{balance}, "seed", 1).ok());
    return a->id;
  }
  // A service with a route: orders of a service without one never reach a sender
  // (claimToSend files them as manual), so the claim tests order this one.
  std::int64_t routedService() {
    if (routed_service_ != 0) return routed_service_;
    domain::Service svc;
    svc.kind = domain::Kind::kSocialMedia;
    svc.code = "ROUTED";
    svc.name = "Routed";
    svc.prices = {Money{10}, Money{9}, Money{8}};
    EXPECT_TRUE(store_.upsertServices({svc}).ok());
    for (const auto& v : store_.loadServices().value()) {
      if (v.code == "ROUTED") routed_service_ = v.id;
    }
    domain::Provider p;
    p.name = "zz-routing";
    p.dialect = "manual";
    p.created_at = 1;
    auto created = ds_.createProvider(p);
    EXPECT_TRUE(created.ok());
    EXPECT_TRUE(
        ds_.setRoutes(routed_service_, {domain::Route{routed_service_, created->id, 0, "r", Money{1}}}).ok());
    return routed_service_;
  }
  std::int64_t routed_service_ = 0;

  // Places `n` waiting orders (refs R0..), oldest first.
  std::vector<domain::Order> placeOrders(std::int64_t acc, int n, const std::string& prefix = "R") {
    SqliteOrderWriter w(path_);
    Collector c;
    for (int i = 0; i < n; ++i) {
      w.submit(
          makeOrder(acc, prefix + std::to_string(i), routedService(), prefix + "t" + std::to_string(i), 100),
          c.callback());
    }
    EXPECT_TRUE(c.wait(static_cast<std::size_t>(n)));
    std::vector<domain::Order> out;
    for (auto& r : c.take()) {
      EXPECT_TRUE(r.ok()) << r.error().detail;
      if (r.ok()) out.push_back(r->order);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
  }
  domain::Transition transition(const domain::Order& o, OrderStatus from, OrderStatus to,
                                Money refund = Money{0}) {
    domain::Transition t;
    t.order_id = o.id;
    t.account_id = o.account_id;
    t.ref_id = o.ref_id;
    t.from = from;
    t.to = to;
    t.remain = o.remain;
    t.refund = refund;
    t.at = kNow + 50;
    t.actor = "operator";
    return t;
  }
  std::int64_t service(const std::string& code) {
    domain::Service s;
    s.kind = domain::Kind::kSocialMedia;
    s.code = code;
    s.name = "Followers " + code;
    s.prices = {Money{10}, Money{9}, Money{8}};
    EXPECT_TRUE(store_.upsertServices({s}).ok());
    for (const auto& v : store_.loadServices().value()) {
      if (v.code == code) return v.id;
    }
    ADD_FAILURE() << "no service " << code;
    return 0;
  }
  std::int64_t provider(const std::string& name) {
    domain::Provider p;
    p.name = name;
    p.dialect = "smm-v2";
    p.created_at = kNow;
    auto r = ds_.createProvider(p);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->id : 0;
  }
  std::int64_t count(const std::string& table) {
    SQLite::Database db(path_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
  }
  std::vector<domain::WebhookDelivery> deliveries(std::optional<std::int64_t> order_id = std::nullopt) {
    DeliveryFilter f;
    f.order_id = order_id;
    auto r = ds_.listDeliveries(f);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : std::vector<domain::WebhookDelivery>{};
  }
};

// ---------------------------------------------------------------- migration 2

std::set<std::string> tables(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')");
  std::set<std::string> out;
  while (q.executeStep()) out.insert(q.getColumn(0).getString());
  return out;
}

TEST(Migration2, FreshDatabaseHasTheFulfilmentSchema) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  { SqliteStore s(path); }
  const auto names = tables(path);
  for (const char* t :
       {"providers", "routes", "dispatch", "order_events", "webhook_deliveries", "dispatch_phase_next_at",
        "order_events_order_id", "webhook_deliveries_status_next_at", "webhook_deliveries_order_id"}) {
    EXPECT_TRUE(names.contains(t)) << t;
  }
  EXPECT_GE(latestSchemaVersion(), 2);
}

// A file as a build that knew only migration 1 left it, with an account and a waiting
// order in it.
void makeVersion1Database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(migrations()[0].sql);
  db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  db.exec("INSERT INTO schema_migrations VALUES (1, 0)");
  db.exec(
      "INSERT INTO accounts (id, user_id, name, level, status, balance, key_hash, created_at)"
      " VALUES (1, 'old', 'Old', 'standar', 'active', 900, 'hash-old', 5)");
  db.exec(
      "INSERT INTO orders (id, ref_id, account_id, kind, service_id, service_code, service_name,"
      " category_key, data1, data2, data3, target, quantity, unit_price, charge, status,"
      " created_at, updated_at) VALUES (1, 'OLD1', 1, 'social-media', 7, 'S7', 'S', 'default',"
      " 't', '', '', 't', 1000, 100, 100, 'waiting', 6, 6)");
}

TEST(Migration2, UpgradesADatabaseThatHadOnlyMigration1) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  makeVersion1Database(path);
  std::int64_t accounts_version = 0;
  {
    SqliteStore s(path);
    auto a = s.findAccountByUserId("old");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->balance, Money{900});
    EXPECT_EQ(a->callback_url, "");
    EXPECT_EQ(a->webhook_secret, "");
    accounts_version = s.versions()->accounts;

    // The order placed before the upgrade enters fulfilment like any other: its
    // service has no route, so it is filed as manual, for the operator.
    auto claimed = s.claimToSend(kNow, 10);
    ASSERT_TRUE(claimed.ok());
    EXPECT_TRUE(claimed->items.empty());
    auto old = s.findOrderByRef("OLD1");
    ASSERT_TRUE(old.ok());
    auto d = s.findDispatch(old->id);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->phase, domain::DispatchPhase::kManual);

    // The recreated trigger: callback settings bump the accounts version.
    ASSERT_TRUE(s.setCallback(a->id, "https://r.example/cb", "s3cret").ok());
    EXPECT_GT(s.versions()->accounts, accounts_version);
  }
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  std::string all_versions;
  for (const auto& m : migrations())
    all_versions += (all_versions.empty() ? "" : ",") + std::to_string(m.version);
  EXPECT_EQ(db.execAndGet("SELECT group_concat(version) FROM schema_migrations").getString(), all_versions);
  { SqliteStore again(path); }  // reopening applies nothing
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(),
            static_cast<int>(migrations().size()));
}

// ---------------------------------------------------------------- accounts

TEST_F(DispatchStoreTest, CallbackIsReadWithEveryAccountAndBumpsVersion) {
  const auto acc = account("u1");
  const auto before = store_.versions()->accounts;
  ASSERT_TRUE(ds_.setCallback(acc, "https://r.example/cb", "s3cret").ok());
  EXPECT_GT(store_.versions()->accounts, before);

  auto by_user = store_.findAccountByUserId("u1");
  ASSERT_TRUE(by_user.ok());
  EXPECT_EQ(by_user->callback_url, "https://r.example/cb");
  EXPECT_EQ(by_user->webhook_secret, "s3cret");
  auto by_key = store_.findAccountByKeyHash("hash-u1");
  ASSERT_TRUE(by_key.ok());
  EXPECT_EQ(by_key->callback_url, "https://r.example/cb");
  EXPECT_EQ(by_key->webhook_secret, "s3cret");
  auto all = store_.listAccounts();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->front().callback_url, "https://r.example/cb");
  EXPECT_EQ(all->front().webhook_secret, "s3cret");

  // An empty url clears both.
  ASSERT_TRUE(ds_.setCallback(acc, "", "ignored").ok());
  EXPECT_EQ(store_.findAccountByUserId("u1")->callback_url, "");
  EXPECT_EQ(store_.findAccountByUserId("u1")->webhook_secret, "");

  EXPECT_EQ(ds_.setCallback(9999, "https://x", "y").error().code, Errc::kNotFound);
}

// ---------------------------------------------------------------- providers and routes

TEST_F(DispatchStoreTest, ProviderCrud) {
  domain::Provider p;
  p.name = "medanpedia";
  p.dialect = "smm-v2";
  p.base_url = "https://panel.example/api/v2";
  p.api_key = "k";
  p.secret = "s";
  p.timeout_ms = 7000;
  p.enabled = false;
  p.created_at = kNow;
  auto created = ds_.createProvider(p);
  ASSERT_TRUE(created.ok()) << created.error().detail;
  EXPECT_GT(created->id, 0);

  auto found = ds_.findProvider("medanpedia");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, created->id);
  EXPECT_EQ(found->dialect, "smm-v2");
  EXPECT_EQ(found->base_url, "https://panel.example/api/v2");
  EXPECT_EQ(found->api_key, "k");
  EXPECT_EQ(found->secret, "s");
  EXPECT_EQ(found->timeout_ms, 7000);
  EXPECT_FALSE(found->enabled);
  EXPECT_EQ(found->created_at, kNow);
  EXPECT_EQ(ds_.findProviderById(created->id)->name, "medanpedia");
  EXPECT_EQ(ds_.findProvider("nope").error().code, Errc::kNotFound);
  EXPECT_EQ(ds_.findProviderById(999).error().code, Errc::kNotFound);

  EXPECT_EQ(ds_.createProvider(p).error().code, Errc::kConflict);
  p.name = "";
  EXPECT_EQ(ds_.createProvider(p).error().code, Errc::kInvalidArgument);

  const auto sim = provider("sim");
  auto list = ds_.listProviders();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "medanpedia");
  EXPECT_EQ((*list)[1].name, "sim");

  domain::Provider changed = *found;
  changed.base_url = "https://other.example";
  changed.enabled = true;
  changed.created_at = 1;  // not updated
  ASSERT_TRUE(ds_.updateProvider(changed).ok());
  auto reread = ds_.findProviderById(found->id);
  EXPECT_EQ(reread->base_url, "https://other.example");
  EXPECT_TRUE(reread->enabled);
  EXPECT_EQ(reread->created_at, kNow);

  changed.name = "sim";
  EXPECT_EQ(ds_.updateProvider(changed).error().code, Errc::kConflict);
  changed.id = 999;
  changed.name = "ghost";
  EXPECT_EQ(ds_.updateProvider(changed).error().code, Errc::kNotFound);
  EXPECT_EQ(ds_.findProviderById(sim)->name, "sim");
}

TEST_F(DispatchStoreTest, RoutesAreReplacedAndOrderedByPriorityThenProvider) {
  const auto svc = service("IGF");
  const auto a = provider("a");
  const auto b = provider("b");
  const auto c = provider("c");
  ASSERT_TRUE(
      ds_.setRoutes(svc,
                    {{0, c, 2, "c-1", Money{50}}, {svc, b, 1, "b-1", Money{60}}, {0, a, 2, "a-1", Money{40}}})
          .ok());
  auto r = ds_.routes(svc);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].provider_id, b);
  EXPECT_EQ((*r)[1].provider_id, a);
  EXPECT_EQ((*r)[2].provider_id, c);
  EXPECT_EQ((*r)[1].service_id, svc);
  EXPECT_EQ((*r)[1].priority, 2);
  EXPECT_EQ((*r)[1].provider_service, "a-1");
  EXPECT_EQ((*r)[1].cost, Money{40});

  ASSERT_TRUE(ds_.setRoutes(svc, {{0, a, 0, "a-2", Money{45}}}).ok());
  ASSERT_EQ(ds_.routes(svc)->size(), 1u);
  EXPECT_EQ(ds_.routes(svc)->front().provider_service, "a-2");

  // Refusals change nothing.
  EXPECT_EQ(ds_.setRoutes(svc, {{0, b, 0, "b", Money{1}}, {0, 999, 1, "x", Money{1}}}).error().code,
            Errc::kNotFound);
  EXPECT_EQ(ds_.setRoutes(svc, {{0, b, 0, "b", Money{1}}, {0, b, 1, "b", Money{1}}}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(ds_.setRoutes(svc, {{0, b, 0, "b", Money{-1}}}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ds_.setRoutes(svc, {{svc + 1, b, 0, "b", Money{1}}}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ds_.setRoutes(9999, {{0, b, 0, "b", Money{1}}}).error().code, Errc::kNotFound);
  ASSERT_EQ(ds_.routes(svc)->size(), 1u);
  EXPECT_EQ(ds_.routes(svc)->front().provider_id, a);

  ASSERT_TRUE(ds_.setRoutes(svc, {}).ok());
  EXPECT_TRUE(ds_.routes(svc)->empty());
  EXPECT_TRUE(ds_.routes(9999)->empty());
}

// ---------------------------------------------------------------- claimToSend

// Orders filed as manual stay waiting (as do orders still at a provider). The claim
// walks only the orders after those it already looked at, and still finds every new one.
TEST_F(DispatchStoreTest, ClaimFindsNewOrdersBehindManyWaitingOnes) {
  const auto acc = account("u1");
  {
    SqliteOrderWriter w(path_);
    Collector c;
    for (int i = 0; i < 30; ++i) {  // service 7 has no route
      w.submit(makeOrder(acc, "M" + std::to_string(i), 7, "m" + std::to_string(i), 100), c.callback());
    }
    ASSERT_TRUE(c.wait(30));
  }
  // One claim files them all (its share is 10 x kManualPerClaimed) and says how many.
  {
    auto filing = ds_.claimToSend(kNow, 10);
    ASSERT_TRUE(filing.ok());
    EXPECT_TRUE(filing->items.empty());
    EXPECT_EQ(filing->filed_manual, 30);
  }
  for (int round = 0; round < 3; ++round) {
    auto again = ds_.claimToSend(kNow, 10);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->items.empty());
    EXPECT_EQ(again->filed_manual, 0);
  }
  for (int i = 0; i < 30; i += 29) {
    EXPECT_EQ(ds_.findDispatch(store_.findOrderByRef("M" + std::to_string(i))->id)->phase,
              DispatchPhase::kManual);
  }

  const auto fresh = placeOrders(acc, 2, "N");
  auto claimed = ds_.claimToSend(kNow, 10);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(orderIds(claimed->items), (std::vector<std::int64_t>{fresh[0].id, fresh[1].id}));
  EXPECT_TRUE(ds_.claimToSend(kNow, 10)->items.empty());

  // A limit smaller than what is new: the rest comes with the next claim.
  const auto more = placeOrders(acc, 3, "P");
  EXPECT_EQ(orderIds(ds_.claimToSend(kNow, 2)->items), (std::vector<std::int64_t>{more[0].id, more[1].id}));
  EXPECT_EQ(orderIds(ds_.claimToSend(kNow, 2)->items), (std::vector<std::int64_t>{more[2].id}));
}

// A claim files at most limit x kManualPerClaimed route-less orders; the next one goes
// on from there, past the rest of them, to the order it can send.
TEST_F(DispatchStoreTest, AClaimFilesItsShareOfManualOrdersAndTheNextGoesOn) {
  const auto acc = account("u1");
  const int left = kManualPerClaimed / 2;  // for the second claim
  const int manual = kManualPerClaimed + left;
  {
    SqliteOrderWriter w(path_);
    Collector c;
    for (int i = 0; i < manual; ++i) {  // service 7 has no route
      w.submit(makeOrder(acc, "M" + std::to_string(i), 7, "m" + std::to_string(i), 10), c.callback());
    }
    ASSERT_TRUE(c.wait(static_cast<std::size_t>(manual)));
  }
  const auto routed = placeOrders(acc, 1, "N");
  auto first = ds_.claimToSend(kNow, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->items.empty());
  EXPECT_EQ(first->filed_manual, kManualPerClaimed);
  auto second = ds_.claimToSend(kNow, 1);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->filed_manual, left);
  EXPECT_EQ(orderIds(second->items), (std::vector<std::int64_t>{routed[0].id}));
  EXPECT_EQ(ds_.findDispatch(store_.findOrderByRef("M" + std::to_string(manual - 1))->id)->phase,
            DispatchPhase::kManual);
}

TEST_F(DispatchStoreTest, ClaimToSendTakesWaitingOrdersOldestFirstOnce) {
  const auto acc = account("u1");
  const auto orders = placeOrders(acc, 5);
  // An order already moved on by the operator is not sent.
  ASSERT_TRUE(
      store_.applyTransition(transition(orders[1], OrderStatus::kWaiting, OrderStatus::kProcessing)).ok());

  auto first = ds_.claimToSend(kNow, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(orderIds(first->items), (std::vector<std::int64_t>{orders[0].id, orders[2].id}));
  const auto& d = first->items.front().dispatch;
  EXPECT_EQ(d.order_id, orders[0].id);
  EXPECT_EQ(d.phase, DispatchPhase::kSending);
  EXPECT_EQ(d.route_index, 0);
  EXPECT_EQ(d.provider_id, 0);
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(d.next_at, kNow);
  EXPECT_EQ(d.updated_at, kNow);
  EXPECT_EQ(first->items.front().order.ref_id, orders[0].ref_id);
  EXPECT_EQ(first->items.front().order.status, OrderStatus::kWaiting);

  auto second = ds_.claimToSend(kNow, 10);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(orderIds(second->items), (std::vector<std::int64_t>{orders[3].id, orders[4].id}));
  EXPECT_TRUE(ds_.claimToSend(kNow, 10)->items.empty());
  EXPECT_TRUE(ds_.claimToSend(kNow, 0)->items.empty());
  EXPECT_EQ(ds_.findDispatch(orders[1].id).error().code, Errc::kNotFound);
  EXPECT_EQ(ds_.findDispatch(orders[0].id)->phase, DispatchPhase::kSending);
}

TEST_F(DispatchStoreTest, ConcurrentClaimersNeverShareAnOrder) {
  const auto acc = account("u1", 10000000);
  const auto orders = placeOrders(acc, 500);
  ASSERT_EQ(orders.size(), 500u);
  // Two stores on one file, as two processes would be: only the database's write lock
  // keeps them apart.
  SqliteStore other(path_);
  std::vector<std::int64_t> got_a, got_b;
  auto claimer = [](SqliteStore& s, std::vector<std::int64_t>& got) {
    for (int empty_rounds = 0; empty_rounds < 3;) {
      auto r = s.claimToSend(kNow, 7);
      ASSERT_TRUE(r.ok()) << r.error().detail;
      if (r->items.empty()) {
        ++empty_rounds;
        continue;
      }
      for (const auto& i : r->items) got.push_back(i.order.id);
    }
  };
  std::thread ta([&] { claimer(store_, got_a); });
  std::thread tb([&] { claimer(other, got_b); });
  ta.join();
  tb.join();

  std::set<std::int64_t> a(got_a.begin(), got_a.end()), b(got_b.begin(), got_b.end());
  EXPECT_EQ(a.size(), got_a.size());  // no order twice to the same caller either
  EXPECT_EQ(b.size(), got_b.size());
  std::vector<std::int64_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  EXPECT_TRUE(both.empty()) << both.size() << " orders went to both";
  std::set<std::int64_t> all = a;
  all.insert(b.begin(), b.end());
  std::set<std::int64_t> want;
  for (const auto& o : orders) want.insert(o.id);
  EXPECT_EQ(all, want);
  EXPECT_EQ(count("dispatch"), 500);
}

TEST_F(DispatchStoreTest, QueuedRowsAreClaimedOnlyWhenDueAndBeforeNewOrders) {
  const auto acc = account("u1");
  const auto orders = placeOrders(acc, 3);
  ASSERT_EQ(ds_.claimToSend(kNow, 2)->items.size(), 2u);  // orders 0 and 1

  // Order 0 goes back to the queue for later, order 1 is due again now.
  auto d0 = ds_.findDispatch(orders[0].id).value();
  d0.phase = DispatchPhase::kQueued;
  d0.route_index = 1;
  d0.next_at = kNow + 100;
  d0.updated_at = kNow + 1;
  ASSERT_TRUE(ds_.saveDispatch(d0, DispatchPhase::kSending).ok());
  auto d1 = ds_.findDispatch(orders[1].id).value();
  d1.phase = DispatchPhase::kQueued;
  d1.next_at = kNow + 5;
  ASSERT_TRUE(ds_.saveDispatch(d1, DispatchPhase::kSending).ok());

  // At kNow + 10 only order 1 is due; with room for one, the due retry wins over new order 2.
  auto r = ds_.claimToSend(kNow + 10, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(orderIds(r->items), (std::vector<std::int64_t>{orders[1].id}));
  EXPECT_EQ(r->items.front().dispatch.phase, DispatchPhase::kSending);
  EXPECT_EQ(r->items.front().dispatch.updated_at, kNow + 10);

  r = ds_.claimToSend(kNow + 10, 10);
  EXPECT_EQ(orderIds(r->items), (std::vector<std::int64_t>{orders[2].id}));
  EXPECT_TRUE(ds_.claimToSend(kNow + 99, 10)->items.empty());

  r = ds_.claimToSend(kNow + 100, 10);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items.front().order.id, orders[0].id);
  EXPECT_EQ(r->items.front().dispatch.route_index, 1);  // the rest of the row is kept
}

// ---------------------------------------------------------------- claimDue and saveDispatch

// Moves an order's dispatch row to `phase` with `next_at`.
void moveTo(DispatchStore& ds, std::int64_t order_id, DispatchPhase from, DispatchPhase phase,
            std::int64_t next_at) {
  auto d = ds.findDispatch(order_id).value();
  d.phase = phase;
  d.next_at = next_at;
  d.provider_order_id = "P-" + std::to_string(order_id);
  ASSERT_TRUE(ds.saveDispatch(d, from).ok());
}

TEST_F(DispatchStoreTest, ClaimDueLeasesRowsUntilTheLeaseIsOver) {
  const auto acc = account("u1");
  const auto orders = placeOrders(acc, 3);
  ASSERT_EQ(ds_.claimToSend(kNow, 3)->items.size(), 3u);
  moveTo(ds_, orders[0].id, DispatchPhase::kSending, DispatchPhase::kSent, kNow + 30);
  moveTo(ds_, orders[1].id, DispatchPhase::kSending, DispatchPhase::kSent, kNow + 20);
  moveTo(ds_, orders[2].id, DispatchPhase::kSending, DispatchPhase::kUnknown, kNow + 10);

  EXPECT_TRUE(ds_.claimDue(DispatchPhase::kSent, kNow + 19, 60, 10)->empty());
  auto r = ds_.claimDue(DispatchPhase::kSent, kNow + 40, 60, 1);  // soonest next_at first
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().order.id, orders[1].id);
  EXPECT_EQ(r->front().dispatch.next_at, kNow + 100);
  EXPECT_EQ(r->front().dispatch.provider_order_id, "P-" + std::to_string(orders[1].id));

  r = ds_.claimDue(DispatchPhase::kSent, kNow + 40, 60, 10);
  EXPECT_EQ(orderIds(*r), (std::vector<std::int64_t>{orders[0].id}));
  EXPECT_TRUE(ds_.claimDue(DispatchPhase::kSent, kNow + 99, 60, 10)->empty());  // both leased

  // Lease over: order 1 (leased until kNow + 100) comes back; order 0 (until kNow + 100) too.
  r = ds_.claimDue(DispatchPhase::kSent, kNow + 100, 60, 10);
  EXPECT_EQ(orderIds(*r), (std::vector<std::int64_t>{orders[0].id, orders[1].id}));

  r = ds_.claimDue(DispatchPhase::kUnknown, kNow + 10, 60, 10);
  EXPECT_EQ(orderIds(*r), (std::vector<std::int64_t>{orders[2].id}));

  EXPECT_EQ(ds_.claimDue(DispatchPhase::kQueued, kNow, 60, 10).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ds_.claimDue(DispatchPhase::kDone, kNow, 60, 10).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(ds_.claimDue(DispatchPhase::kSent, kNow, -1, 10).error().code, Errc::kInvalidArgument);
}

TEST_F(DispatchStoreTest, SendingRowIsReclaimedOnlyAfterTheLease) {
  const auto acc = account("u1");
  const auto orders = placeOrders(acc, 1);
  ASSERT_EQ(ds_.claimToSend(kNow, 1)->items.size(), 1u);  // updated_at = next_at = kNow

  // Due (next_at <= now), but its worker may still be talking to the provider.
  EXPECT_TRUE(ds_.claimDue(DispatchPhase::kSending, kNow + 59, 60, 10)->empty());
  auto r = ds_.claimDue(DispatchPhase::kSending, kNow + 60, 60, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front().order.id, orders[0].id);
  EXPECT_EQ(r->front().dispatch.phase, DispatchPhase::kSending);
  EXPECT_EQ(r->front().dispatch.next_at, kNow + 120);
  // Reclaimed once per lease.
  EXPECT_TRUE(ds_.claimDue(DispatchPhase::kSending, kNow + 119, 60, 10)->empty());
  EXPECT_EQ(ds_.claimDue(DispatchPhase::kSending, kNow + 120, 60, 10)->size(), 1u);
}

TEST_F(DispatchStoreTest, SaveDispatchIsCompareAndSetOnThePhase) {
  const auto acc = account("u1");
  const auto orders = placeOrders(acc, 1);
  ASSERT_EQ(ds_.claimToSend(kNow, 1)->items.size(), 1u);

  domain::Dispatch d = ds_.findDispatch(orders[0].id).value();
  d.phase = DispatchPhase::kSent;
  d.provider_id = 3;
  d.provider_order_id = "X9";
  d.attempts = 2;
  d.next_at = kNow + 30;
  d.last_error = "timeout once";
  d.updated_at = kNow + 5;
  d.route_index = 1;
  ASSERT_TRUE(ds_.saveDispatch(d, DispatchPhase::kSending).ok());
  auto got = ds_.findDispatch(orders[0].id).value();
  EXPECT_EQ(got.phase, DispatchPhase::kSent);
  EXPECT_EQ(got.provider_id, 3);
  EXPECT_EQ(got.provider_order_id, "X9");
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.next_at, kNow + 30);
  EXPECT_EQ(got.last_error, "timeout once");
  EXPECT_EQ(got.updated_at, kNow + 5);
  EXPECT_EQ(got.route_index, 1);

  // A second worker that still thinks it is sending loses.
  d.phase = DispatchPhase::kUnknown;
  auto stale = ds_.saveDispatch(d, DispatchPhase::kSending);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  EXPECT_EQ(ds_.findDispatch(orders[0].id)->phase, DispatchPhase::kSent);

  d.order_id = 999999;
  EXPECT_EQ(ds_.saveDispatch(d, DispatchPhase::kSent).error().code, Errc::kNotFound);
  EXPECT_EQ(ds_.findDispatch(999999).error().code, Errc::kNotFound);
}

// ---------------------------------------------------------------- events

TEST_F(DispatchStoreTest, EventsAreAnOrdersStoryOldestFirst) {
  const auto acc = account("u1");
  const auto orders = placeOrders(acc, 2);
  ASSERT_TRUE(ds_.appendEvent({0, orders[0].id, kNow, "provider", R"({"status":"Pending"})"}).ok());
  ASSERT_TRUE(ds_.appendEvent({0, orders[1].id, kNow, "provider", "other order"}).ok());
  ASSERT_TRUE(ds_.appendEvent({0, orders[0].id, kNow + 1, "webhook", "delivered"}).ok());
  auto e = ds_.events(orders[0].id);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].kind, "provider");
  EXPECT_EQ((*e)[0].detail, R"({"status":"Pending"})");
  EXPECT_EQ((*e)[0].at, kNow);
  EXPECT_EQ((*e)[0].order_id, orders[0].id);
  EXPECT_EQ((*e)[1].kind, "webhook");
  EXPECT_LT((*e)[0].id, (*e)[1].id);
  EXPECT_EQ(ds_.appendEvent({0, 999999, kNow, "provider", "x"}).error().code, Errc::kNotFound);
  EXPECT_TRUE(ds_.events(999999)->empty());
}

// ---------------------------------------------------------------- applyTransition

TEST_F(DispatchStoreTest, TransitionWritesEventWebhookAndEndsDispatchAtomically) {
  const auto acc = account("u1");
  ASSERT_TRUE(ds_.setCallback(acc, "https://r.example/cb", "s3cret").ok());
  const auto orders = placeOrders(acc, 1);
  const auto& o = orders[0];
  ASSERT_EQ(ds_.claimToSend(kNow, 1)->items.size(), 1u);

  auto t = transition(o, OrderStatus::kWaiting, OrderStatus::kProcessing);
  t.actor = "provider sim";
  t.notify_payload = R"({"id":"R0","status":"processing"})";
  ASSERT_TRUE(store_.applyTransition(t).ok());
  EXPECT_EQ(ds_.findDispatch(o.id)->phase, DispatchPhase::kSending);  // not final: untouched

  auto e = t;
  e.from = OrderStatus::kProcessing;
  e.to = OrderStatus::kError;
  e.refund = o.charge;
  e.at = kNow + 60;
  e.note = "provider refused";
  e.notify_payload = R"({"id":"R0","status":"error"})";
  ASSERT_TRUE(store_.applyTransition(e).ok());

  auto story = ds_.events(o.id).value();
  ASSERT_EQ(story.size(), 2u);
  EXPECT_EQ(story[0].kind, "status");
  EXPECT_EQ(story[0].detail, "waiting -> processing by provider sim");
  EXPECT_EQ(story[0].at, kNow + 50);
  EXPECT_EQ(story[1].detail, "processing -> error by provider sim; refund Rp 100; note: provider refused");

  auto ws = deliveries(o.id);  // newest first
  ASSERT_EQ(ws.size(), 2u);
  EXPECT_EQ(ws[1].payload, R"({"id":"R0","status":"processing"})");
  EXPECT_EQ(ws[0].payload, R"({"id":"R0","status":"error"})");
  EXPECT_EQ(ws[0].status, DeliveryStatus::kPending);
  EXPECT_EQ(ws[0].attempts, 0);
  EXPECT_EQ(ws[0].next_at, kNow + 60);
  EXPECT_EQ(ws[0].created_at, kNow + 60);
  EXPECT_EQ(ws[0].ref_id, o.ref_id);
  EXPECT_EQ(ws[0].account_id, acc);
  EXPECT_EQ(ws[0].url, "https://r.example/cb");
  EXPECT_EQ(ws[0].secret, "");  // lists never carry the secret

  auto done = ds_.findDispatch(o.id).value();
  EXPECT_EQ(done.phase, DispatchPhase::kDone);
  EXPECT_EQ(done.updated_at, kNow + 60);

  // The stale transition again: nothing at all is written.
  const auto events_before = count("order_events");
  const auto deliveries_before = count("webhook_deliveries");
  const auto ledger_before = count("ledger");
  auto stale = store_.applyTransition(e);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  EXPECT_EQ(count("order_events"), events_before);
  EXPECT_EQ(count("webhook_deliveries"), deliveries_before);
  EXPECT_EQ(count("ledger"), ledger_before);
}

TEST_F(DispatchStoreTest, RefusedTransitionWritesNothingBesideTheOrder) {
  const auto acc = account("u1");
  ASSERT_TRUE(ds_.setCallback(acc, "https://r.example/cb", "s").ok());
  const auto orders = placeOrders(acc, 1);
  ASSERT_EQ(ds_.claimToSend(kNow, 1)->items.size(), 1u);
  auto t = transition(orders[0], OrderStatus::kWaiting, OrderStatus::kError, Money{101});  // above the charge
  t.notify_payload = "{}";
  ASSERT_EQ(store_.applyTransition(t).error().code, Errc::kInternal);
  EXPECT_EQ(count("order_events"), 0);
  EXPECT_EQ(count("webhook_deliveries"), 0);
  EXPECT_EQ(ds_.findDispatch(orders[0].id)->phase, DispatchPhase::kSending);
  EXPECT_EQ(store_.findOrderByRef(orders[0].ref_id)->status, OrderStatus::kWaiting);
}

TEST_F(DispatchStoreTest, WebhookIsQueuedOnlyWithCallbackUrlAndPayload) {
  const auto with = account("with");
  const auto without = account("without");
  ASSERT_TRUE(ds_.setCallback(with, "https://r.example/cb", "s").ok());
  const auto a = placeOrders(with, 2, "A");
  const auto b = placeOrders(without, 1, "B");

  auto t = transition(a[0], OrderStatus::kWaiting, OrderStatus::kSuccess);
  t.notify_payload = "{}";
  ASSERT_TRUE(store_.applyTransition(t).ok());
  auto no_payload = transition(a[1], OrderStatus::kWaiting, OrderStatus::kSuccess);
  ASSERT_TRUE(store_.applyTransition(no_payload).ok());
  auto no_url = transition(b[0], OrderStatus::kWaiting, OrderStatus::kSuccess);
  no_url.notify_payload = "{}";
  ASSERT_TRUE(store_.applyTransition(no_url).ok());

  auto ws = deliveries();
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].order_id, a[0].id);
  EXPECT_EQ(count("order_events"), 3);  // the story is written either way
  // Final, but never dispatched: no row appears.
  EXPECT_EQ(ds_.findDispatch(a[0].id).error().code, Errc::kNotFound);
}

// ---------------------------------------------------------------- webhook deliveries

class DeliveryTest : public DispatchStoreTest {
 protected:
  std::int64_t acc_ = 0;
  std::vector<domain::Order> orders_;

  void SetUp() override {
    acc_ = account("u1");
    ASSERT_TRUE(ds_.setCallback(acc_, "https://r.example/cb", "s3cret").ok());
    orders_ = placeOrders(acc_, 2);
  }
  // Queues a delivery for `o` through a transition, at `at`.
  void notify(const domain::Order& o, OrderStatus from, OrderStatus to, std::int64_t at) {
    auto t = transition(o, from, to);
    t.at = at;
    t.notify_payload = std::string(R"({"status":")") + std::string(domain::toString(to)) + "\"}";
    ASSERT_TRUE(store_.applyTransition(t).ok());
  }
};

TEST_F(DeliveryTest, AnOrdersDeliveriesGoOutOneAtATimeInOrder) {
  notify(orders_[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow);      // d1
  notify(orders_[0], OrderStatus::kProcessing, OrderStatus::kSuccess, kNow + 1);  // d2, same order
  notify(orders_[1], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow + 2);  // d3

  auto r = ds_.claimDeliveries(kNow + 10, 30, 10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);  // d2 waits behind d1
  const auto d1 = (*r)[0];
  EXPECT_EQ(d1.order_id, orders_[0].id);
  EXPECT_EQ(d1.payload, R"({"status":"processing"})");
  EXPECT_EQ(d1.url, "https://r.example/cb");
  EXPECT_EQ(d1.secret, "s3cret");
  EXPECT_EQ(d1.next_at, kNow + 40);
  EXPECT_EQ((*r)[1].order_id, orders_[1].id);
  ASSERT_TRUE(ds_.markDelivered((*r)[1].id, kNow + 11).ok());  // d3 done

  // Leased: nothing more until the lease ends; d2 still blocked while d1 is pending.
  EXPECT_TRUE(ds_.claimDeliveries(kNow + 39, 30, 10)->empty());
  ASSERT_TRUE(ds_.markRetry(d1.id, 1, kNow + 100, "HTTP 502").ok());
  EXPECT_TRUE(ds_.claimDeliveries(kNow + 99, 30, 10)->empty());

  r = ds_.claimDeliveries(kNow + 100, 30, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].id, d1.id);
  EXPECT_EQ((*r)[0].attempts, 1);
  EXPECT_EQ((*r)[0].last_error, "HTTP 502");
  ASSERT_TRUE(ds_.markDelivered(d1.id, kNow + 101).ok());

  // d1 delivered: d2 is next.
  r = ds_.claimDeliveries(kNow + 101, 30, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].order_id, orders_[0].id);
  EXPECT_EQ((*r)[0].payload, R"({"status":"success"})");
  ASSERT_TRUE(ds_.markFailed((*r)[0].id, 8, "gave up").ok());

  auto all = deliveries(orders_[0].id);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].status, DeliveryStatus::kDelivered);
  EXPECT_EQ(all[1].delivered_at, kNow + 101);
  EXPECT_EQ(all[0].status, DeliveryStatus::kFailed);
  EXPECT_EQ(all[0].attempts, 8);
  EXPECT_EQ(all[0].last_error, "gave up");
  EXPECT_EQ(ds_.claimDeliveries(kNow + 1000, 30, 0)->size(), 0u);
}

TEST_F(DeliveryTest, AFailedDeliveryUnblocksTheNext) {
  notify(orders_[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow);
  notify(orders_[0], OrderStatus::kProcessing, OrderStatus::kSuccess, kNow + 1);
  auto r = ds_.claimDeliveries(kNow, 30, 10);
  ASSERT_EQ(r->size(), 1u);
  ASSERT_TRUE(ds_.markFailed((*r)[0].id, 3, "HTTP 404").ok());
  r = ds_.claimDeliveries(kNow + 1, 30, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].payload, R"({"status":"success"})");
}

TEST_F(DeliveryTest, MarksActOnPendingDeliveriesOnly) {
  notify(orders_[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow);
  const auto id = ds_.claimDeliveries(kNow, 30, 10)->front().id;
  ASSERT_TRUE(ds_.markDelivered(id, kNow + 1).ok());
  EXPECT_EQ(ds_.markRetry(id, 1, kNow + 10, "late").error().code, Errc::kConflict);
  EXPECT_EQ(ds_.markFailed(id, 1, "late").error().code, Errc::kConflict);
  EXPECT_EQ(ds_.markDelivered(id, kNow + 2).error().code, Errc::kConflict);
  EXPECT_EQ(deliveries().front().status, DeliveryStatus::kDelivered);
  EXPECT_EQ(deliveries().front().delivered_at, kNow + 1);
  EXPECT_EQ(ds_.markDelivered(999, kNow).error().code, Errc::kNotFound);
  EXPECT_EQ(ds_.markRetry(999, 1, kNow, "").error().code, Errc::kNotFound);
  EXPECT_EQ(ds_.markFailed(999, 1, "").error().code, Errc::kNotFound);
}

TEST_F(DeliveryTest, ClearedCallbackStillComesBackForTheCallerToFail) {
  notify(orders_[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow);
  ASSERT_TRUE(ds_.setCallback(acc_, "", "").ok());
  auto r = ds_.claimDeliveries(kNow, 30, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].url, "");
  EXPECT_EQ((*r)[0].secret, "");
}

TEST_F(DeliveryTest, ReplaySendsADeliveryAgain) {
  notify(orders_[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow);
  const auto id = ds_.claimDeliveries(kNow, 30, 10)->front().id;
  ASSERT_TRUE(ds_.markFailed(id, 8, "HTTP 500").ok());
  EXPECT_TRUE(ds_.claimDeliveries(kNow + 1000, 30, 10)->empty());

  ASSERT_TRUE(ds_.replayDelivery(id, kNow + 2000).ok());
  auto w = deliveries().front();
  EXPECT_EQ(w.status, DeliveryStatus::kPending);
  EXPECT_EQ(w.attempts, 0);
  EXPECT_EQ(w.next_at, kNow + 2000);
  EXPECT_EQ(w.last_error, "");
  EXPECT_TRUE(ds_.claimDeliveries(kNow + 1999, 30, 10)->empty());
  auto r = ds_.claimDeliveries(kNow + 2000, 30, 10);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].id, id);

  ASSERT_TRUE(ds_.markDelivered(id, kNow + 2001).ok());
  ASSERT_TRUE(ds_.replayDelivery(id, kNow + 3000).ok());  // a delivered one can be sent again
  EXPECT_EQ(deliveries().front().delivered_at, 0);
  EXPECT_EQ(ds_.replayDelivery(999, kNow).error().code, Errc::kNotFound);
}

TEST_F(DeliveryTest, ListDeliveriesFiltersNewestFirst) {
  const auto other = account("u2");
  ASSERT_TRUE(ds_.setCallback(other, "https://other.example/cb", "x").ok());
  const auto theirs = placeOrders(other, 1, "O");
  notify(orders_[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow);
  notify(orders_[1], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow + 1);
  notify(theirs[0], OrderStatus::kWaiting, OrderStatus::kProcessing, kNow + 2);
  const auto first = ds_.claimDeliveries(kNow, 30, 1)->front().id;
  ASSERT_TRUE(ds_.markDelivered(first, kNow).ok());

  auto all = deliveries();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_GT(all[0].id, all[1].id);
  EXPECT_GT(all[1].id, all[2].id);
  EXPECT_EQ(all[0].url, "https://other.example/cb");

  DeliveryFilter f;
  f.account_id = acc_;
  EXPECT_EQ(ds_.listDeliveries(f)->size(), 2u);
  f.status = DeliveryStatus::kPending;
  auto pending_mine = ds_.listDeliveries(f).value();
  ASSERT_EQ(pending_mine.size(), 1u);
  EXPECT_EQ(pending_mine[0].order_id, orders_[1].id);
  f = {};
  f.status = DeliveryStatus::kDelivered;
  ASSERT_EQ(ds_.listDeliveries(f)->size(), 1u);
  EXPECT_EQ(ds_.listDeliveries(f)->front().id, first);
  f = {};
  f.order_id = theirs[0].id;
  EXPECT_EQ(ds_.listDeliveries(f)->front().account_id, other);
  f = {};
  f.limit = 2;
  EXPECT_EQ(ds_.listDeliveries(f)->size(), 2u);
}

}  // namespace
}  // namespace warung::store::sqlite

namespace warung::store::sqlite {
namespace {

// Orders of a service without any route never reach a sender: the claim files them
// as manual in the same statement, without a transaction per order.
TEST(ClaimToSend, OrdersOfAServiceWithoutRoutesGoStraightToManual) {
  char tmpl[] = "/tmp/warung-claim-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/c.db";
  {
    SqliteStore s(path);
    domain::Service svc;
    svc.kind = domain::Kind::kGame;
    svc.code = "NR";
    svc.name = "No route";
    svc.prices = {Money{100}, Money{100}, Money{100}};
    svc.fields[0].type = domain::FieldType::kInput;
    ASSERT_TRUE(s.upsertServices({svc}).ok());
    const std::int64_t service_id = s.loadServices()->front().id;
    auto a = s.createAccount({"U1", "one", domain::Level::kStandar, "h1", 1});
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(s.adjustBalance(a->id, Money{1000}, "funds", 1).ok());
    SqliteOrderWriter w(path, {});
    domain::Order o;
    o.ref_id = "NR1";
    o.account_id = a->id;
    o.kind = domain::Kind::kGame;
    o.service_id = service_id;
    o.service_code = "NR";
    o.target = "1";
    o.charge = Money{100};
    o.unit_price = Money{100};
    std::promise<bool> placed;
    w.submit(o, [&](Result<Placed> r) { placed.set_value(r.ok()); });
    ASSERT_TRUE(placed.get_future().get());
    w.shutdown();

    auto claimed = s.claimToSend(100, 10);
    ASSERT_TRUE(claimed.ok());
    EXPECT_TRUE(claimed->items.empty());
    auto d = s.findDispatch(s.findOrderByRef("NR1")->id);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->phase, domain::DispatchPhase::kManual);
    EXPECT_TRUE(s.claimToSend(100, 10)->items.empty());
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace warung::store::sqlite
