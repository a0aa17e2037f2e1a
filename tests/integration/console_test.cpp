// The operator's console on the admin listener, against the real server: its files on
// every path outside /admin/api/, the admin API unchanged beside them, and a console
// that was not built answered with a 503 that says how to build it.
#include <gtest/gtest.h>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace bhttp = boost::beast::http;

constexpr const char* kIndexHtml =
    "<!doctype html><title>warung</title><script type=module src=/assets/app.js></script>";

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testDatabase(dir_, "w.db");
    for (int i = 0; i < 100; ++i) app_js_ += "console.log('page " + std::to_string(i) + "');\n";
  }

  // A console build in the test's directory: index.html and assets/app.js.
  std::string writeConsole() {
    const std::string console = dir_.file("console");
    fs::create_directories(console + "/assets");
    writeText(console + "/index.html", kIndexHtml);
    writeText(console + "/assets/app.js", app_js_);
    return console;
  }

  void start(const std::string& console_dir) {
    writeText(dir_.file("w.toml"), "[admin]\nconsole_dir = \"" + console_dir + "\"\n");
    server_ = std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--config", dir_.file("w.toml")});
    admin_ = std::make_unique<HttpClient>(server_->adminPort());
  }

  HttpClient::Reply get(const std::string& path,
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return admin_->request(bhttp::verb::get, path, "", "", headers);
  }

  // GET /admin/api/me without credentials: the API's own 401, not a console page.
  void expectApiAnswers() {
    auto me = get("/admin/api/me");
    EXPECT_EQ(me.status, 401u) << me.body;
    EXPECT_EQ(me.content_type, "application/json");
    ASSERT_TRUE(me.json().is_object()) << me.body;
    EXPECT_EQ(me.json().at("error").at("code").as_string(), "unauthenticated");
  }

  static void expectSecurityHeaders(const HttpClient::Reply& r, const std::string& path) {
    EXPECT_EQ(
        r.raw["Content-Security-Policy"],
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        << path;
    EXPECT_EQ(r.raw["X-Content-Type-Options"], "nosniff") << path;
    EXPECT_EQ(r.raw["X-Frame-Options"], "DENY") << path;
    EXPECT_EQ(r.raw["Referrer-Policy"], "no-referrer") << path;
  }

  TempDir dir_;
  std::string db_;
  std::string app_js_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> admin_;
};

TEST_F(ConsoleTest, ServesTheConsoleBesideTheAdminApi) {
  start(writeConsole());
  EXPECT_NE(server_->log().find("console: 2 files"), std::string::npos) << server_->log();

  for (const std::string path : {"/", "/orders/X", "/accounts/U1?tab=ledger"}) {
    auto page = get(path);
    EXPECT_EQ(page.status, 200u) << path;
    EXPECT_EQ(page.body, kIndexHtml) << path;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(page.raw[bhttp::field::cache_control], "no-cache") << path;
    expectSecurityHeaders(page, path);
  }

  auto js = get("/assets/app.js");
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.body, app_js_);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.raw[bhttp::field::cache_control], "public, max-age=31536000, immutable");
  expectSecurityHeaders(js, "/assets/app.js");
  const std::string etag(js.raw[bhttp::field::etag]);
  EXPECT_EQ(get("/assets/app.js", {{"If-None-Match", etag}}).status, 304u);
  auto gz = get("/assets/app.js", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz.raw[bhttp::field::content_encoding], "gzip");
  EXPECT_LT(gz.body.size(), app_js_.size());

  EXPECT_EQ(get("/assets/missing.js").status, 404u);
  EXPECT_EQ(get("/../w.db").status, 400u);
  expectApiAnswers();
  // The console is on the admin listener only.
  HttpClient api(server_->port());
  EXPECT_EQ(api.request(bhttp::verb::get, "/", "", "").status, 404u);
}

TEST_F(ConsoleTest, ConsoleNotBuiltIs503AndTheApiStillWorks) {
  start(dir_.file("not-built"));
  EXPECT_NE(server_->log().find("console not served"), std::string::npos) << server_->log();

  for (const std::string path : {"/", "/orders/X", "/assets/app.js"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 503u) << path;
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8") << path;
    EXPECT_NE(r.body.find("not built"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("`make`"), std::string::npos) << r.body;
    expectSecurityHeaders(r, path);
  }
  expectApiAnswers();
  // Signed in, the API does its work as ever.
  ASSERT_EQ(
      runCli({"admin", "create", "alice", "--password", "correct horse battery", "--db", db_}).exit_code, 0);
  auto login = admin_->postJson(
      "/admin/api/login", boost::json::object{{"username", "alice"}, {"password", "correct horse battery"}});
  EXPECT_EQ(login.status, 200u) << login.body;
  EXPECT_TRUE(server_->alive());
}

}  // namespace
}  // namespace warung::testing
