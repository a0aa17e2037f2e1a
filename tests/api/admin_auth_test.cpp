// The admin API's building blocks without a socket: sign-in throttling, cookie and
// bearer parsing, and AdminAuth's sessions, CSRF check and expiry over a fake store.
#include <gtest/gtest.h>

#include <map>

#include "api/admin/auth.hpp"
#include "api/admin/throttle.hpp"
#include "common/crypto.hpp"
#include "common/password.hpp"

namespace warung::api::admin {
namespace {

namespace bhttp = boost::beast::http;

TEST(LoginThrottle, BlocksAfterMaxFailuresWithinTheWindow) {
  LoginThrottle t(3, 100);
  EXPECT_EQ(t.retryAfter("u:alice", 1000), 0);
  t.recordFailure("u:alice", 1000);
  t.recordFailure("u:alice", 1010);
  EXPECT_EQ(t.retryAfter("u:alice", 1010), 0);
  t.recordFailure("u:alice", 1020);
  // Free again when the oldest of the three leaves the window (1000 + 100).
  EXPECT_EQ(t.retryAfter("u:alice", 1020), 80);
  EXPECT_EQ(t.retryAfter("u:alice", 1099), 1);
  EXPECT_EQ(t.retryAfter("u:alice", 1100), 0);
  // Other keys are unaffected; reset forgets.
  EXPECT_EQ(t.retryAfter("u:bob", 1020), 0);
  t.recordFailure("u:alice", 1101);
  EXPECT_GT(t.retryAfter("u:alice", 1101), 0);
  t.reset("u:alice");
  EXPECT_EQ(t.retryAfter("u:alice", 1101), 0);
}

TEST(AdminAuthParsing, CookiesAndBearerTokens) {
  EXPECT_EQ(cookieValue("a=1; warung_session=abc ; b=2", "warung_session"), "abc");
  EXPECT_EQ(cookieValue("warung_sessionx=1", "warung_session"), "");
  EXPECT_EQ(cookieValue("", "warung_session"), "");
  EXPECT_EQ(bearerToken("Bearer tok123"), "tok123");
  EXPECT_EQ(bearerToken("bearer  tok123 "), "tok123");
  EXPECT_EQ(bearerToken("Basic abc"), "");
  EXPECT_EQ(bearerToken("Bearer "), "");
}

TEST(Password, HashesWithArgon2idAndVerifies) {
  auto h = password::hash("correct horse");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(password::verify(*h, "correct horse"));
  EXPECT_FALSE(password::verify(*h, "correct hors"));
  EXPECT_FALSE(password::verify("garbage", "correct horse"));
  EXPECT_EQ(password::randomToken().size(), 64u);
  EXPECT_NE(password::randomToken(), password::randomToken());
}

// Only what AdminAuth uses; sessions expire exactly as the SQL does.
class FakeAdminStore final : public store::AdminStore {
 public:
  Result<store::Admin> createAdmin(std::string_view u, std::string_view h, std::int64_t now) override {
    admins_[std::string(u)] = {static_cast<std::int64_t>(admins_.size() + 1), std::string(u), std::string(h),
                               now, false};
    return admins_[std::string(u)];
  }
  Result<std::vector<store::Admin>> listAdmins() override { return std::vector<store::Admin>{}; }
  Result<store::Admin> findAdmin(std::string_view u) override {
    auto it = admins_.find(std::string(u));
    if (it == admins_.end()) return makeError(Errc::kNotFound, "admin not found");
    return it->second;
  }
  Status createSession(const store::AdminSession& s) override {
    sessions_[s.token_hash] = s;
    return okStatus();
  }
  Result<store::AdminSession> touchSession(std::string_view h, std::int64_t now, std::int64_t ttl,
                                           std::int64_t max) override {
    auto it = sessions_.find(std::string(h));
    if (it == sessions_.end() || it->second.expires_at <= now)
      return makeError(Errc::kNotFound, "no session");
    it->second.last_seen = now;
    it->second.expires_at = std::min(now + ttl, it->second.created_at + max);
    return it->second;
  }
  Status deleteSession(std::string_view h) override {
    sessions_.erase(std::string(h));
    return okStatus();
  }
  Status createToken(const store::AdminToken&) override { return okStatus(); }
  Result<store::AdminToken> findToken(std::string_view) override { return makeError(Errc::kNotFound, "no"); }
  Status revokeToken(std::string_view) override { return okStatus(); }
  Result<std::vector<store::AdminToken>> listTokens() override { return std::vector<store::AdminToken>{}; }
  Status appendAudit(const store::AuditEntry&) override { return okStatus(); }
  Result<std::vector<store::AuditEntry>> listAudit(const store::AuditFilter&) override {
    return std::vector<store::AuditEntry>{};
  }
  Result<store::OrderTotals> orderTotals(std::int64_t, std::int64_t) override { return store::OrderTotals{}; }
  Result<std::vector<store::StatusCount>> ordersByStatus() override {
    return std::vector<store::StatusCount>{};
  }
  Result<std::vector<store::TopService>> topServices(std::int64_t, std::int64_t, int) override {
    return std::vector<store::TopService>{};
  }
  Result<std::vector<domain::Order>> stuckOrders(std::int64_t, int) override {
    return std::vector<domain::Order>{};
  }

 private:
  std::map<std::string, store::Admin> admins_;
  std::map<std::string, store::AdminSession> sessions_;
};

http::Request request(bhttp::verb m, const std::string& cookie, const std::string& csrf = "") {
  http::Request r{m, "/admin/api/me", 11};
  if (!cookie.empty()) r.set(bhttp::field::cookie, "warung_session=" + cookie);
  if (!csrf.empty()) r.set("X-CSRF-Token", csrf);
  return r;
}

TEST(AdminAuth, SessionsSlideExpireAndNeedCsrfForChanges) {
  FakeAdminStore store;
  FixedClock clock(1'000'000);
  AdminConfig config;
  config.session_ttl_s = 60;
  config.session_max_s = 200;
  config.max_login_failures = 2;
  AdminAuth auth(config, store, clock);
  ASSERT_TRUE(store.createAdmin("alice", *password::hash("long enough pw"), 0));

  EXPECT_EQ(auth.login("alice", "wrong", "10.0.0.1").error().code, Errc::kUnauthenticated);
  EXPECT_EQ(auth.loginRetryAfter("alice", "10.0.0.2"), 0);
  auto s = auth.login("alice", "long enough pw", "10.0.0.1");
  ASSERT_TRUE(s);
  const std::string cookie = auth.sessionCookie(*s);
  EXPECT_NE(cookie.find("HttpOnly; SameSite=Strict; Path=/admin"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);

  auto who = auth.authenticate(request(bhttp::verb::get, s->session_token));
  ASSERT_TRUE(who);
  EXPECT_EQ(who->username, "alice");
  EXPECT_TRUE(auth.checkCsrf(*who, request(bhttp::verb::get, s->session_token)));
  EXPECT_EQ(auth.checkCsrf(*who, request(bhttp::verb::post, s->session_token)).error().code,
            Errc::kForbidden);
  EXPECT_EQ(auth.checkCsrf(*who, request(bhttp::verb::post, s->session_token, "x")).error().code,
            Errc::kForbidden);
  EXPECT_TRUE(auth.checkCsrf(*who, request(bhttp::verb::post, s->session_token, s->csrf_token)));

  // Sliding: a request at +50 s keeps it alive until +110 s.
  clock.set(1'000'050);
  ASSERT_TRUE(auth.authenticate(request(bhttp::verb::get, s->session_token)));
  clock.set(1'000'100);
  ASSERT_TRUE(auth.authenticate(request(bhttp::verb::get, s->session_token)));
  // Absolute: never past created + 200 s, however active.
  clock.set(1'000'150);
  ASSERT_TRUE(auth.authenticate(request(bhttp::verb::get, s->session_token)));
  clock.set(1'000'199);
  ASSERT_TRUE(auth.authenticate(request(bhttp::verb::get, s->session_token)));
  clock.set(1'000'200);
  EXPECT_EQ(auth.authenticate(request(bhttp::verb::get, s->session_token)).error().code,
            Errc::kUnauthenticated);

  EXPECT_EQ(auth.authenticate(request(bhttp::verb::get, "")).error().code, Errc::kUnauthenticated);
  EXPECT_EQ(auth.authenticate(request(bhttp::verb::get, "forged")).error().code, Errc::kUnauthenticated);
}

TEST(AdminAuth, SecureCookiesWhenConfigured) {
  FakeAdminStore store;
  FixedClock clock(0);
  AdminConfig config;
  config.secure_cookies = true;
  AdminAuth auth(config, store, clock);
  EXPECT_NE(auth.sessionCookie(SignedIn{"t", "c", "alice", 0}).find("; Secure"), std::string::npos);
  EXPECT_NE(auth.clearedCookie().find("Max-Age=0"), std::string::npos);
}

}  // namespace
}  // namespace warung::api::admin
