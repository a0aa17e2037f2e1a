// `warung serve --demo`: its simulated providers keep the orders they were sent in a
// file beside the demo database, so orders in flight when the demo restarts still end.
#include <gtest/gtest.h>

#include <string>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;

TEST(DemoProviders, AnOrderInFlightAtARestartStillEnds) {
  if (postgresBackend()) {
    GTEST_SKIP() << "on PostgreSQL the demo's providers keep their orders in memory only (no database file)";
  }
  TempDir dir;
  const std::string db = testDatabase(dir, "demo.db");
  // The first server sends but does not poll before it is killed; the second polls
  // every second.
  const std::string slow = dir.file("slow.toml");
  writeText(slow, "[dispatch]\nidle_wait_ms = 20\npoll_interval_s = 600\n");
  const std::string fast = dir.file("fast.toml");
  writeText(fast, "[dispatch]\nidle_wait_ms = 20\npoll_interval_s = 1\n");

  std::string ref;
  {
    ServerProcess server(db, {"--demo", "--config", slow});
    const Reseller buyer = createReseller(db, "Buyer", "standar", 1'000'000);
    HttpClient client(server.port());
    OrderAnswer placed;
    ASSERT_TRUE(eventually([&] {  // the server sees the new account within cache.refresh_ms
      placed = postOrder(client, buyer, "social-media", "5", "https://instagram.com/p/demo", "100");
      return placed.ok;
    })) << json::serialize(placed.json);
    ref = placed.ref_id;
    json::object shown;
    ASSERT_TRUE(eventuallyEvery(
        [&] {
          shown = orderShow(db, ref);
          return dispatchPhase(shown) == "sent";
        },
        20s, 100ms))
        << json::serialize(shown);
  }  // SIGKILL, the order in flight at the simulated provider

  ServerProcess again(db, {"--demo", "--config", fast});
  json::object shown;
  EXPECT_TRUE(eventuallyEvery(
      [&] {
        shown = orderShow(db, ref);
        return dispatchPhase(shown) != "sent";
      },
      30s, 200ms))
      << json::serialize(shown);
  EXPECT_EQ(dispatchPhase(shown), "done") << json::serialize(shown);
  const std::string status(shown.at("status").as_string());
  EXPECT_TRUE(status == "success" || status == "partial" || status == "error") << json::serialize(shown);
}

}  // namespace
}  // namespace warung::testing
