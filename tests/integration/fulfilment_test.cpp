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

std::string socialServiceJson(const std::string& code) {
  return R"({"kind": "social-media", "code": ")" + code + R"(", "name": "Followers )" + code + R"(", "note": "",
   "category": {"main": "Test Followers", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 7, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "100000"},
   "price": {"list": {"standar": 3333, "premium": 3333, "spesial": 3333}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"})";
}

std::string gameServiceJson(const std::string& code) {
  return R"({"kind": "game", "code": ")" + code + R"(", "name": "Diamonds )" + code + R"(", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 10000, "spesial": 10000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"})";
}

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
    o.delay = std::chrono::milliseconds(1500);  // beyond the providers' 500 ms timeout
    sims_.push_back(std::make_unique<ProviderSimulator>(o));
    sims_.back()->start();
    return *sims_.back();
  }

  void addProvider(const std::string& name, const ProviderSimulator& sim, const std::string& dialect,
                   std::int64_t timeout_ms = 500) {
    const auto p = sim.provider(dialect, name, timeout_ms);
    std::vector<std::string> args{"provider", "add", name, "--dialect", dialect, "--url", p.base_url,
                                  "--key", p.api_key, "--timeout-ms", std::to_string(timeout_ms)};
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
  const std::string db_ = dir_.file("warung.db");
  const std::string config_ = dir_.file("warung.toml");
  Reseller buyer_;
  std::vector<std::unique_ptr<ProviderSimulator>> sims_;  // outlive the server (declared first: destroyed last)
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
  const char* event;   // a piece of the order's story
};

class FulfilmentMatrix : public Fulfilment {
 protected:
  void run(const std::string& dialect, const std::vector<Case>& cases) {
    std::vector<std::pair<domain::Kind, std::string>> services;
    for (std::size_t i = 0; i < cases.size(); ++i) services.emplace_back(cases[i].kind, "C" + std::to_string(i));
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
      const std::string target = cases[i].kind == domain::Kind::kGame ? std::to_string(7000 + i)
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
      EXPECT_TRUE(hasEvent(shown, c.event)) << "no '" << c.event << "' in " << json::serialize(shown.at("events"));

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
          EXPECT_EQ(std::string(shown.at("voucher").as_string()).substr(0, 3), "SN-") << json::serialize(shown);
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
  run("smm-v2", {
      {"succeed", Behaviour::kSucceed, K::kSocialMedia, "success", "done", 1, Refund::kNone, "add accepted"},
      {"refuse-balance", Behaviour::kRefuseBalance, K::kSocialMedia, "error", "done", 1, Refund::kFull,
       "Not enough funds"},
      {"refuse-service", Behaviour::kRefuseService, K::kSocialMedia, "error", "done", 1, Refund::kFull,
       "add refused"},
      {"timeout", Behaviour::kTimeout, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone, "add unknown"},
      {"timeout-no-create", Behaviour::kTimeoutNoCreate, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone,
       "cannot be asked by our reference"},
      {"server-error", Behaviour::kServerError, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone,
       "HTTP 500"},
      {"server-error-created", Behaviour::kServerErrorButCreated, K::kSocialMedia, "waiting", "stuck", 1,
       Refund::kNone, "add unknown"},
      {"garbage", Behaviour::kGarbage, K::kSocialMedia, "waiting", "stuck", 1, Refund::kNone, "not JSON"},
      {"partial", Behaviour::kPartial, K::kSocialMedia, "partial", "done", 1, Refund::kPartial, "Partial"},
      {"canceled", Behaviour::kFail, K::kSocialMedia, "error", "done", 1, Refund::kFull, "Canceled"},
  });
}

TEST_F(FulfilmentMatrix, OsimesaEachProviderBehaviour) {
  using K = domain::Kind;
  // osimesa can be asked by our idempotency key: an unknown outcome is reconciled.
  // Where the provider confirms it has no such order (404 on both endpoints), sending
  // again is safe and happens: 2 add calls, 1 order at the provider.
  run("osimesa", {
      {"succeed-social", Behaviour::kSucceed, K::kSocialMedia, "success", "done", 1, Refund::kNone, "add accepted"},
      {"succeed-game", Behaviour::kSucceed, K::kGame, "success", "done", 1, Refund::kNone, "add accepted"},
      {"refuse-balance", Behaviour::kRefuseBalance, K::kSocialMedia, "error", "done", 1, Refund::kFull, "402"},
      {"refuse-service", Behaviour::kRefuseService, K::kGame, "error", "done", 1, Refund::kFull, "404"},
      {"timeout-created", Behaviour::kTimeout, K::kGame, "success", "done", 1, Refund::kNone, "lookup: success"},
      {"timeout-no-create", Behaviour::kTimeoutNoCreate, K::kSocialMedia, "success", "done", 2, Refund::kNone,
       "lookup: not found"},
      {"server-error", Behaviour::kServerError, K::kSocialMedia, "success", "done", 2, Refund::kNone,
       "lookup: not found"},
      {"server-error-created", Behaviour::kServerErrorButCreated, K::kSocialMedia, "success", "done", 1,
       Refund::kNone, "lookup: success"},
      {"garbage", Behaviour::kGarbage, K::kGame, "success", "done", 1, Refund::kNone, "not JSON"},
      {"partial", Behaviour::kPartial, K::kSocialMedia, "partial", "done", 1, Refund::kPartial, "status partial"},
      {"error", Behaviour::kFail, K::kSocialMedia, "error", "done", 1, Refund::kFull, "status error"},
  });
}

}  // namespace
}  // namespace warung::testing
