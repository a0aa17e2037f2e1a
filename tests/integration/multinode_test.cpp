// Several nodes on one PostgreSQL database (postgres backend only): three server
// processes take concurrent orders for the same accounts, whose balances cover only
// some of them, and fulfil them through one fake provider. What must hold whichever
// node takes an order: no balance goes negative, every accepted order was paid for
// and nothing else was charged, every ledger sums to its balance, and the provider is
// asked to create each accepted order exactly once (the nodes' dispatchers share the
// work through the database), after which every order reaches its final state.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "dispatch/simulator.hpp"
#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;
using dispatch::ProviderSimulator;

constexpr std::int64_t kPrice = 10'000;
constexpr int kNodes = 3;
constexpr int kOrdersPerNodeAndAccount = 5;  // 15 attempts per account

const char* const kCatalog = R"([{"kind": "game", "code": "MN1", "name": "Diamonds MN1", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 10000, "spesial": 10000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"}])";

TEST(MultiNode, ThreeServersOnOneDatabaseChargeAndFulfilEachOrderOnce) {
  if (!postgresBackend()) {
    GTEST_SKIP() << "several nodes share one PostgreSQL database; this runs as pg.MultiNode.* "
                    "(WARUNG_TEST_BACKEND=postgres)";
  }
  TempDir dir;
  const std::string db = testDatabase(dir);
  importCatalog(db, kCatalog, dir);

  ProviderSimulator::Options so;
  so.complete_after_polls = 1;
  ProviderSimulator sim(so);
  sim.start();
  const auto p = sim.provider("osimesa", "sim", 2000);
  auto added = runCli({"provider", "add", "sim", "--dialect", "osimesa", "--url", p.base_url, "--key",
                       p.api_key, "--secret", p.secret, "--timeout-ms", "2000", "--db", db});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto routed = runCli({"service", "route", "game", "MN1", "sim:ML86:500", "--db", db});
  ASSERT_EQ(routed.exit_code, 0) << routed.err;

  // Balances that pay for 3, 5, 7 and 10 of the 15 orders each account attempts.
  const std::vector<std::int64_t> credits{35'000, 50'000, 79'999, 100'000};
  std::vector<Reseller> accounts;
  for (std::size_t i = 0; i < credits.size(); ++i) {
    accounts.push_back(createReseller(db, "Node Buyer " + std::to_string(i), "standar", credits[i]));
  }

  const std::string config = dir.file("warung.toml");
  writeText(config, fulfilmentConfigToml({{"dispatch.claim_batch", "4"}}));
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  for (int n = 0; n < kNodes; ++n) {
    nodes.push_back(std::make_unique<ServerProcess>(db, std::vector<std::string>{"--config", config},
                                                    dir.file("node" + std::to_string(n) + ".log")));
  }

  // Every node takes orders for every account at once: one client thread per pair.
  std::mutex mutex;
  std::map<std::size_t, std::vector<OrderAnswer>> answers;  // by account
  std::vector<std::thread> threads;
  for (int n = 0; n < kNodes; ++n) {
    for (std::size_t a = 0; a < accounts.size(); ++a) {
      threads.emplace_back([&, n, a] {
        HttpClient http(nodes[static_cast<std::size_t>(n)]->port());
        for (int k = 0; k < kOrdersPerNodeAndAccount; ++k) {
          const std::string target = std::to_string(100'000 * (a + 1) + 1'000 * n + k);
          OrderAnswer ans = postOrder(http, accounts[a], "game", "MN1", target);
          std::lock_guard lock(mutex);
          answers[a].push_back(std::move(ans));
        }
      });
    }
  }
  for (auto& t : threads) t.join();

  std::vector<std::string> accepted;
  for (std::size_t a = 0; a < accounts.size(); ++a) {
    SCOPED_TRACE(accounts[a].user_id);
    int ok = 0;
    for (const auto& ans : answers[a]) {
      if (ans.ok) {
        ++ok;
        EXPECT_EQ(ans.price, kPrice);
        accepted.push_back(ans.ref_id);
      } else {
        // The only refusal: the balance no longer covers the order.
        EXPECT_EQ(ans.code, 402) << json::serialize(ans.json);
      }
    }
    // Accepted equals what the balance paid for: as many as it covered, no more.
    EXPECT_EQ(ok, credits[a] / kPrice);
    const Books b = books(db, accounts[a].user_id);
    EXPECT_GE(b.balance, 0);
    EXPECT_EQ(b.balance, credits[a] - ok * kPrice);
    EXPECT_EQ(b.ledger_sum, b.balance);
    EXPECT_EQ(b.entries, static_cast<std::size_t>(ok) + 1) << "the credit and one debit per accepted order";
  }
  EXPECT_EQ(listOrdersJson(db).size(), accepted.size()) << "an order row exists only for an accepted order";

  // The nodes' dispatchers share the work: each order is created upstream once, and
  // all of them end (success: the simulator completes them on the first poll).
  const bool settled = eventuallyEvery(
      [&] {
        for (const auto& o : listOrdersJson(db)) {
          if (o.as_object().at("status").as_string() != "success") return false;
        }
        return true;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(250));
  EXPECT_TRUE(settled) << nodes[0]->log();
  for (const auto& ref : accepted) EXPECT_EQ(sim.addCalls(ref), 1) << ref;
  EXPECT_EQ(sim.totalAddCalls(), static_cast<int>(accepted.size()));
  for (const auto& node : nodes) EXPECT_TRUE(node->alive()) << node->log();
  for (std::size_t a = 0; a < accounts.size(); ++a) {
    const Books b = books(db, accounts[a].user_id);
    EXPECT_EQ(b.ledger_sum, b.balance) << "no refunds for successful orders";
  }
}

}  // namespace
}  // namespace warung::testing
