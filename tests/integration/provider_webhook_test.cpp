// Provider webhooks end to end: the real server, an osimesa provider on loopback
// (ProviderSimulator) that accepted our orders, and the status webhooks such a
// provider POSTs to /api/provider-webhook/NAME. Polls are an hour apart, so whatever
// moves an order here is the webhook. What an operator relies on: a signed webhook
// settles the order (with its refund) exactly once, however often it arrives; an
// unsigned, mis-signed, malformed or misaddressed one changes nothing. The last test
// puts two warung servers together: one sells to the other, and its reseller
// webhook (`warung user webhook` there) is the other's provider webhook.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/crypto.hpp"
#include "dispatch/simulator.hpp"
#include "support/harness.hpp"
#include "support/services.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;
using dispatch::ProviderSimulator;

constexpr std::int64_t kCredit = 10'000'000;
constexpr std::int64_t kQuantity = 300;  // 3333 per 1,000: charge 1000
constexpr std::int64_t kSocialCharge = 1000;
constexpr std::int64_t kGamePrice = 10'000;
constexpr const char* kSecret = "provider-webhook-secret";
constexpr auto kDeadline = std::chrono::seconds(20);
// Polls an hour apart: only a webhook can move an order within a test.
const std::vector<std::pair<std::string, std::string>> kNoPolls{{"dispatch.poll_interval_s", "3600"}};

// A webhook body as a warung server writes it: the `type=status` entry of the order
// (api/osimesa/encode.cpp, appendOrder with times).
std::string socialEntry(const std::string& ref, const std::string& status, std::int64_t start,
                        std::int64_t remain) {
  return R"({"data":["https://instagram.com/p/x","300",""],"note":"","price":1000,"ref_id":")" + ref +
         R"(","detail":{"start":)" + std::to_string(start) + R"(,"amount":300,"remain":)" +
         std::to_string(remain) + R"(},"status":")" + status +
         R"(","product":{"code":"1","type":"default","service":"Followers"},"created_at":1700000000,"updated_at":1700000100})";
}

std::string gameEntry(const std::string& ref, const std::string& status, const std::string& voucher) {
  return R"({"data":["12345678","",""],"note":"","price":10000,"ref_id":")" + ref + R"(","status":")" +
         status + R"(","product":{"code":"ML86","slug":"test-game","service":"Diamonds"},"voucher":")" +
         voucher + R"(","created_at":1700000000,"updated_at":1700000100})";
}

std::string signature(const std::string& secret, const std::string& body) {
  return "sha256=" + crypto::hmacSha256Hex(secret, body);
}

bool hasEvent(const json::object& shown, const std::string& needle) {
  for (const auto& e : shown.at("events").as_array()) {
    if (std::string(e.as_object().at("detail").as_string()).find(needle) != std::string::npos) return true;
  }
  return false;
}

// One server (ours) buying from a simulated osimesa provider "grosir" whose webhooks
// are signed with kSecret.
class ProviderWebhook : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.start();
    importCatalog(db_, "[" + socialServiceJson("S1") + ",\n" + gameServiceJson("G1") + "]", dir_);
    buyer_ = createReseller(db_, "Toko Uji", "standar", kCredit);
    const auto p = sim_.provider("osimesa", "grosir");
    cli({"provider", "add", "grosir", "--dialect", "osimesa", "--url", p.base_url, "--key", p.api_key,
         "--secret", p.secret, "--webhook-secret", kSecret});
    cli({"service", "route", "social-media", "S1", "grosir:1:900"});
    cli({"service", "route", "game", "G1", "grosir:ML86:9000"});
    writeText(config_, fulfilmentConfigToml(kNoPolls));
    server_ = std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--config", config_});
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string cli(std::vector<std::string> args, const std::string& db = "") {
    args.insert(args.end(), {"--db", db.empty() ? db_ : db});
    auto r = runCli(args);
    std::string all;
    for (const auto& a : args) all += a + " ";
    EXPECT_EQ(r.exit_code, 0) << "warung " << all << "\n" << r.err;
    return r.out;
  }

  struct Placed {
    std::string ref;           // ours
    std::string provider_ref;  // the provider's order id (its ref_id)
  };
  // Places an order and waits until the provider accepted it (dispatch "sent", status
  // processing).
  Placed place(domain::Kind kind, const std::string& target) {
    auto a = kind == domain::Kind::kGame
                 ? postOrder(*client_, buyer_, "game", "G1", target)
                 : postOrder(*client_, buyer_, "social-media", "S1", target, std::to_string(kQuantity));
    EXPECT_TRUE(a.ok) << json::serialize(a.json);
    Placed p{a.ref_id, ""};
    json::object shown;
    const bool sent = eventuallyEvery(
        [&] {
          shown = orderShow(db_, p.ref);
          return dispatchPhase(shown) == "sent" && shown.at("status").as_string() == "processing";
        },
        kDeadline, std::chrono::milliseconds(100));
    EXPECT_TRUE(sent) << json::serialize(shown) << "\n" << server_->log();
    if (sent)
      p.provider_ref = std::string(shown.at("dispatch").as_object().at("provider_order_id").as_string());
    return p;
  }

  HttpClient::Reply webhook(const std::string& name, const std::string& body,
                            const std::string& secret = kSecret) {
    return client_->post("/api/provider-webhook/" + name, "application/json", body,
                         {{"X-Warung-Signature", signature(secret, body)}});
  }

  std::string status(const std::string& ref) {
    return std::string(orderShow(db_, ref).at("status").as_string());
  }

  // The order's refunds: their count and total.
  std::pair<int, std::int64_t> refunds(const std::string& ref) {
    int n = 0;
    std::int64_t total = 0;
    for (const auto& e : ledgerEntriesFor(db_, buyer_.user_id, ref)) {
      if (e.at("reason").as_string() == "refund") {
        ++n;
        total += e.at("amount").as_int64();
      }
    }
    return {n, total};
  }

  void expectBooksBalanced(std::int64_t expected_spent) {
    const Books b = books(db_, buyer_.user_id);
    EXPECT_EQ(b.ledger_sum, b.balance);
    EXPECT_EQ(kCredit - b.balance, expected_spent);
  }

  TempDir dir_;
  const std::string db_ = dir_.file("warung.db");
  const std::string config_ = dir_.file("warung.toml");
  ProviderSimulator sim_;  // declared before the server: outlives it
  Reseller buyer_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ProviderWebhook, SignedWebhooksSettleOrdersExactlyOnce) {
  const Placed success = place(domain::Kind::kSocialMedia, "https://instagram.com/p/ok");
  const Placed partial = place(domain::Kind::kSocialMedia, "https://instagram.com/p/part");
  const Placed error = place(domain::Kind::kGame, "12345678");
  const Placed voucher = place(domain::Kind::kGame, "87654321");
  ASSERT_FALSE(success.provider_ref.empty());
  ASSERT_FALSE(partial.provider_ref.empty());
  ASSERT_FALSE(error.provider_ref.empty());
  ASSERT_FALSE(voucher.provider_ref.empty());

  // Each webhook twice: the second is a duplicate delivery, answered 200 as well.
  const std::vector<std::pair<std::string, std::string>> hooks{
      {success.ref, socialEntry(success.provider_ref, "success", 1500, 0)},
      {partial.ref, socialEntry(partial.provider_ref, "partial", 1500, 100)},
      {error.ref, gameEntry(error.provider_ref, "error", "")},
      {voucher.ref, gameEntry(voucher.provider_ref, "success", "SN-777")},
  };
  for (int round = 0; round < 2; ++round) {
    for (const auto& [ref, body] : hooks) {
      auto r = webhook("grosir", body);
      EXPECT_EQ(r.status, 200u) << ref << ": " << r.body;
      EXPECT_EQ(r.json(), json::parse(R"({"ok":true})")) << r.body;
    }
  }

  const json::object s = orderShow(db_, success.ref);
  EXPECT_EQ(s.at("status").as_string(), "success");
  EXPECT_EQ(s.at("start").as_int64(), 1500);
  EXPECT_EQ(dispatchPhase(s), "done");
  EXPECT_TRUE(hasEvent(s, "webhook from grosir: success")) << json::serialize(s.at("events"));
  EXPECT_EQ(refunds(success.ref), std::make_pair(0, std::int64_t{0}));

  const json::object p = orderShow(db_, partial.ref);
  EXPECT_EQ(p.at("status").as_string(), "partial");
  EXPECT_EQ(p.at("remain").as_int64(), 100);
  EXPECT_EQ(dispatchPhase(p), "done");
  // 200 of 300 delivered: pays ceil(666.6) = 667 of 1000, refund 333, once.
  EXPECT_EQ(refunds(partial.ref), std::make_pair(1, std::int64_t{333}));

  EXPECT_EQ(status(error.ref), "error");
  EXPECT_EQ(refunds(error.ref), std::make_pair(1, kGamePrice));

  const json::object v = orderShow(db_, voucher.ref);
  EXPECT_EQ(v.at("status").as_string(), "success");
  EXPECT_EQ(v.at("voucher").as_string(), "SN-777");

  // Out of order: an older "processing" after the end changes nothing, still 200.
  auto late = webhook("grosir", socialEntry(success.provider_ref, "processing", 1500, 300));
  EXPECT_EQ(late.status, 200u) << late.body;
  auto late_error = webhook("grosir", socialEntry(success.provider_ref, "error", 0, 300));
  EXPECT_EQ(late_error.status, 200u) << late_error.body;
  EXPECT_EQ(status(success.ref), "success");
  EXPECT_EQ(refunds(success.ref), std::make_pair(0, std::int64_t{0}));

  expectBooksBalanced(kSocialCharge + (kSocialCharge - 333) + kGamePrice);
  // The webhooks were all it took: nobody asked the provider for a status.
  EXPECT_EQ(sim_.statusCalls(), 0);
}

TEST_F(ProviderWebhook, WebhooksThatCannotBeTrustedOrPlacedChangeNothing) {
  const Placed placed = place(domain::Kind::kSocialMedia, "https://instagram.com/p/x");
  ASSERT_FALSE(placed.provider_ref.empty());
  const std::string body = socialEntry(placed.provider_ref, "error", 0, 300);

  // Wrong secret, no signature, a signature of another body.
  EXPECT_EQ(webhook("grosir", body, "not-the-secret").status, 401u);
  EXPECT_EQ(client_->post("/api/provider-webhook/grosir", "application/json", body).status, 401u);
  auto other = client_->post("/api/provider-webhook/grosir", "application/json", body,
                             {{"X-Warung-Signature", signature(kSecret, body + " ")}});
  EXPECT_EQ(other.status, 401u);
  EXPECT_EQ(other.json().as_object().at("status"), json::value(false))
      << other.body;  // the API's JSON envelope

  // Unknown provider, a provider without a webhook secret, no name at all.
  EXPECT_EQ(webhook("nobody", body).status, 404u);
  const auto p = sim_.provider("osimesa", "quiet");
  cli({"provider", "add", "quiet", "--dialect", "osimesa", "--url", p.base_url, "--key", p.api_key,
       "--secret", p.secret});
  EXPECT_EQ(webhook("quiet", body).status, 404u);
  EXPECT_EQ(webhook("", body).status, 404u);

  // An order the provider has but we do not (or not at this provider).
  EXPECT_EQ(webhook("grosir", socialEntry("no-such-order", "error", 0, 300)).status, 404u);

  // Signed but not a status entry.
  EXPECT_EQ(webhook("grosir", "not json").status, 400u);
  EXPECT_EQ(webhook("grosir", R"({"status":"error"})").status, 400u);  // no ref_id
  EXPECT_EQ(webhook("grosir", socialEntry(placed.provider_ref, "refunded", 0, 300)).status, 400u);

  // Only POST.
  auto get = client_->request(boost::beast::http::verb::get, "/api/provider-webhook/grosir", "", "");
  EXPECT_EQ(get.status, 405u);

  const json::object shown = orderShow(db_, placed.ref);
  EXPECT_EQ(shown.at("status").as_string(), "processing");
  EXPECT_EQ(dispatchPhase(shown), "sent");
  EXPECT_EQ(refunds(placed.ref).first, 0);

  // The operator rotates the secret while the server runs: the old one is refused
  // from then on, the new one accepted; --clear refuses everything.
  const std::string out = cli({"provider", "webhook", "grosir", "rotated"});
  EXPECT_NE(out.find("/api/provider-webhook/grosir"), std::string::npos) << out;
  EXPECT_EQ(webhook("grosir", body).status, 401u);
  cli({"provider", "webhook", "grosir", "--clear"});
  EXPECT_EQ(webhook("grosir", body, "rotated").status, 404u);
  EXPECT_EQ(status(placed.ref), "processing");
  cli({"provider", "webhook", "grosir", "rotated"});
  auto accepted = webhook("grosir", body, "rotated");
  EXPECT_EQ(accepted.status, 200u) << accepted.body;
  EXPECT_EQ(status(placed.ref), "error");
  EXPECT_EQ(refunds(placed.ref), std::make_pair(1, kSocialCharge));
}

// Webhooks wait for the database on their own workers: while one waits for the write
// lock, the reseller API answers at once, one more webhook waits in the queue, and the
// next is refused with 503 until there is room. Both waiting ones are applied after.
TEST_F(ProviderWebhook, AWebhookWaitingForTheDatabaseHoldsUpOnlyTheWebhookQueue) {
  if (postgresBackend()) GTEST_SKIP() << "holds SQLite's write lock; the SQLite run covers the queue";
  server_.reset();
  writeText(config_, fulfilmentConfigToml(kNoPolls) +
                         "[api]\nprovider_webhook_workers = 1\nprovider_webhook_queue = 1\n"
                         "[database]\nbusy_timeout_ms = 20000\n");
  server_ = std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--config", config_});
  client_ = std::make_unique<HttpClient>(server_->port());
  const Placed a = place(domain::Kind::kSocialMedia, "https://instagram.com/p/wait-a");
  const Placed b = place(domain::Kind::kSocialMedia, "https://instagram.com/p/wait-b");
  ASSERT_FALSE(a.provider_ref.empty());
  ASSERT_FALSE(b.provider_ref.empty());

  auto send = [&](const std::string& body) {
    HttpClient own(server_->port());
    return own.post("/api/provider-webhook/grosir", "application/json", body,
                    {{"X-Warung-Signature", signature(kSecret, body)}});
  };
  HttpClient::Reply first;
  HttpClient::Reply second;
  std::thread t1;
  std::thread t2;
  {
    SQLite::Database lock(db_, SQLite::OPEN_READWRITE, 20000);
    lock.exec("BEGIN IMMEDIATE");
    t1 = std::thread([&] { first = send(socialEntry(a.provider_ref, "success", 1500, 0)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the worker takes it and waits
    t2 = std::thread([&] { second = send(socialEntry(b.provider_ref, "success", 1500, 0)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // queued

    const auto refused = send(socialEntry(a.provider_ref, "success", 1500, 0));
    EXPECT_EQ(refused.status, 503u) << refused.body;
    EXPECT_NE(refused.body.find("too many provider webhooks waiting"), std::string::npos) << refused.body;
    EXPECT_FALSE(std::string(refused.raw["Retry-After"]).empty());

    const auto start = std::chrono::steady_clock::now();
    const auto alive = client_->post("/healthz", "", "");
    EXPECT_EQ(alive.status, 200u);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    lock.exec("ROLLBACK");
  }
  t1.join();
  t2.join();
  EXPECT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(second.status, 200u) << second.body;
  EXPECT_EQ(status(a.ref), "success");
  EXPECT_EQ(status(b.ref), "success");
}

TEST_F(ProviderWebhook, CliSetsShowsAndRefusesSecrets) {
  // `provider list` tells whether a secret is set, never the secret.
  const std::string listed = cli({"provider", "list", "--json"});
  EXPECT_EQ(listed.find(kSecret), std::string::npos) << listed;
  const json::array providers = json::parse(listed).as_array();
  ASSERT_EQ(providers.size(), 1u);
  EXPECT_EQ(providers[0].as_object().at("webhook"), json::value(true));
  const std::string table = cli({"provider", "list"});
  EXPECT_EQ(table.find(kSecret), std::string::npos) << table;
  EXPECT_NE(table.find("WEBHOOK"), std::string::npos) << table;

  // The URL to register there carries the provider's name; --public-url sets the address.
  const json::value set = json::parse(
      cli({"provider", "webhook", "grosir", "s2", "--json", "--public-url", "https://warung.example/"}));
  EXPECT_EQ(set.as_object().at("webhook_url"),
            json::value("https://warung.example/api/provider-webhook/grosir"));

  // Dialects without webhooks take no secret.
  cli({"provider", "add", "panel", "--dialect", "smm-v2", "--url", sim_.smmV2Url(), "--key", "k"});
  EXPECT_NE(runCli({"provider", "webhook", "panel", "x", "--db", db_}).exit_code, 0);
  EXPECT_NE(runCli({"provider", "add", "panel2", "--dialect", "smm-v2", "--url", sim_.smmV2Url(), "--key",
                    "k", "--webhook-secret", "x", "--db", db_})
                .exit_code,
            0);
  EXPECT_NE(runCli({"provider", "webhook", "grosir", "--db", db_}).exit_code,
            0);  // neither SECRET nor --clear
}

// Two warung servers: A sells to B. B's order goes to A (osimesa adapter); the
// operator of A completes it there; A's reseller webhook to B's account is B's
// provider webhook, and B's order is settled within seconds though B polls hourly.
TEST(ProviderWebhookTwoServers, AWarungSellingToUsSettlesOurOrderByWebhook) {
  TempDir dir;
  const std::string db_a = dir.file("a.db"), db_b = dir.file("b.db");
  const std::string config_a = dir.file("a.toml"), config_b = dir.file("b.toml");
  auto run = [](std::vector<std::string> args, const std::string& db) {
    args.insert(args.end(), {"--db", db});
    auto r = runCli(args);
    std::string all;
    for (const auto& a : args) all += a + " ";
    EXPECT_EQ(r.exit_code, 0) << "warung " << all << "\n" << r.err;
    return r.out;
  };

  // A: the game, and our account there.
  importCatalog(db_a, "[" + gameServiceJson("ML86") + "]", dir);
  const Reseller us_at_a = createReseller(db_a, "Warung B", "standar", kCredit);
  writeText(config_a, fulfilmentConfigToml());
  ServerProcess a(db_a, {"--config", config_a}, dir.file("a.log"));

  // B: the same game sold to its buyer, polls an hour apart.
  importCatalog(db_b, "[" + gameServiceJson("G1") + "]", dir);
  const Reseller buyer = createReseller(db_b, "Toko Uji", "standar", kCredit);
  writeText(config_b, fulfilmentConfigToml(kNoPolls));
  ServerProcess b(db_b, {"--config", config_b}, dir.file("b.log"));

  // A posts our account's changes to B's provider webhook; B verifies with A's secret.
  const std::string hook_url =
      "http://127.0.0.1:" + std::to_string(b.port()) + "/api/provider-webhook/warung-a";
  const json::value hook = json::parse(run({"user", "webhook", us_at_a.user_id, hook_url, "--json"}, db_a));
  const std::string secret(hook.as_object().at("secret").as_string());
  const json::value added = json::parse(run(
      {"provider", "add", "warung-a", "--dialect", "osimesa", "--url",
       "http://127.0.0.1:" + std::to_string(a.port()), "--key", us_at_a.api_key, "--secret", us_at_a.user_id,
       "--webhook-secret", secret, "--json", "--public-url", "http://127.0.0.1:" + std::to_string(b.port())},
      db_b));
  EXPECT_EQ(added.as_object().at("webhook_url"), json::value(hook_url));
  run({"service", "route", "game", "G1", "warung-a:ML86:10000"}, db_b);

  HttpClient client(b.port());
  const OrderAnswer placed = postOrder(client, buyer, "game", "G1", "12345678");
  ASSERT_TRUE(placed.ok) << json::serialize(placed.json);

  // B sent it to A, where it waits for A's operator.
  json::object shown;
  ASSERT_TRUE(eventuallyEvery(
      [&] {
        shown = orderShow(db_b, placed.ref_id);
        return dispatchPhase(shown) == "sent";
      },
      kDeadline, std::chrono::milliseconds(100)))
      << json::serialize(shown) << "\n"
      << b.log();
  const std::string ref_at_a(shown.at("dispatch").as_object().at("provider_order_id").as_string());
  EXPECT_EQ(orderShow(db_a, ref_at_a).at("status").as_string(), "waiting");

  run({"order", "set-status", ref_at_a, "success", "--voucher", "SN-FROM-A"}, db_a);

  ASSERT_TRUE(eventuallyEvery(
      [&] {
        shown = orderShow(db_b, placed.ref_id);
        return shown.at("status").as_string() == "success";
      },
      kDeadline, std::chrono::milliseconds(100)))
      << json::serialize(shown) << "\nA:\n"
      << a.log() << "\nB:\n"
      << b.log();
  EXPECT_EQ(shown.at("voucher").as_string(), "SN-FROM-A");
  EXPECT_EQ(dispatchPhase(shown), "done");
  EXPECT_TRUE(hasEvent(shown, "webhook from warung-a: success")) << json::serialize(shown.at("events"));

  // A's delivery was accepted by B.
  const json::array deliveries = json::parse(run({"webhook", "list", "--json"}, db_a)).as_array();
  ASSERT_FALSE(deliveries.empty());
  EXPECT_EQ(deliveries[0].as_object().at("status"), json::value("delivered")) << json::serialize(deliveries);
}

}  // namespace
}  // namespace warung::testing
