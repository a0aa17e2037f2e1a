#include "api/admin/auth.hpp"

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "common/password.hpp"

namespace warung::api::admin {
namespace {

namespace bhttp = boost::beast::http;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool changes(const http::Request& req) {
  const auto m = req.method();
  return m != bhttp::verb::get && m != bhttp::verb::head && m != bhttp::verb::options;
}

// A valid Argon2id hash of a random password: unknown usernames are checked against
// it so that they take as long as a wrong password.
const std::string& decoyHash() {
  static const std::string h = [] {
    auto r = password::hash(password::randomToken());
    return r ? *r : std::string();
  }();
  return h;
}

Error unauthenticated() {
  return makeError(Errc::kUnauthenticated, "sign in first (session expired or missing)");
}

}  // namespace

std::string_view cookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view part = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(part.substr(0, eq)) == name) return trim(part.substr(eq + 1));
  }
  return {};
}

std::string_view bearerToken(std::string_view header) {
  header = trim(header);
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size()) return {};
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kPrefix[i]))) {
      return {};
    }
  }
  return trim(header.substr(kPrefix.size()));
}

Result<std::string> createAdminToken(store::AdminStore& store, std::string_view admin, std::string_view name,
                                     std::int64_t now) {
  auto a = store.findAdmin(admin);
  if (!a) return a.error();
  const std::string token = password::randomToken();
  auto st = store.createToken({crypto::sha256Hex(token), a->id, a->username, std::string(name), now, false});
  if (!st) return st.error();
  return token;
}

AdminAuth::AdminAuth(AdminConfig config, store::AdminStore& store, const Clock& clock)
    : config_(config),
      store_(store),
      clock_(clock),
      throttle_(config.max_login_failures, config.login_window_s) {}

std::int64_t AdminAuth::loginRetryAfter(std::string_view username, std::string_view address) {
  const std::int64_t now = clock_.nowUnix();
  return std::max(throttle_.retryAfter("u:" + std::string(username), now),
                  throttle_.retryAfter("a:" + std::string(address), now));
}

Result<SignedIn> AdminAuth::login(std::string_view username, std::string_view password_text,
                                  std::string_view address) {
  const std::int64_t now = clock_.nowUnix();
  auto admin = store_.findAdmin(username);
  if (!admin && admin.error().code != Errc::kNotFound) return admin.error();
  const bool ok = admin ? password::verify(admin->password_hash, password_text) && !admin->disabled
                        : (password::verify(decoyHash(), password_text), false);
  if (!ok) {
    throttle_.recordFailure("u:" + std::string(username), now);
    throttle_.recordFailure("a:" + std::string(address), now);
    return makeError(Errc::kUnauthenticated, "wrong username or password");
  }
  throttle_.reset("u:" + std::string(username));
  SignedIn s{password::randomToken(), password::randomToken(), admin->username,
             now + std::min(config_.session_ttl_s, config_.session_max_s)};
  store::AdminSession row{
      crypto::sha256Hex(s.session_token), admin->id, admin->username, s.csrf_token, now, s.expires_at, now};
  if (auto st = store_.createSession(row); !st) return st.error();
  return s;
}

Result<Principal> AdminAuth::authenticate(const http::Request& req) {
  const std::int64_t now = clock_.nowUnix();
  if (auto it = req.find(bhttp::field::authorization); it != req.end()) {
    const std::string_view token = bearerToken(it->value());
    if (token.empty()) return unauthenticated();
    auto t = store_.findToken(crypto::sha256Hex(token));
    if (!t) return t.error().code == Errc::kNotFound ? unauthenticated() : t.error();
    return Principal{t->admin_id, t->username, false, "", "", 0};
  }
  const std::string_view cookie = cookieValue(req[bhttp::field::cookie], kSessionCookie);
  if (cookie.empty()) return unauthenticated();
  const std::string hash = crypto::sha256Hex(cookie);
  auto s = store_.touchSession(hash, now, config_.session_ttl_s, config_.session_max_s);
  if (!s) return s.error().code == Errc::kNotFound ? unauthenticated() : s.error();
  return Principal{s->admin_id, s->username, true, s->csrf_token, hash, s->expires_at};
}

Status AdminAuth::checkCsrf(const Principal& p, const http::Request& req) const {
  if (!p.via_session || !changes(req)) return okStatus();
  const std::string_view sent = req["X-CSRF-Token"];
  if (sent.empty() || !password::equalConstantTime(sent, p.csrf_token)) {
    return makeError(Errc::kForbidden, "missing or wrong X-CSRF-Token header");
  }
  return okStatus();
}

Status AdminAuth::logout(const Principal& p) {
  if (!p.via_session) return okStatus();
  return store_.deleteSession(p.session_hash);
}

std::string AdminAuth::sessionCookie(const SignedIn& s) const {
  return fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={}{}", kSessionCookie,
                     s.session_token, config_.session_max_s, config_.secure_cookies ? "; Secure" : "");
}

std::string AdminAuth::clearedCookie() const {
  return fmt::format("{}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0{}", kSessionCookie,
                     config_.secure_cookies ? "; Secure" : "");
}

}  // namespace warung::api::admin
