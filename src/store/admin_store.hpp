#pragma once
// Storage for the operator's console: operator accounts (admins), their sign-in
// sessions and script tokens, the audit log, and the read-only figures the dashboard
// shows. Implemented by store/sqlite and store/postgres on the same database as the
// Store. Same error conventions and thread-safety as store.hpp.
//
// Secrets are never stored: sessions and tokens are kept as the sha256 hex of the
// random value handed out, passwords as Argon2id hashes (common/password.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.hpp"
#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::store {

struct Admin {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;  // Argon2id, encoded
  std::int64_t created_at = 0;
  bool disabled = false;
};

struct AdminSession {
  std::string token_hash;  // sha256 hex of the cookie value
  std::int64_t admin_id = 0;
  std::string username;    // filled when read
  std::string csrf_token;  // sent back in X-CSRF-Token on every change
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::int64_t last_seen = 0;
};

struct AdminToken {
  std::string token_hash;  // sha256 hex of the bearer token
  std::int64_t admin_id = 0;
  std::string username;  // filled when read
  std::string name;      // unique among tokens, chosen by the operator
  std::int64_t created_at = 0;
  bool revoked = false;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::string admin;   // username, or "cli" for the command line
  std::string action;  // "account.credit", "order.status", ...
  std::string target;  // user id, ref_id, "game/ML86", provider name, ...
  std::string detail;  // JSON object
};

struct AuditFilter {
  std::optional<std::string> admin;
  std::optional<std::string> action;
  std::optional<std::string> target;
  int limit = 100;
  int offset = 0;
};

// Orders created in a time range, with their money. revenue: the charges; refunds:
// refund ledger rows of those orders; cost: what the provider that took each order
// charges on its route (routes.cost at query time, per 1,000 units for social media,
// for the delivered units of success and partial orders only).
struct OrderTotals {
  std::int64_t orders = 0;
  Money revenue;
  Money refunds;
  Money cost;
};

struct StatusCount {
  domain::OrderStatus status = domain::OrderStatus::kWaiting;
  std::int64_t orders = 0;
};

struct TopService {
  domain::Kind kind = domain::Kind::kSocialMedia;
  std::string code;
  std::string name;
  std::int64_t orders = 0;
  Money revenue;
};

class AdminStore {
 public:
  virtual ~AdminStore() = default;

  // --- operators (username unique: kConflict; empty: kInvalidArgument)
  virtual Result<Admin> createAdmin(std::string_view username, std::string_view password_hash,
                                    std::int64_t now) = 0;
  virtual Result<std::vector<Admin>> listAdmins() = 0;
  virtual Result<Admin> findAdmin(std::string_view username) = 0;  // kNotFound

  // --- sessions
  virtual Status createSession(const AdminSession& s) = 0;
  // The session if it exists, has not expired at `now` and its admin is enabled
  // (kNotFound otherwise). Slides expiry: last_seen = now, expires_at = now + ttl_s
  // (but never past absolute_limit from created_at).
  virtual Result<AdminSession> touchSession(std::string_view token_hash, std::int64_t now, std::int64_t ttl_s,
                                            std::int64_t absolute_limit_s) = 0;
  virtual Status deleteSession(std::string_view token_hash) = 0;  // no error when absent

  // --- script tokens (name unique: kConflict)
  virtual Status createToken(const AdminToken& t) = 0;
  // A token that is not revoked and whose admin is enabled (kNotFound otherwise).
  virtual Result<AdminToken> findToken(std::string_view token_hash) = 0;
  virtual Status revokeToken(std::string_view name) = 0;  // kNotFound
  virtual Result<std::vector<AdminToken>> listTokens() = 0;

  // --- audit log (newest first)
  virtual Status appendAudit(const AuditEntry& e) = 0;
  virtual Result<std::vector<AuditEntry>> listAudit(const AuditFilter& f) = 0;

  // --- dashboard figures; times are Unix seconds, `from` inclusive, `to` exclusive
  virtual Result<OrderTotals> orderTotals(std::int64_t from, std::int64_t to) = 0;
  // Every order, by current status (statuses without orders omitted).
  virtual Result<std::vector<StatusCount>> ordersByStatus() = 0;
  // The services with the most orders created in the range, most first.
  virtual Result<std::vector<TopService>> topServices(std::int64_t from, std::int64_t to, int limit) = 0;
  // Orders in waiting or processing whose last change is older than `updated_before`,
  // oldest first.
  virtual Result<std::vector<domain::Order>> stuckOrders(std::int64_t updated_before, int limit) = 0;
};

}  // namespace warung::store
