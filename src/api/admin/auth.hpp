#pragma once
// Who is calling the admin API, and may they change things.
//
// Two ways in:
//  - A session: POST /admin/api/login with a username and password (Argon2id) sets the
//    cookie `warung_session` (HttpOnly, SameSite=Strict, Path=/admin, Secure when
//    `secure_cookies`) and answers a CSRF token. The session is stored as sha256 of the
//    cookie value. Expiry slides: each authenticated request moves it to now +
//    session_ttl_s, never past created_at + session_max_s. Every change (any method
//    but GET/HEAD) made with a session must carry `X-CSRF-Token` equal to the
//    session's token.
//  - A script token: `Authorization: Bearer <token>` (made by `warung admin token
//    create`, stored as sha256). A bearer request is not sent by a browser on its own,
//    so it needs no CSRF token.
// When both are present the bearer token decides.
//
// Sign-in throttling: LoginThrottle (in memory, per process) by username and by
// client address.
//
// Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/admin/throttle.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "http/server.hpp"
#include "store/admin_store.hpp"

namespace warung::api::admin {

struct AdminConfig {
  std::int64_t session_ttl_s = 8 * 3600;   // sliding: idle this long and the session ends
  std::int64_t session_max_s = 7 * 86400;  // absolute: no session lives longer
  bool secure_cookies = false;             // add Secure to the cookie (behind TLS)
  int max_login_failures = 5;              // per username and per client address...
  std::int64_t login_window_s = 900;       // ...within this window; then 429
  std::int64_t stuck_after_s = 3600;       // dashboard: waiting/processing longer than this
};

inline constexpr std::string_view kSessionCookie = "warung_session";
inline constexpr std::size_t kMinPasswordLength = 10;

struct Principal {
  std::int64_t admin_id = 0;
  std::string username;
  bool via_session = false;  // false: bearer token
  std::string csrf_token;    // sessions only
  std::string session_hash;  // sessions only
  std::int64_t expires_at = 0;
};

struct SignedIn {
  std::string session_token;  // the cookie value; never stored
  std::string csrf_token;
  std::string username;
  std::int64_t expires_at = 0;
};

class AdminAuth {
 public:
  AdminAuth(AdminConfig config, store::AdminStore& store, const Clock& clock);

  const AdminConfig& config() const { return config_; }

  // Seconds the caller must wait before another sign-in for `username` from `address`
  // (0: may try now).
  std::int64_t loginRetryAfter(std::string_view username, std::string_view address);
  // Checks the password and opens a session. kUnauthenticated for an unknown user, a
  // disabled one or a wrong password (one answer for all, and about the same time);
  // each failure counts towards the throttle.
  Result<SignedIn> login(std::string_view username, std::string_view password, std::string_view address);
  // The caller behind `req`'s bearer token or session cookie; kUnauthenticated when
  // neither is valid.
  Result<Principal> authenticate(const http::Request& req);
  // kForbidden when `req` changes something over a session without the right
  // X-CSRF-Token.
  Status checkCsrf(const Principal& p, const http::Request& req) const;
  Status logout(const Principal& p);

  // Set-Cookie values.
  std::string sessionCookie(const SignedIn& s) const;
  std::string clearedCookie() const;

 private:
  AdminConfig config_;
  store::AdminStore& store_;
  const Clock& clock_;
  LoginThrottle throttle_;
};

// Helpers, exposed for tests.
// The value of cookie `name` in a Cookie header ("" when absent).
std::string_view cookieValue(std::string_view header, std::string_view name);
// The token of "Bearer <token>" ("" when the header is something else).
std::string_view bearerToken(std::string_view header);
// Creates a script token for `admin`; returns the token (shown once).
Result<std::string> createAdminToken(store::AdminStore& store, std::string_view admin, std::string_view name,
                                     std::int64_t now);

}  // namespace warung::api::admin
