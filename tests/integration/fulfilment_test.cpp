// Fulfilment end to end: the real server sends accepted orders to fake providers on
// loopback (ProviderSimulator, one per dialect or per case, in this process), and every
// test checks what a reseller and an operator rely on: the order's final status, the
// refund and its ledger row, the dispatch phase `order show --json` reports, and how
// many times the provider was asked to create the order (exactly once, zero, or twice
// only after the provider confirmed it had no such order).
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "dispatch/simulator.hpp"
#include "support/harness.hpp"
#include "support/services.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;
using dispatch::ProviderSimulator;
using Behaviour = ProviderSimulator::Behaviour;
using Outcome = ProviderSimulator::Outcome;

constexpr std::int64_t kPerThousand = 3'333;  // social media price per 1,000: rounding matters
constexpr std::int64_t kGamePrice = 10'000;
constexpr std::int64_t kQuantity = 300;       // charge ceil(3333 * 300 / 1000) = 1000
constexpr std::int64_t kPartialRemain = 100;  // delivered 200: pays ceil(666.6) = 667, refund 333
constexpr std::int64_t kCredit = 10'000'000;
constexpr auto kSettle = std::chrono::seconds(20);

std::int64_t socialCharge(std::int64_t quantity) { return (kPerThousand * quantity + 999) / 1000; }

std::string kindPath(domain::Kind k) { return k == domain::Kind::kGame ? "game" : "social-media"; }

std::string joinArgs(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += a + " ";
  return s;
}

// One test's world: a database with services and a funded reseller, fake providers,
// and (once start() ran) the server with fast fulfilment timings.
class Fulfilment : public ::testing::Test {
 protected:
  // Catalog: `services` as {kind, code}; imported before the server starts.
  void importServices(const std::vector<std::pair<domain::Kind, std::string>>& services) {
    std::string catalog = "[";
    for (std::size_t i = 0; i < services.size(); ++i) {
      if (i > 0) catalog += ",\n";
      catalog += services[i].first == domain::Kind::kGame ? gameServiceJson(services[i].second)
                                                          : socialServiceJson(services[i].second);
    }
    catalog += "]";
    importCatalog(db_, catalog, dir_);
  }

  void createBuyer() { buyer_ = createReseller(db_, "Toko Uji", "standar", kCredit); }

  void start(const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
    writeText(config_, fulfilmentConfigToml(overrides));
    server_ = std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--config", config_});
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // `warung ARGS... --db DB`, required to succeed; returns stdout.
  std::string cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db_});
    auto r = runCli(args);
    EXPECT_EQ(r.exit_code, 0) << "warung " << joinArgs(args) << "\n" << r.err;
    return r.out;
  }

  ProviderSimulator& newSim(int complete_after_polls = 1) {
    ProviderSimulator::Options o;
    o.complete_after_polls = complete_after_polls;
    o.delay = std::chrono::milliseconds(5000);  // beyond the providers' 2 s timeout
    sims_.push_back(std::make_unique<ProviderSimulator>(o));
    sims_.back()->start();
    return *sims_.back();
  }

  void addProvider(const std::string& name, const ProviderSimulator& sim, const std::string& dialect,
                   std::int64_t timeout_ms = 2000) {
    const auto p = sim.provider(dialect, name, timeout_ms);
    std::vector<std::string> args{"provider",
                                  "add",
                                  name,
                                  "--dialect",
                                  dialect,
                                  "--url",
                                  p.base_url,
                                  "--key",
                                  p.api_key,
                                  "--timeout-ms",
                                  std::to_string(timeout_ms)};
    if (!p.secret.empty()) args.insert(args.end(), {"--secret", p.secret});
    cli(args);
  }

  void route(domain::Kind kind, const std::string& code, const std::vector<std::string>& specs) {
    std::vector<std::string> args{"service", "route", kindPath(kind), code};
    args.insert(args.end(), specs.begin(), specs.end());
    cli(args);
  }

  // Places an order for `target` (a link or a player id); requires it accepted.
  OrderAnswer order(domain::Kind kind, const std::string& code, const std::string& target) {
    auto a = kind == domain::Kind::kGame
                 ? postOrder(*client_, buyer_, "game", code, target)
                 : postOrder(*client_, buyer_, "social-media", code, target, std::to_string(kQuantity));
    EXPECT_TRUE(a.ok) << code << ": " << json::serialize(a.json);
    EXPECT_EQ(a.price, kind == domain::Kind::kGame ? kGamePrice : socialCharge(kQuantity));
    return a;
  }

  // Waits until the order is settled (final status, or dispatch stuck/manual) and returns
  // what `order show --json` says then (the last answer when the deadline passed).
  json::object settled(const std::string& ref) {
    json::object shown;
    const bool ok = eventuallyEvery(
        [&] {
          shown = orderShow(db_, ref);
          const std::string phase = dispatchPhase(shown);
          const std::string status(shown.at("status").as_string());
          return phase == "stuck" || phase == "manual" ||
                 (phase == "done" && (status == "success" || status == "partial" || status == "error"));
        },
        kSettle, std::chrono::milliseconds(100));
    EXPECT_TRUE(ok) << "order " << ref << " did not settle: " << json::serialize(shown) << "\n"
                    << (server_ ? server_->log() : "");
    return shown;
  }

  // The order's debit and its refund (0 when none), checking there is at most one of each.
  std::pair<std::int64_t, std::int64_t> debitAndRefund(const std::string& ref) {
    std::int64_t debit = 0, refund = 0;
    int debits = 0, refunds = 0;
    for (const auto& e : ledgerEntriesFor(db_, buyer_.user_id, ref)) {
      const std::string reason(e.at("reason").as_string());
      if (reason == "order") {
        debit += e.at("amount").as_int64();
        ++debits;
      } else if (reason == "refund") {
        refund += e.at("amount").as_int64();
        ++refunds;
      } else {
        ADD_FAILURE() << "unexpected ledger entry for " << ref << ": " << json::serialize(e);
      }
    }
    EXPECT_EQ(debits, 1) << "order " << ref << " must be debited exactly once";
    EXPECT_LE(refunds, 1) << "order " << ref << " refunded more than once";
    return {debit, refund};
  }

  // The books of the buyer: the ledger sums to the balance, and the balance is the
  // credit less what the orders cost after refunds.
  void expectBooksBalanced(std::int64_t expected_spent) {
    const Books b = books(db_, buyer_.user_id);
    EXPECT_EQ(b.ledger_sum, b.balance);
    EXPECT_EQ(kCredit - b.balance, expected_spent);
  }

  static bool hasEvent(const json::object& shown, const std::string& needle) {
    for (const auto& e : shown.at("events").as_array()) {
      if (std::string(e.as_object().at("detail").as_string()).find(needle) != std::string::npos) return true;
    }
    return false;
  }

  TempDir dir_;
  const std::string db_ = testDatabase(dir_, "warung.db");
  const std::string config_ = dir_.file("warung.toml");
  Reseller buyer_;
  std::vector<std::unique_ptr<ProviderSimulator>>
      sims_;  // outlive the server (declared first: destroyed last)
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

// ---------------------------------------------------------------------------------
// Each provider behaviour, per dialect. Every case has its own simulator, provider and
// service, so all run at once against one server and their counts cannot mix.

enum class Refund { kNone, kFull, kPartial };

struct Case {
  const char* name;
  Behaviour behaviour;  // for the first add only; later adds succeed
  domain::Kind kind;
  const char* status;  // the order's final status
  const char* phase;   // the final dispatch phase
  int adds;            // add requests the provider received for the order
  Refund refund;
  const char* event;  // a piece of the order's story
};

class FulfilmentMatrix : public Fulfilment {
 protected:
  void run(const std::string& dialect, const std::vector<Case>& cases) {
    std::vector<std::pair<domain::Kind, std::string>> services;
    for (std::size_t i = 0; i < cases.size(); ++i)
      services.emplace_back(cases[i].kind, "C" + std::to_string(i));
    importServices(services);
    createBuyer();
    std::vector<ProviderSimulator*> sims;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      ProviderSimulator& sim = newSim();
      sim.setAddBehaviour(cases[i].behaviour, 1);
      if (cases[i].behaviour == Behaviour::kPartial) sim.setCompletion(Outcome::kPartial, 1, kPartialRemain);
      const std::string name = "p" + std::to_string(i);
      addProvider(name, sim, dialect);
      const std::string remote = cases[i].kind == domain::Kind::kGame ? "ML86" : "1";
      route(cases[i].kind, "C" + std::to_string(i), {name + ":" + remote + ":500"});
      sims.push_back(&sim);
    }
    start();

    std::vector<OrderAnswer> orders;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const std::string target = cases[i].kind == domain::Kind::kGame
                                     ? std::to_string(7000 + i)
                                     : "https://instagram.com/p/case" + std::to_string(i);
      orders.push_back(order(cases[i].kind, "C" + std::to_string(i), target));
    }

    std::int64_t spent = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      SCOPED_TRACE(dialect + " " + c.name);
      const std::string& ref = orders[i].ref_id;
      const json::object shown = settled(ref);
      EXPECT_EQ(shown.at("status").as_string(), c.status) << json::serialize(shown);
      EXPECT_EQ(dispatchPhase(shown), c.phase) << json::serialize(shown);
      EXPECT_TRUE(hasEvent(shown, c.event))
          << "no '" << c.event << "' in " << json::serialize(shown.at("events"));

      // The reseller sees the same status through the API.
      const auto api = orderStatus(*client_, buyer_, kindPath(c.kind), ref);
      ASSERT_TRUE(api.is_object()) << ref;
      EXPECT_EQ(api.as_object().at("status").as_string(), c.status);

      const std::int64_t charge = orders[i].price;
      std::int64_t expected_refund = 0;
      if (c.refund == Refund::kFull) expected_refund = charge;
      if (c.refund == Refund::kPartial) {
        expected_refund = charge - (kPerThousand * (kQuantity - kPartialRemain) + 999) / 1000;
        EXPECT_EQ(expected_refund, 333);
        EXPECT_EQ(shown.at("remain").as_int64(), kPartialRemain);
        EXPECT_EQ(api.as_object().at("detail").as_object().at("remain").as_int64(), kPartialRemain);
      }
      const auto [debit, refund] = debitAndRefund(ref);
      EXPECT_EQ(debit, -charge);
      EXPECT_EQ(refund, expected_refund);
      spent += charge - expected_refund;

      if (std::string(c.status) == "success") {
        if (c.kind == domain::Kind::kGame) {
          EXPECT_EQ(std::string(shown.at("voucher").as_string()).substr(0, 3), "SN-")
              << json::serialize(shown);
          EXPECT_EQ(api.as_object().at("voucher").as_string(), shown.at("voucher").as_string());
        } else {
          EXPECT_GT(shown.at("start").as_int64(), 0) << "start count not recorded";
        }
      }
    }
    // Counted last, when every order has long settled: a stuck order was not re-sent
    // meanwhile, and nothing was sent more often than the provider's answers allow.
    for (std::size_t i = 0; i < cases.size(); ++i) {
      SCOPED_TRACE(dialect + " " + cases[i].name);
      EXPECT_EQ(sims[i]->totalAddCalls(), cases[i].adds);
      if (dialect == "osimesa") {
        EXPECT_EQ(sims[i]->addCalls(orders[i].ref_id), cases[i].adds);
      }
      // The provider holds at most one order for ours: a re-send only followed a confirmed absence.
      EXPECT_LE(sims[i]->orders().size(), 1u);
    }
    expectBooksBalanced(spent);
  }
};

TEST_F(FulfilmentMatrix, SmmV2EachProviderBehaviour) {
  using K = domain::Kind;
  // smm-v2 cannot be asked by our reference: an unknown outcome is stuck for the
  // operator and never sent again.
  run("smm-v2",
      {
          {"succeed", Behaviour::kSucceed, K::kSocialMedia, "success", "done", 1, Refund::kNone,
           "add accepted"},
          {"refuse-balance", Behaviour::kRefuseBalance, K::kSocialMedia, "error", "done", 1, Refund::kFull,
           "Not enough funds"},
          {"refuse-service", Behaviour::kRefuseService, K::kSocialMedia, "error", "done", 1, Refund::kFull,
           "add refused"},
          {"timeout", Behaviour::kTimeout, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone,
           "add unknown"},
          {"timeout-no-create", Behaviour::kTimeoutNoCreate, K::kSocialMedia, "waiting", "stuck", 1,
           Refund::kNone, "cannot be asked by our reference"},
          {"server-error", Behaviour::kServerError, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone,
           "HTTP 500"},
          {"server-error-created", Behaviour::kServerErrorButCreated, K::kSocialMedia, "waiting", "stuck", 1,
           Refund::kNone, "add unknown"},
          {"garbage", Behaviour::kGarbage, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone, "not JSON"},
          {"partial", Behaviour::kPartial, K::kSocialMedia, "partial", "done", 1, Refund::kPartial,
           "Partial"},
          {"canceled", Behaviour::kFail, K::kSocialMedia, "error", "done", 1, Refund::kFull, "Canceled"},
      });
}

TEST_F(FulfilmentMatrix, OsimesaEachProviderBehaviour) {
  using K = domain::Kind;
  // osimesa can be asked by our idempotency key: an unknown outcome is reconciled.
  // Where the provider confirms it has no such order (404 on both endpoints), sending
  // again is safe and happens: 2 add calls, 1 order at the provider.
  run("osimesa",
      {
          {"succeed-social", Behaviour::kSucceed, K::kSocialMedia, "success", "done", 1, Refund::kNone,
           "add accepted"},
          {"succeed-game", Behaviour::kSucceed, K::kGame, "success", "done", 1, Refund::kNone,
           "add accepted"},
          {"refuse-balance", Behaviour::kRefuseBalance, K::kSocialMedia, "error", "done", 1, Refund::kFull,
           "402"},
          {"refuse-service", Behaviour::kRefuseService, K::kGame, "error", "done", 1, Refund::kFull, "404"},
          {"timeout-created", Behaviour::kTimeout, K::kGame, "success", "done", 1, Refund::kNone,
           "lookup: success"},
          {"timeout-no-create", Behaviour::kTimeoutNoCreate, K::kSocialMedia, "success", "done", 2,
           Refund::kNone, "lookup: not found"},
          {"server-error", Behaviour::kServerError, K::kSocialMedia, "success", "done", 2, Refund::kNone,
           "lookup: not found"},
          {"server-error-created", Behaviour::kServerErrorButCreated, K::kSocialMedia, "success", "done", 1,
           Refund::kNone, "lookup: success"},
          {"garbage", Behaviour::kGarbage, K::kGame, "success", "done", 1, Refund::kNone, "not JSON"},
          {"partial", Behaviour::kPartial, K::kSocialMedia, "partial", "done", 1, Refund::kPartial,
           "status partial"},
          {"error", Behaviour::kFail, K::kSocialMedia, "error", "done", 1, Refund::kFull, "status error"},
      });
}

// ---------------------------------------------------------------------------------
// Routes: tried in priority order; a definite refusal moves on, nothing else does.

TEST_F(Fulfilment, RefusalFailsOverToTheNextRouteAskingEachOnce) {
  importServices({{domain::Kind::kSocialMedia, "F1"}});
  createBuyer();
  ProviderSimulator& first = newSim();
  ProviderSimulator& second = newSim();
  first.setAddBehaviour(Behaviour::kRefuseBalance);  // every add
  addProvider("panel", first, "smm-v2");
  addProvider("grosir", second, "osimesa");
  route(domain::Kind::kSocialMedia, "F1", {"panel:1:900", "grosir:2:950"});
  const std::string routes = cli({"service", "routes", "social-media", "F1", "--json"});
  const auto r = json::parse(routes).as_array();
  ASSERT_EQ(r.size(), 2u) << routes;
  EXPECT_EQ(r[0].as_object().at("provider").as_string(), "panel");
  EXPECT_EQ(r[1].as_object().at("provider").as_string(), "grosir");
  EXPECT_EQ(r[1].as_object().at("service").as_string(), "2");
  start();

  const auto o = order(domain::Kind::kSocialMedia, "F1", "https://instagram.com/p/failover");
  const auto shown = settled(o.ref_id);
  EXPECT_EQ(shown.at("status").as_string(), "success");
  EXPECT_EQ(first.totalAddCalls(), 1);
  EXPECT_EQ(second.totalAddCalls(), 1);
  ASSERT_EQ(second.orders().size(), 1u);
  EXPECT_EQ(second.orders()[0].service, "2");  // the second route's provider service
  EXPECT_EQ(second.orders()[0].idempotency_key, o.ref_id);
  EXPECT_TRUE(hasEvent(shown, "panel add refused")) << json::serialize(shown.at("events"));
  EXPECT_TRUE(hasEvent(shown, "grosir add accepted")) << json::serialize(shown.at("events"));
  const auto [debit, refund] = debitAndRefund(o.ref_id);
  EXPECT_EQ(debit, -o.price);
  EXPECT_EQ(refund, 0);
  expectBooksBalanced(o.price);
}

TEST_F(Fulfilment, EveryRouteRefusingEndsInErrorWithAFullRefund) {
  importServices({{domain::Kind::kGame, "R1"}});
  createBuyer();
  ProviderSimulator& a = newSim();
  ProviderSimulator& b = newSim();
  a.setAddBehaviour(Behaviour::kRefuseService);
  b.setAddBehaviour(Behaviour::kRefuseBalance);
  addProvider("a", a, "osimesa");
  addProvider("b", b, "osimesa");
  route(domain::Kind::kGame, "R1", {"a:ML86:9000", "b:ML86:9100"});
  start();

  const auto o = order(domain::Kind::kGame, "R1", "123456");
  const auto shown = settled(o.ref_id);
  EXPECT_EQ(shown.at("status").as_string(), "error");
  EXPECT_EQ(dispatchPhase(shown), "done");
  EXPECT_EQ(a.totalAddCalls(), 1);
  EXPECT_EQ(b.totalAddCalls(), 1);
  EXPECT_TRUE(a.orders().empty());
  EXPECT_TRUE(b.orders().empty());
  const auto [debit, refund] = debitAndRefund(o.ref_id);
  EXPECT_EQ(debit, -kGamePrice);
  EXPECT_EQ(refund, kGamePrice);
  expectBooksBalanced(0);
}

TEST_F(Fulfilment, DisabledAndUnreachableProvidersAreSkipped) {
  importServices({{domain::Kind::kSocialMedia, "D1"}, {domain::Kind::kSocialMedia, "D2"}});
  createBuyer();
  ProviderSimulator& off = newSim();
  ProviderSimulator& gone = newSim();
  ProviderSimulator& good = newSim();
  addProvider("off", off, "smm-v2");
  addProvider("gone", gone, "smm-v2");
  addProvider("good", good, "osimesa");
  gone.stop();  // connection refused: surely not delivered, so a refusal
  cli({"provider", "disable", "off"});
  const auto listed = json::parse(cli({"provider", "list", "--json"})).as_array();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].as_object().at("name").as_string(), "off");
  EXPECT_FALSE(listed[0].as_object().at("enabled").as_bool());
  EXPECT_TRUE(listed[2].as_object().at("enabled").as_bool());
  EXPECT_EQ(json::serialize(listed).find("sim-key"), std::string::npos)
      << "provider list prints a credential";
  route(domain::Kind::kSocialMedia, "D1", {"off:1:900", "good:1:950"});
  route(domain::Kind::kSocialMedia, "D2", {"gone:1:900", "good:1:950"});
  start();

  const auto o1 = order(domain::Kind::kSocialMedia, "D1", "https://instagram.com/p/disabled");
  const auto o2 = order(domain::Kind::kSocialMedia, "D2", "https://instagram.com/p/unreachable");
  const auto s1 = settled(o1.ref_id);
  const auto s2 = settled(o2.ref_id);
  EXPECT_EQ(s1.at("status").as_string(), "success");
  EXPECT_EQ(s2.at("status").as_string(), "success");
  EXPECT_TRUE(hasEvent(s1, "off: skipped (disabled)")) << json::serialize(s1.at("events"));
  EXPECT_TRUE(hasEvent(s2, "gone add refused")) << json::serialize(s2.at("events"));
  EXPECT_EQ(off.totalAddCalls(), 0);
  EXPECT_EQ(gone.totalAddCalls(), 0);
  EXPECT_EQ(good.addCalls(o1.ref_id), 1);
  EXPECT_EQ(good.addCalls(o2.ref_id), 1);

  // Enabled again, it takes the next order.
  cli({"provider", "enable", "off"});
  const auto o3 = order(domain::Kind::kSocialMedia, "D1", "https://instagram.com/p/enabled");
  EXPECT_EQ(settled(o3.ref_id).at("status").as_string(), "success");
  EXPECT_EQ(off.totalAddCalls(), 1);
  EXPECT_EQ(good.addCalls(o3.ref_id), 0);
  expectBooksBalanced(o1.price + o2.price + o3.price);
}

TEST_F(Fulfilment, WithoutARouteTheOrderWaitsForTheOperator) {
  importServices({{domain::Kind::kGame, "N1"}, {domain::Kind::kSocialMedia, "N2"}});
  createBuyer();
  ProviderSimulator& sim = newSim();
  addProvider("sim", sim, "osimesa");  // configured, but routed to nothing
  start();

  const auto g = order(domain::Kind::kGame, "N1", "555");
  const auto s = order(domain::Kind::kSocialMedia, "N2", "https://instagram.com/p/manual");
  for (const auto* o : {&g, &s}) {
    const auto shown = settled(o->ref_id);
    EXPECT_EQ(shown.at("status").as_string(), "waiting");
    EXPECT_EQ(dispatchPhase(shown), "manual");
    // Filed as manual by the claim itself: no provider was asked, nothing else happened.
    EXPECT_FALSE(hasEvent(shown, "provider")) << json::serialize(shown.at("events"));
  }
  // The operator completes them by hand: a voucher for the game, a partial for the other.
  cli({"order", "set-status", g.ref_id, "success", "--voucher", "V-123"});
  cli({"order", "set-status", s.ref_id, "partial", "--remain", std::to_string(kPartialRemain)});
  const auto gs = orderShow(db_, g.ref_id);
  EXPECT_EQ(gs.at("status").as_string(), "success");
  EXPECT_EQ(gs.at("voucher").as_string(), "V-123");
  EXPECT_EQ(dispatchPhase(gs), "done");
  EXPECT_EQ(orderStatus(*client_, buyer_, "game", g.ref_id).as_object().at("voucher").as_string(), "V-123");
  const auto ss = orderShow(db_, s.ref_id);
  EXPECT_EQ(ss.at("status").as_string(), "partial");
  EXPECT_EQ(sim.totalAddCalls(), 0);
  EXPECT_EQ(debitAndRefund(g.ref_id).second, 0);
  EXPECT_EQ(debitAndRefund(s.ref_id).second, 333);
  expectBooksBalanced(g.price + s.price - 333);
}

// A backlog of orders without a route (placed while fulfilment was off) is filed for
// the operator claim after claim, not one claim per idle_wait: with claim_batch 1 and
// idle_wait 5 s that was one order every 5 s. One sender, so that the first claims of
// several senders at start-up do not file the backlog between them.
TEST_F(Fulfilment, ABacklogWithoutARouteIsFiledAtOnce) {
  importServices({{domain::Kind::kGame, "N1"}});
  createBuyer();
  start({{"dispatch.enabled", "false"}});
  constexpr int kOrders = 150;  // ten claims' share at claim_batch 1 (16 each)
  std::vector<std::string> refs;
  for (int i = 0; i < kOrders; ++i)
    refs.push_back(order(domain::Kind::kGame, "N1", std::to_string(7000 + i)).ref_id);
  EXPECT_EQ(dispatchPhase(orderShow(db_, refs.back())), "");
  client_.reset();
  server_->stop();
  server_.reset();

  start({{"dispatch.idle_wait_ms", "5000"}, {"dispatch.send_workers", "1"}});
  const bool filed = eventuallyEvery([&] { return dispatchPhase(orderShow(db_, refs.back())) == "manual"; },
                                     std::chrono::seconds(3), std::chrono::milliseconds(100));
  EXPECT_TRUE(filed) << server_->log();
  for (const auto& ref : {refs.front(), refs[kOrders / 2]}) {
    const auto shown = orderShow(db_, ref);
    EXPECT_EQ(dispatchPhase(shown), "manual") << ref;
    EXPECT_EQ(shown.at("status").as_string(), "waiting") << ref;
  }
  expectBooksBalanced(kOrders * kGamePrice);
}

// ---------------------------------------------------------------------------------
// Provider commands that talk to the provider.

TEST_F(Fulfilment, ProviderBalanceAsksTheProvider) {
  importServices({});
  ProviderSimulator& sim = newSim();
  addProvider("panel", sim, "smm-v2");
  addProvider("grosir", sim, "osimesa");
  // The simulator answers "1500000.50": rounded half up to whole rupiah.
  const auto j = json::parse(cli({"provider", "balance", "panel", "--json"})).as_object();
  EXPECT_EQ(j.at("provider").as_string(), "panel");
  EXPECT_EQ(j.at("balance").as_int64(), 1'500'001);
  EXPECT_EQ(cli({"provider", "balance", "panel"}), "panel: Rp 1.500.001\n");
  // osimesa has no balance call: a clear refusal, not a made-up number.
  auto r = runCli({"provider", "balance", "grosir", "--db", db_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no balance call"), std::string::npos) << r.err;
}

TEST_F(Fulfilment, ProviderSyncImportsServicesPricedUpAndRoutedToIt) {
  importServices({});
  createBuyer();
  ProviderSimulator& smm = newSim();
  ProviderSimulator& osi = newSim();
  addProvider("panel", smm, "smm-v2");
  addProvider("grosir", osi, "osimesa");
  start();

  // smm-v2 rates are per 1,000 with decimals: rounded up, then +25%, rounded up.
  const std::string out = cli({"provider", "sync", "panel", "--markup", "25", "--prefix", "PK-"});
  EXPECT_NE(out.find("imported 3 services from panel"), std::string::npos) << out;
  cli({"provider", "sync", "grosir", "--markup", "10"});
  const std::map<std::string, std::int64_t> expected{
      {"PK-1", 35'627},      // 28500.50 -> 28501 -> 35626.25 -> 35627
      {"PK-2", 11'250},      // 9000 -> 11250
      {"PK-3", 1'564},       // 1250.25 -> 1251 -> 1563.75 -> 1564
      {"grosir-1", 31'352},  // 28501 * 1.1 = 31351.1 -> 31352
      {"grosir-ML86", 21'450}};
  auto route0 = [&](const std::string& kind, const std::string& code) {
    auto j = json::parse(cli({"service", "routes", kind, code, "--json"})).as_array();
    EXPECT_EQ(j.size(), 1u) << code;
    return j.empty() ? json::object{} : j[0].as_object();
  };
  EXPECT_EQ(route0("social-media", "PK-1").at("provider").as_string(), "panel");
  EXPECT_EQ(route0("social-media", "PK-1").at("service").as_string(), "1");
  EXPECT_EQ(route0("social-media", "PK-1").at("cost").as_int64(), 28'501);
  EXPECT_EQ(route0("game", "grosir-ML86").at("provider").as_string(), "grosir");
  EXPECT_EQ(route0("game", "grosir-ML86").at("service").as_string(), "ML86");

  // The reseller sees them, priced up, once the server's catalog refreshed.
  std::map<std::string, std::int64_t> seen;
  const bool listed = eventuallyEvery(
      [&] {
        seen.clear();
        for (const char* kind : {"social-media", "game"}) {
          auto j = client_->postForm(std::string("/api/") + kind, buyer_.auth("service")).json();
          for (const auto& e : j.as_object().at("data").as_array()) {
            const auto& s = e.as_object();
            seen[std::string(s.at("code").as_string())] = s.at("price").as_object().at("current").as_int64();
          }
        }
        return seen.size() == 9;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(50));
  ASSERT_TRUE(listed) << seen.size();
  for (const auto& [code, price] : expected) EXPECT_EQ(seen[code], price) << code;

  // Orders for the imported services reach the provider, with its own service code.
  const auto s = postOrder(*client_, buyer_, "social-media", "PK-2", "https://instagram.com/p/synced", "100");
  ASSERT_TRUE(s.ok) << json::serialize(s.json);
  EXPECT_EQ(s.price, 1'125);  // ceil(11250 * 100 / 1000)
  const auto g = postOrder(*client_, buyer_, "game", "grosir-ML86", "98765");
  ASSERT_TRUE(g.ok) << json::serialize(g.json);
  EXPECT_EQ(settled(s.ref_id).at("status").as_string(), "success");
  EXPECT_EQ(settled(g.ref_id).at("status").as_string(), "success");
  ASSERT_EQ(smm.orders().size(), 1u);
  EXPECT_EQ(smm.orders()[0].service, "2");
  EXPECT_EQ(smm.orders()[0].quantity, 100);
  ASSERT_EQ(osi.orders().size(), 1u);
  EXPECT_EQ(osi.orders()[0].service, "ML86");
  EXPECT_EQ(osi.orders()[0].data[0], "98765");
  expectBooksBalanced(s.price + g.price);
}

// A provider that keeps confirming it has no such order after a 500 gets the order again
// at most `dispatch.max_resends` times; then the next route takes it.
TEST_F(Fulfilment, ResendsAfterAConfirmedAbsenceAreBoundedThenTheNextRouteTakesIt) {
  importServices({{domain::Kind::kSocialMedia, "B1"}});
  createBuyer();
  ProviderSimulator& broken = newSim();
  ProviderSimulator& good = newSim();
  broken.setAddBehaviour(Behaviour::kServerError);  // every add: HTTP 500, nothing created
  addProvider("broken", broken, "osimesa");
  addProvider("good", good, "osimesa");
  route(domain::Kind::kSocialMedia, "B1", {"broken:1:900", "good:1:950"});
  start({{"dispatch.max_resends", "1"}});

  const auto o = order(domain::Kind::kSocialMedia, "B1", "https://instagram.com/p/bounded");
  json::object shown;
  const bool done = eventuallyEvery(
      [&] {
        shown = orderShow(db_, o.ref_id);
        return shown.at("status").as_string() == "success" || broken.totalAddCalls() > 4;
      },
      kSettle, std::chrono::milliseconds(100));
  EXPECT_TRUE(done);
  EXPECT_EQ(shown.at("status").as_string(), "success") << json::serialize(shown.at("events"));
  EXPECT_EQ(broken.totalAddCalls(), 2) << "the first send and max_resends = 1 re-send";
  EXPECT_TRUE(broken.orders().empty());
  EXPECT_EQ(good.addCalls(o.ref_id), 1);
}

// smm-v2 multi-status: several orders at one provider, each mapped to its own answer.
TEST_F(Fulfilment, SmmV2OrdersPolledTogetherGetTheirOwnOutcomes) {
  importServices({{domain::Kind::kSocialMedia, "M1"}});
  createBuyer();
  ProviderSimulator& sim = newSim(3);
  addProvider("panel", sim, "smm-v2");
  route(domain::Kind::kSocialMedia, "M1", {"panel:1:900"});
  start();

  std::vector<OrderAnswer> orders;
  const std::vector<std::pair<Behaviour, std::string>> plan{{Behaviour::kPartial, "partial"},
                                                            {Behaviour::kFail, "error"},
                                                            {Behaviour::kSucceed, "success"},
                                                            {Behaviour::kPartial, "partial"},
                                                            {Behaviour::kSucceed, "success"}};
  for (std::size_t i = 0; i < plan.size(); ++i) {
    sim.setAddBehaviour(plan[i].first, 1);
    sim.setCompletion(Outcome::kSuccess, 3, kPartialRemain);
    const std::string link = "https://instagram.com/p/multi" + std::to_string(i);
    orders.push_back(order(domain::Kind::kSocialMedia, "M1", link));
    ASSERT_TRUE(eventually([&] { return sim.addCalls(link) == 1; }, kSettle));
  }
  std::int64_t spent = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    SCOPED_TRACE(plan[i].second);
    const auto shown = settled(orders[i].ref_id);
    EXPECT_EQ(shown.at("status").as_string(), plan[i].second);
    const auto [debit, refund] = debitAndRefund(orders[i].ref_id);
    const std::int64_t expected = plan[i].second == "error"     ? orders[i].price
                                  : plan[i].second == "partial" ? 333
                                                                : 0;
    EXPECT_EQ(refund, expected);
    spent += orders[i].price - expected;
  }
  EXPECT_EQ(sim.totalAddCalls(), static_cast<int>(plan.size()));
  expectBooksBalanced(spent);
}

// The operator's word is final: an order ended by hand while the provider still works
// on it leaves fulfilment (refunded once, dispatch done); a stuck one likewise.
TEST_F(Fulfilment, AnOrderEndedByTheOperatorStaysAsTheOperatorLeftIt) {
  importServices({{domain::Kind::kSocialMedia, "O1"}, {domain::Kind::kSocialMedia, "O2"}});
  createBuyer();
  ProviderSimulator& sim = newSim(2);
  addProvider("panel", sim, "smm-v2");
  route(domain::Kind::kSocialMedia, "O1", {"panel:1:900"});
  route(domain::Kind::kSocialMedia, "O2", {"panel:1:900"});
  start();

  // At the provider (processing), ended "error" by the operator: refunded once, and
  // nothing the provider says later changes it.
  const auto sent = order(domain::Kind::kSocialMedia, "O1", "https://instagram.com/p/operator");
  ASSERT_TRUE(eventually(
      [&] {
        auto st = orderStatus(*client_, buyer_, "social-media", sent.ref_id);
        return st.is_object() && st.as_object().at("status").as_string() == "processing";
      },
      kSettle));
  cli({"order", "set-status", sent.ref_id, "error", "--note", "cancelled by the operator"});
  // A stuck order (unknown outcome at smm-v2) resolved by the operator.
  sim.setAddBehaviour(Behaviour::kGarbage, 1);
  const auto stuck = order(domain::Kind::kSocialMedia, "O2", "https://instagram.com/p/stuck-op");
  ASSERT_EQ(dispatchPhase(settled(stuck.ref_id)), "stuck");
  cli({"order", "set-status", stuck.ref_id, "success", "--start", "10"});
  // Another order at the same provider, polled to its end: the first one would have
  // been polled beside it had it stayed in fulfilment.
  const int polls_when_ended = sim.findOrder("1001")->polls;
  const auto later = order(domain::Kind::kSocialMedia, "O1", "https://instagram.com/p/later");
  EXPECT_EQ(settled(later.ref_id).at("status").as_string(), "success");
  EXPECT_LE(sim.findOrder("1001")->polls, polls_when_ended + 1) << "an ended order is still polled";

  const auto a = orderShow(db_, sent.ref_id);
  EXPECT_EQ(a.at("status").as_string(), "error");
  EXPECT_EQ(dispatchPhase(a), "done");
  EXPECT_EQ(debitAndRefund(sent.ref_id).second, sent.price);
  const auto b = orderShow(db_, stuck.ref_id);
  EXPECT_EQ(b.at("status").as_string(), "success");
  EXPECT_EQ(dispatchPhase(b), "done");
  EXPECT_EQ(debitAndRefund(stuck.ref_id).second, 0);
  EXPECT_EQ(sim.totalAddCalls(), 3);
  expectBooksBalanced(stuck.price + later.price);
}

// A crash while the add to the SECOND route was in flight: the restarted server must
// reconcile with that provider, not with the first one (which refused it), or it
// would re-send the order and the second provider would create it twice.
TEST_F(Fulfilment, ASendInterruptedOnTheSecondRouteIsNotSentTwice) {
  importServices({{domain::Kind::kSocialMedia, "I1"}});
  createBuyer();
  ProviderSimulator& refusing = newSim();
  ProviderSimulator& hanging = newSim();
  refusing.setAddBehaviour(Behaviour::kRefuseService);                        // every add
  hanging.setAddBehaviour(Behaviour::kTimeout, 1, std::chrono::seconds(20));  // creates it, then hangs
  addProvider("first", refusing, "osimesa");
  addProvider("second", hanging, "smm-v2", 30'000);
  route(domain::Kind::kSocialMedia, "I1", {"first:1:900", "second:1:950"});
  start({{"dispatch.send_workers", "1"}, {"dispatch.lease_s", "8"}});

  const std::string link = "https://instagram.com/p/second-route";
  const auto o = order(domain::Kind::kSocialMedia, "I1", link);
  ASSERT_TRUE(eventually([&] { return hanging.addCalls(link) == 1; }, kSettle));
  server_->stop(SIGKILL);
  server_.reset();
  ASSERT_EQ(dispatchPhase(orderShow(db_, o.ref_id)), "sending");

  start({{"dispatch.lease_s", "2"}});
  json::object shown;
  eventuallyEvery(
      [&] {
        shown = orderShow(db_, o.ref_id);
        return dispatchPhase(shown) == "stuck" || dispatchPhase(shown) == "done" ||
               hanging.totalAddCalls() > 1;
      },
      kSettle, std::chrono::milliseconds(100));
  // smm-v2 cannot be asked by our reference: the operator decides.
  EXPECT_EQ(dispatchPhase(shown), "stuck") << json::serialize(shown.at("events"));
  EXPECT_EQ(hanging.totalAddCalls(), 1) << "sent twice to the provider that had created it";
  EXPECT_EQ(hanging.orders().size(), 1u);
}

// A game top-up is delivered or not: a provider calling one "partial" did not deliver
// it, so the order ends in error with a full refund (domain::transitionFor).
TEST_F(Fulfilment, AGameReportedPartialByTheProviderEndsInErrorWithARefund) {
  importServices({{domain::Kind::kGame, "GP"}});
  createBuyer();
  ProviderSimulator& sim = newSim();
  sim.setAddBehaviour(Behaviour::kPartial, 1);
  addProvider("grosir", sim, "osimesa");
  route(domain::Kind::kGame, "GP", {"grosir:ML86:9000"});
  start();

  const auto o = order(domain::Kind::kGame, "GP", "31337");
  const auto shown = settled(o.ref_id);
  EXPECT_EQ(shown.at("status").as_string(), "error") << json::serialize(shown);
  EXPECT_EQ(debitAndRefund(o.ref_id).second, kGamePrice);
  EXPECT_EQ(sim.totalAddCalls(), 1);
}

// ---------------------------------------------------------------------------------
// A SIGKILL with orders in every state: final, stuck, manual, sent (processing at the
// provider), sending (the add in flight) and waiting (not yet claimed). The restarted
// server finishes each, and no order reaches a provider twice.

TEST_F(Fulfilment, OrdersInEveryStateSurviveASigkillAndAreNeverSentTwice) {
  importServices({{domain::Kind::kSocialMedia, "SM"},
                  {domain::Kind::kSocialMedia, "SO"},
                  {domain::Kind::kGame, "GO"},
                  {domain::Kind::kSocialMedia, "MN"}});
  createBuyer();
  ProviderSimulator& smm = newSim(1);
  ProviderSimulator& osi = newSim(4);  // processing for 3 polls: still at the provider at the kill
  addProvider("panel", smm, "smm-v2");
  addProvider("grosir", osi, "osimesa", 30'000);  // an add may hang for long
  route(domain::Kind::kSocialMedia, "SM", {"panel:1:900"});
  route(domain::Kind::kSocialMedia, "SO", {"grosir:1:900"});
  route(domain::Kind::kGame, "GO", {"grosir:ML86:9000"});
  // One sender, so an order placed while it hangs stays unclaimed; a lease longer
  // than this phase, so the live server does not reclaim the hanging send itself.
  start({{"dispatch.send_workers", "1"}, {"dispatch.lease_s", "8"}});

  const auto final_o = order(domain::Kind::kSocialMedia, "SM", "https://instagram.com/p/final");
  ASSERT_EQ(settled(final_o.ref_id).at("status").as_string(), "success");

  smm.setAddBehaviour(Behaviour::kGarbage, 1);
  const auto stuck = order(domain::Kind::kSocialMedia, "SM", "https://instagram.com/p/stuck");
  ASSERT_EQ(dispatchPhase(settled(stuck.ref_id)), "stuck");

  const auto manual = order(domain::Kind::kSocialMedia, "MN", "https://instagram.com/p/manual");
  ASSERT_EQ(dispatchPhase(settled(manual.ref_id)), "manual");

  const auto sent = order(domain::Kind::kSocialMedia, "SO", "https://instagram.com/p/sent");
  ASSERT_TRUE(eventually(
      [&] {
        auto st = orderStatus(*client_, buyer_, "social-media", sent.ref_id);
        return st.is_object() && st.as_object().at("status").as_string() == "processing";
      },
      kSettle));

  osi.setAddBehaviour(Behaviour::kTimeout, 1, std::chrono::seconds(20));  // creates it, then hangs
  const auto sending = order(domain::Kind::kGame, "GO", "4242");
  ASSERT_TRUE(eventually([&] { return osi.addCalls(sending.ref_id) == 1; }, kSettle));

  const auto waiting = order(domain::Kind::kSocialMedia, "SO", "https://instagram.com/p/waiting");

  const int status = server_->stop(SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  server_.reset();

  // What the dead server left, read from the database.
  auto state = [&](const OrderAnswer& o) {
    auto shown = orderShow(db_, o.ref_id);
    return std::string(shown.at("status").as_string()) + "/" + dispatchPhase(shown);
  };
  EXPECT_EQ(state(final_o), "success/done");
  EXPECT_EQ(state(stuck), "waiting/stuck");
  EXPECT_EQ(state(manual), "waiting/manual");
  EXPECT_EQ(state(sent), "processing/sent");
  EXPECT_EQ(state(sending), "waiting/sending");
  EXPECT_EQ(state(waiting), "waiting/");

  start({{"dispatch.lease_s", "2"}});
  EXPECT_EQ(settled(sent.ref_id).at("status").as_string(), "success");
  const auto recovered = settled(sending.ref_id);
  EXPECT_EQ(recovered.at("status").as_string(), "success");
  EXPECT_TRUE(std::string(recovered.at("voucher").as_string()).starts_with("SN-"));
  EXPECT_TRUE(hasEvent(recovered, "interrupted")) << json::serialize(recovered.at("events"));
  EXPECT_TRUE(hasEvent(recovered, "grosir lookup:")) << json::serialize(recovered.at("events"));
  EXPECT_EQ(settled(waiting.ref_id).at("status").as_string(), "success");
  EXPECT_EQ(state(final_o), "success/done");
  EXPECT_EQ(state(stuck), "waiting/stuck");  // the operator decides; never re-sent
  EXPECT_EQ(state(manual), "waiting/manual");

  EXPECT_EQ(smm.addCalls("https://instagram.com/p/final"), 1);
  EXPECT_EQ(smm.addCalls("https://instagram.com/p/stuck"), 1);
  EXPECT_EQ(smm.addCalls("https://instagram.com/p/manual"), 0);
  EXPECT_EQ(smm.totalAddCalls(), 2);
  EXPECT_EQ(osi.addCalls(sent.ref_id), 1);
  EXPECT_EQ(osi.addCalls(sending.ref_id), 1);
  EXPECT_EQ(osi.addCalls(waiting.ref_id), 1);
  EXPECT_EQ(osi.totalAddCalls(), 3);
  EXPECT_EQ(osi.orders().size(), 3u);

  std::int64_t spent = 0;
  for (const auto* o : {&final_o, &stuck, &manual, &sent, &sending, &waiting}) {
    const auto [debit, refund] = debitAndRefund(o->ref_id);
    EXPECT_EQ(debit, -o->price);
    EXPECT_EQ(refund, 0);
    spent += o->price;
  }
  expectBooksBalanced(spent);
}

}  // namespace
}  // namespace warung::testing
