// The admin API against the real server: authentication (session cookie + CSRF,
// bearer tokens), sign-in throttling, session expiry, the audit log, and an operator's
// whole flow from a new account to a completed order.
#include <gtest/gtest.h>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kCatalog = R"JSON([
  {"kind": "game", "code": "G1", "name": "Test Diamonds 100", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 9900, "spesial": 9800}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"}
])JSON";

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Session {
  std::string cookie;  // "warung_session=..."
  std::string csrf;
  Headers headers(bool with_csrf = true) const {
    Headers h{{"Cookie", cookie}};
    if (with_csrf) h.emplace_back("X-CSRF-Token", csrf);
    return h;
  }
};

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testDatabase(dir_, "w.db");
    importCatalog(db_, kCatalog, dir_);
    auto r = runCli({"admin", "create", "alice", "--password", kPassword, "--db", db_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto t =
        runCliJson({"admin", "token", "create", "--admin", "alice", "--name", "ci", "--json", "--db", db_});
    token_ = std::string(t.as_object().at("token").as_string());
  }

  void start(const std::string& config_toml = "") {
    std::vector<std::string> args{"--admin-listen", "127.0.0.1:0"};
    if (!config_toml.empty()) {
      writeText(dir_.file("w.toml"), config_toml);
      args.insert(args.end(), {"--config", dir_.file("w.toml")});
    }
    server_ = std::make_unique<ServerProcess>(db_, args);
    admin_ = std::make_unique<HttpClient>(server_->adminPort());
    api_ = std::make_unique<HttpClient>(server_->port());
  }

  HttpClient::Reply call(bhttp::verb method, const std::string& path, const std::string& body = "",
                         const Headers& headers = {}) {
    return admin_->request(method, "/admin/api/" + path, body.empty() ? "" : "application/json", body,
                           headers);
  }
  HttpClient::Reply bearer(bhttp::verb method, const std::string& path, const std::string& body = "") {
    return call(method, path, body, {{"Authorization", "Bearer " + token_}});
  }

  HttpClient::Reply login(const std::string& user, const std::string& password) {
    return call(bhttp::verb::post, "login",
                json::serialize(json::object{{"username", user}, {"password", password}}));
  }
  Session signIn() {
    auto r = login("alice", kPassword);
    EXPECT_EQ(r.status, 200u) << r.body;
    Session s;
    const std::string set_cookie(r.raw[bhttp::field::set_cookie]);
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
    EXPECT_NE(set_cookie.find("Path=/admin"), std::string::npos) << set_cookie;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = std::string(r.json().at("data").at("csrf_token").as_string());
    return s;
  }

  static json::value data(const HttpClient::Reply& r) {
    auto j = r.json();
    if (!j.is_object() || !j.as_object().at("ok").as_bool()) throw std::runtime_error("not ok: " + r.body);
    return j.at("data");
  }
  static std::string errorCode(const HttpClient::Reply& r) {
    auto j = r.json();
    if (!j.is_object()) return "(not JSON)";
    return std::string(j.at("error").at("code").as_string());
  }

  TempDir dir_;
  std::string db_;
  std::string token_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> admin_;
  std::unique_ptr<HttpClient> api_;
};

// Every endpoint of docs/admin-api.md, with a body where it takes one.
const std::vector<std::tuple<bhttp::verb, std::string, std::string>>& allEndpoints() {
  static const std::vector<std::tuple<bhttp::verb, std::string, std::string>> kAll{
      {bhttp::verb::get, "me", ""},
      {bhttp::verb::post, "logout", ""},
      {bhttp::verb::get, "dashboard", ""},
      {bhttp::verb::get, "orders", ""},
      {bhttp::verb::get, "orders/REF1", ""},
      {bhttp::verb::post, "orders/REF1/status", R"({"status":"success"})"},
      {bhttp::verb::get, "accounts", ""},
      {bhttp::verb::post, "accounts", R"({"name":"x"})"},
      {bhttp::verb::get, "accounts/U1", ""},
      {bhttp::verb::post, "accounts/U1/suspend", ""},
      {bhttp::verb::post, "accounts/U1/activate", ""},
      {bhttp::verb::post, "accounts/U1/level", R"({"level":"premium"})"},
      {bhttp::verb::post, "accounts/U1/price", R"({"kind":"game","code":"G1","price":1})"},
      {bhttp::verb::post, "accounts/U1/rotate-key", ""},
      {bhttp::verb::post, "accounts/U1/callback", R"({"url":"https://x.example/"})"},
      {bhttp::verb::post, "accounts/U1/credit", R"({"amount":1,"note":"n"})"},
      {bhttp::verb::post, "accounts/U1/debit", R"({"amount":1,"note":"n"})"},
      {bhttp::verb::get, "services", ""},
      {bhttp::verb::patch, "services/game/G1", R"({"status":"empty"})"},
      {bhttp::verb::get, "services/game/G1/routes", ""},
      {bhttp::verb::put, "services/game/G1/routes", R"({"routes":[]})"},
      {bhttp::verb::get, "providers", ""},
      {bhttp::verb::post, "providers/p/enable", ""},
      {bhttp::verb::post, "providers/p/disable", ""},
      {bhttp::verb::post, "providers/p/sync", R"({"markup":10})"},
      {bhttp::verb::get, "webhooks", ""},
      {bhttp::verb::post, "webhooks/1/replay", ""},
      {bhttp::verb::get, "audit", ""},
      {bhttp::verb::get, "no-such-endpoint", ""},
  };
  return kAll;
}

TEST_F(AdminApiTest, EveryEndpointRefusesWithoutAValidSessionOrToken) {
  start();
  const std::vector<std::pair<std::string, Headers>> callers{
      {"nothing", {}},
      {"a made-up cookie", {{"Cookie", "warung_session=" + std::string(64, 'a')}}},
      {"a made-up bearer token", {{"Authorization", "Bearer " + std::string(64, 'b')}}},
      {"a malformed Authorization", {{"Authorization", "Basic YWxpY2U6eA=="}}},
  };
  for (const auto& [method, path, body] : allEndpoints()) {
    for (const auto& [who, headers] : callers) {
      auto r = call(method, path, body, headers);
      EXPECT_EQ(r.status, 401u) << path << " with " << who << ": " << r.body;
      EXPECT_EQ(errorCode(r), "unauthenticated") << path;
    }
  }
  // And nothing changed: no account was created.
  EXPECT_EQ(data(bearer(bhttp::verb::get, "accounts")).at("accounts").as_array().size(), 0u);
}

TEST_F(AdminApiTest, ChangesOverASessionNeedTheCsrfToken) {
  start();
  Session s = signIn();
  // Reads need no CSRF token.
  auto me = call(bhttp::verb::get, "me", "", s.headers(false));
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(data(me).at("username").as_string(), "alice");
  EXPECT_EQ(data(me).at("via").as_string(), "session");
  EXPECT_EQ(data(me).at("time_zone").as_string(), "Asia/Jakarta");  // the console shows times in it

  const std::string body = R"({"name":"Toko CSRF"})";
  auto missing = call(bhttp::verb::post, "accounts", body, s.headers(false));
  EXPECT_EQ(missing.status, 403u) << missing.body;
  EXPECT_EQ(errorCode(missing), "forbidden");
  Headers forged{{"Cookie", s.cookie}, {"X-CSRF-Token", std::string(64, '0')}};
  auto wrong = call(bhttp::verb::post, "accounts", body, forged);
  EXPECT_EQ(wrong.status, 403u) << wrong.body;
  // Every changing endpoint refuses, before looking at what it would change.
  for (const auto& [method, path, b] : allEndpoints()) {
    if (method == bhttp::verb::get) continue;
    auto r = call(method, path, b, forged);
    EXPECT_EQ(r.status, 403u) << path << ": " << r.body;
  }
  EXPECT_EQ(data(bearer(bhttp::verb::get, "accounts")).at("accounts").as_array().size(), 0u);

  auto ok = call(bhttp::verb::post, "accounts", body, s.headers());
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_FALSE(data(ok).at("api_key").as_string().empty());

  // After sign-out the cookie is worthless.
  auto out = call(bhttp::verb::post, "logout", "", s.headers());
  ASSERT_EQ(out.status, 200u) << out.body;
  EXPECT_EQ(call(bhttp::verb::get, "me", "", s.headers()).status, 401u);
}

TEST_F(AdminApiTest, BearerTokensWorkWithoutCsrfAndStopWhenRevoked) {
  start();
  auto me = bearer(bhttp::verb::get, "me");
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(data(me).at("via").as_string(), "token");
  auto created = bearer(bhttp::verb::post, "accounts", R"({"name":"Toko Script","level":"premium"})");
  ASSERT_EQ(created.status, 200u) << created.body;
  EXPECT_EQ(data(created).at("account").at("level").as_string(), "premium");

  auto r = runCli({"admin", "token", "revoke", "ci", "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(bearer(bhttp::verb::get, "me").status, 401u);
}

TEST_F(AdminApiTest, ExpiredSessionsAreRefused) {
  start("[admin]\nsession_ttl_s = 1\n");
  Session s = signIn();
  // Idle for more than the TTL: the session ends (polling, with the server's clock).
  EXPECT_TRUE(eventuallyEvery([&] { return call(bhttp::verb::get, "me", "", s.headers()).status == 401; },
                              10s, 700ms));
  auto r = call(bhttp::verb::get, "dashboard", "", s.headers());
  EXPECT_EQ(r.status, 401u) << r.body;
}

TEST_F(AdminApiTest, WrongPasswordsAreRefusedAndThrottled) {
  start("[admin]\nmax_login_failures = 3\nlogin_window_s = 600\n");
  for (int i = 0; i < 2; ++i) {
    auto r = login("alice", "not the password");
    EXPECT_EQ(r.status, 401u) << r.body;
    EXPECT_EQ(r.raw[bhttp::field::set_cookie], "");
  }
  // An unknown user gets the same answer.
  auto unknown = login("nobody", "whatever123");
  EXPECT_EQ(unknown.status, 401u);
  EXPECT_EQ(unknown.json().at("error").at("message"), "wrong username or password");
  // Three failures from this address and for alice: both are throttled now, even with
  // the right password.
  EXPECT_EQ(login("bob", "whatever123").status, 429u);
  auto blocked = login("alice", kPassword);
  EXPECT_EQ(blocked.status, 429u) << blocked.body;
  EXPECT_EQ(errorCode(blocked), "rate_limited");
  const std::string retry(blocked.raw[bhttp::field::retry_after]);
  ASSERT_FALSE(retry.empty());
  EXPECT_GT(std::stoi(retry), 0);
  EXPECT_LE(std::stoi(retry), 600);
  // Missing fields are named.
  auto bad = call(bhttp::verb::post, "login", R"({"username":"alice"})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.json().at("error").at("field").as_string(), "password");
}

TEST_F(AdminApiTest, TheAuditLogRecordsEveryChangeWithWho) {
  start();
  Session s = signIn();
  auto created = call(bhttp::verb::post, "accounts", R"({"name":"Toko Audit"})", s.headers());
  ASSERT_EQ(created.status, 200u) << created.body;
  const std::string uid(data(created).at("account").at("user_id").as_string());
  ASSERT_EQ(call(bhttp::verb::post, "accounts/" + uid + "/credit", R"({"amount":5000,"note":"transfer"})",
                 s.headers())
                .status,
            200u);
  ASSERT_EQ(bearer(bhttp::verb::post, "accounts/" + uid + "/suspend").status, 200u);
  // A refused change is not recorded.
  EXPECT_EQ(
      call(bhttp::verb::post, "accounts/" + uid + "/debit", R"({"amount":999999,"note":"x"})", s.headers())
          .status,
      402u);

  auto audit = data(bearer(bhttp::verb::get, "audit")).at("entries").as_array();
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].at("action").as_string(), "account.suspend");
  EXPECT_EQ(audit[1].at("action").as_string(), "account.credit");
  EXPECT_EQ(audit[1].at("detail").at("amount").as_int64(), 5000);
  EXPECT_EQ(audit[2].at("action").as_string(), "account.create");
  for (const auto& e : audit) {
    EXPECT_EQ(e.at("admin").as_string(), "alice");
    EXPECT_EQ(e.at("target").as_string(), uid);
    EXPECT_GT(e.at("at").as_int64(), 0);
  }
}

TEST_F(AdminApiTest, ErrorsNameTheFieldAndUseHttpStatuses) {
  start();
  auto r = bearer(bhttp::verb::post, "accounts", R"({"name":"T","level":"gold"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("error").at("field").as_string(), "level");
  EXPECT_EQ(bearer(bhttp::verb::get, "accounts/NOPE").status, 404u);
  EXPECT_EQ(bearer(bhttp::verb::get, "orders?status=lost").json().at("error").at("field").as_string(),
            "status");
  EXPECT_EQ(bearer(bhttp::verb::delete_, "accounts").status, 405u);
  auto patch = bearer(bhttp::verb::patch, "services/game/G1", R"({"prices":{"standar":-1}})");
  EXPECT_EQ(patch.status, 400u);
  EXPECT_EQ(patch.json().at("error").at("field").as_string(), "prices.standar");
  EXPECT_EQ(bearer(bhttp::verb::post, "accounts", "[1,2]").status, 400u);
}

TEST_F(AdminApiTest, AnOperatorsWholeFlow) {
  start();
  Session s = signIn();
  // A new account, with money.
  auto created = data(call(bhttp::verb::post, "accounts", R"({"name":"Toko Flow"})", s.headers()));
  const Reseller reseller{std::string(created.at("account").at("user_id").as_string()),
                          std::string(created.at("api_key").as_string())};
  auto credit = call(bhttp::verb::post, "accounts/" + reseller.user_id + "/credit",
                     R"({"amount":50000,"note":"transfer BCA"})", s.headers());
  ASSERT_EQ(credit.status, 200u) << credit.body;
  EXPECT_EQ(data(credit).at("balance").as_int64(), 50000);

  // The catalog through the API: a price change is what the reseller pays.
  auto patched = call(bhttp::verb::patch, "services/game/G1",
                      R"({"prices":{"standar":12000},"cutoff":"00:00-00:00"})", s.headers());
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(data(patched).at("service").at("prices").at("standar").as_int64(), 12000);

  // The reseller orders once the server's cache has the new price.
  ASSERT_TRUE(eventually([&] {
    return api_->postForm("/api/game", reseller.auth("service")).body.find("\"current\":12000") !=
           std::string::npos;
  }));
  OrderAnswer placed = postOrder(*api_, reseller, "game", "G1", "12345");
  ASSERT_TRUE(placed.ok) << placed.message;
  EXPECT_EQ(placed.price, 12000);

  // The operator finds it by the filters...
  auto found = data(call(bhttp::verb::get,
                         "orders?user_id=" + reseller.user_id + "&status=waiting&service=G1&kind=game", "",
                         s.headers()));
  ASSERT_EQ(found.at("orders").as_array().size(), 1u);
  EXPECT_EQ(found.at("orders").at(0).at("ref_id").as_string(), placed.ref_id);
  EXPECT_EQ(found.at("orders").at(0).at("user_id").as_string(), reseller.user_id);
  EXPECT_EQ(
      data(call(bhttp::verb::get, "orders?status=success", "", s.headers())).at("orders").as_array().size(),
      0u);
  auto by_ref = data(call(bhttp::verb::get, "orders?ref_id=" + placed.ref_id, "", s.headers()));
  ASSERT_EQ(by_ref.at("orders").as_array().size(), 1u);

  // ...completes it by hand, through the state machine...
  auto done = call(bhttp::verb::post, "orders/" + placed.ref_id + "/status",
                   R"({"status":"success","voucher":"SN-1"})", s.headers());
  ASSERT_EQ(done.status, 200u) << done.body;
  EXPECT_EQ(data(done).at("order").at("status").as_string(), "success");
  // ...which allows no second ending.
  auto again =
      call(bhttp::verb::post, "orders/" + placed.ref_id + "/status", R"({"status":"error"})", s.headers());
  EXPECT_EQ(again.status, 409u) << again.body;

  // The reseller sees it; the story has the change by the operator.
  auto status = orderStatus(*api_, reseller, "game", placed.ref_id);
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status.at("status").as_string(), "success");
  auto story = data(call(bhttp::verb::get, "orders/" + placed.ref_id, "", s.headers()));
  EXPECT_EQ(story.at("order").at("voucher").as_string(), "SN-1");
  bool by_alice = false;
  for (const auto& e : story.at("events").as_array()) {
    if (std::string(e.at("detail").as_string()).find("alice") != std::string::npos) by_alice = true;
  }
  EXPECT_TRUE(by_alice) << json::serialize(story);

  // Balance and ledger.
  auto account = data(call(bhttp::verb::get, "accounts/" + reseller.user_id, "", s.headers()));
  EXPECT_EQ(account.at("account").at("balance").as_int64(), 38000);
  auto ledger = account.at("ledger").as_array();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].at("amount").as_int64(), -12000);
  EXPECT_EQ(ledger[0].at("reason").as_string(), "order");
  EXPECT_EQ(ledger[1].at("amount").as_int64(), 50000);

  // The dashboard counts it today.
  auto dash = data(call(bhttp::verb::get, "dashboard", "", s.headers()));
  EXPECT_EQ(dash.at("today").at("orders").as_int64(), 1);
  EXPECT_EQ(dash.at("today").at("revenue").as_int64(), 12000);
  EXPECT_EQ(dash.at("today").at("profit").as_int64(), 12000);  // no route: no cost
  EXPECT_EQ(dash.at("last_30_days").at("orders").as_int64(), 1);
  EXPECT_EQ(dash.at("days").as_array().size(), 30u);
  EXPECT_EQ(dash.at("by_status").at("success").as_int64(), 1);
  ASSERT_EQ(dash.at("top_services").as_array().size(), 1u);
  EXPECT_EQ(dash.at("top_services").at(0).at("code").as_string(), "G1");

  // An error refunds; the dashboard shows the refund.
  OrderAnswer second = postOrder(*api_, reseller, "game", "G1", "777");
  ASSERT_TRUE(second.ok) << second.message;
  auto failed =
      call(bhttp::verb::post, "orders/" + second.ref_id + "/status", R"({"status":"error"})", s.headers());
  ASSERT_EQ(failed.status, 200u) << failed.body;
  EXPECT_EQ(data(failed).at("refund").as_int64(), 12000);
  dash = data(call(bhttp::verb::get, "dashboard", "", s.headers()));
  EXPECT_EQ(dash.at("today").at("orders").as_int64(), 2);
  EXPECT_EQ(dash.at("today").at("refunds").as_int64(), 12000);
  EXPECT_EQ(dash.at("today").at("profit").as_int64(), 12000);
  EXPECT_EQ(books(db_, reseller.user_id).balance, 38000);
}

TEST_F(AdminApiTest, AccountsProvidersRoutesAndWebhooks) {
  auto add = runCli({"provider", "add", "kantor", "--dialect", "manual", "--db", db_});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  start();
  auto uid = std::string(data(bearer(bhttp::verb::post, "accounts", R"({"name":"Toko B"})"))
                             .at("account")
                             .at("user_id")
                             .as_string());
  const std::string base = "accounts/" + uid + "/";
  EXPECT_EQ(
      data(bearer(bhttp::verb::post, base + "level", R"({"level":"spesial"})")).at("account").at("level"),
      "spesial");
  EXPECT_EQ(bearer(bhttp::verb::post, base + "price", R"({"kind":"game","code":"G1","price":9000})").status,
            200u);
  auto detail = data(bearer(bhttp::verb::get, "accounts/" + uid));
  ASSERT_EQ(detail.at("price_overrides").as_array().size(), 1u);
  EXPECT_EQ(detail.at("price_overrides").at(0).at("price").as_int64(), 9000);
  EXPECT_EQ(bearer(bhttp::verb::post, base + "price", R"({"kind":"game","code":"G1","price":null})").status,
            200u);
  EXPECT_EQ(data(bearer(bhttp::verb::get, "accounts/" + uid)).at("price_overrides").as_array().size(), 0u);
  auto key = data(bearer(bhttp::verb::post, base + "rotate-key"));
  EXPECT_EQ(key.at("api_key").as_string().size(), 40u);
  auto hook = bearer(bhttp::verb::post, base + "callback", R"({"url":"ftp://x"})");
  EXPECT_EQ(hook.status, 400u);
  EXPECT_EQ(hook.json().at("error").at("field").as_string(), "url");
  EXPECT_EQ(data(bearer(bhttp::verb::post, base + "callback", R"({"url":"https://r.example/cb"})"))
                .at("secret")
                .as_string()
                .size(),
            40u);
  EXPECT_EQ(data(bearer(bhttp::verb::post, base + "suspend")).at("account").at("status"), "suspended");
  EXPECT_EQ(data(bearer(bhttp::verb::post, base + "activate")).at("account").at("status"), "active");

  auto routes = bearer(bhttp::verb::put, "services/game/G1/routes",
                       R"({"routes":[{"provider":"kantor","service":"X1","cost":7000}]})");
  ASSERT_EQ(routes.status, 200u) << routes.body;
  auto listed = data(bearer(bhttp::verb::get, "services/game/G1/routes")).at("routes").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("provider").as_string(), "kantor");
  EXPECT_EQ(listed[0].at("cost").as_int64(), 7000);
  auto unknown = bearer(bhttp::verb::put, "services/game/G1/routes",
                        R"({"routes":[{"provider":"nope","service":"X","cost":1}]})");
  EXPECT_EQ(unknown.status, 404u);

  EXPECT_EQ(
      data(bearer(bhttp::verb::post, "providers/kantor/disable")).at("provider").at("enabled").as_bool(),
      false);
  auto providers = data(bearer(bhttp::verb::get, "providers")).at("providers").as_array();
  ASSERT_EQ(providers.size(), 1u);
  EXPECT_FALSE(providers[0].as_object().contains("api_key"));
  EXPECT_EQ(data(bearer(bhttp::verb::post, "providers/kantor/enable")).at("provider").at("enabled").as_bool(),
            true);

  auto services = data(bearer(bhttp::verb::get, "services?kind=game")).at("services").as_array();
  ASSERT_EQ(services.size(), 1u);
  EXPECT_EQ(services[0].at("code").as_string(), "G1");
  EXPECT_EQ(data(bearer(bhttp::verb::get, "services?kind=social-media")).at("services").as_array().size(),
            0u);

  EXPECT_EQ(data(bearer(bhttp::verb::get, "webhooks?status=failed")).at("webhooks").as_array().size(), 0u);
  EXPECT_EQ(bearer(bhttp::verb::post, "webhooks/999/replay").status, 404u);
}

// `serve --demo` makes the console usable at once: an operator "admin" whose password
// is printed once; a restart prints none and keeps that operator.
TEST(DemoOperator, IsCreatedOnceAndCanSignIn) {
  TempDir dir;
  const std::string db = testDatabase(dir, "demo.db");
  std::string password;
  {
    ServerProcess server(db, {"--demo"});
    const std::string log = server.log();
    const std::string marker = "sign in as admin / ";
    const auto at = log.find(marker);
    ASSERT_NE(at, std::string::npos) << log;
    password = log.substr(at + marker.size(), log.find('\n', at) - at - marker.size());
    ASSERT_GE(password.size(), 10u);
    HttpClient admin(server.adminPort());
    const auto body = json::serialize(json::object{{"username", "admin"}, {"password", password}});
    EXPECT_EQ(admin.request(bhttp::verb::post, "/admin/api/login", "application/json", body, {}).status,
              200u);
  }
  ServerProcess again(db, {"--demo"});
  EXPECT_EQ(again.log().find("sign in as admin"), std::string::npos);
  auto listed = runCli({"admin", "list", "--db", db});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("admin"), std::string::npos);
}

}  // namespace
}  // namespace warung::testing
