// PostgresStore's AdminStore half: operators, sessions, script tokens, the audit log and
// the dashboard's figures. Contract: admin_store.hpp; the SQL mirrors
// store/sqlite/admin_store.cpp.
#include <algorithm>
#include <string>
#include <vector>

#include "store/postgres/pg.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/sql.hpp"
#include "store/postgres/store_internal.hpp"

namespace warung::store::postgres {
namespace {

using detail::atEdge;
using detail::kMaxListLimit;
using pg::Params;
using pg::Rows;

constexpr const char* kInsertAdmin =
    "INSERT INTO admins (username, password_hash, created_at, disabled) VALUES ($1, $2, $3, FALSE) RETURNING "
    "id";
constexpr const char* kSelectAdmins =
    "SELECT id, username, password_hash, created_at, disabled FROM admins ORDER BY username";
constexpr const char* kSelectAdmin =
    "SELECT id, username, password_hash, created_at, disabled FROM admins WHERE username = $1";

constexpr const char* kDeleteExpiredSessions = "DELETE FROM admin_sessions WHERE expires_at <= $1";
constexpr const char* kInsertSession =
    "INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at, last_seen)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kTouchSession =
    "UPDATE admin_sessions s SET last_seen = $2, expires_at = LEAST($2::bigint + $3::bigint, s.created_at + "
    "$4::bigint)"
    " FROM admins a WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.id = s.admin_id AND NOT a.disabled"
    " RETURNING s.admin_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen, a.username";
constexpr const char* kDeleteSession = "DELETE FROM admin_sessions WHERE token_hash = $1";

constexpr const char* kInsertToken =
    "INSERT INTO admin_tokens (token_hash, admin_id, name, created_at, revoked) VALUES ($1, $2, $3, $4, "
    "FALSE)";
constexpr const char* kSelectToken =
    "SELECT t.token_hash, t.admin_id, a.username, t.name, t.created_at, t.revoked"
    " FROM admin_tokens t JOIN admins a ON a.id = t.admin_id"
    " WHERE t.token_hash = $1 AND NOT t.revoked AND NOT a.disabled";
constexpr const char* kSelectTokens =
    "SELECT t.token_hash, t.admin_id, a.username, t.name, t.created_at, t.revoked"
    " FROM admin_tokens t JOIN admins a ON a.id = t.admin_id ORDER BY t.name";
constexpr const char* kRevokeToken = "UPDATE admin_tokens SET revoked = TRUE WHERE name = $1";

constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (at, admin, action, target, detail) VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kSelectAuditPrefix = "SELECT id, at, admin, action, target, detail FROM audit_log";

constexpr const char* kOrderCountRevenue =
    "SELECT COUNT(*), COALESCE(SUM(charge), 0) FROM orders WHERE created_at >= $1 AND created_at < $2";
constexpr const char* kOrderRefunds =
    "SELECT COALESCE(SUM(l.amount), 0) FROM orders o JOIN ledger l ON l.order_id = o.id AND l.reason = "
    "'refund'"
    " WHERE o.created_at >= $1 AND o.created_at < $2";
constexpr const char* kOrderCost =
    "SELECT COALESCE(SUM(CASE WHEN o.kind = 'social-media'"
    " THEN (r.cost * (o.quantity - CASE WHEN o.status = 'partial' THEN o.remain ELSE 0 END) + 999) / 1000"
    " ELSE r.cost END), 0)"
    " FROM orders o JOIN dispatch d ON d.order_id = o.id"
    " JOIN routes r ON r.service_id = o.service_id AND r.provider_id = d.provider_id"
    " WHERE o.created_at >= $1 AND o.created_at < $2 AND o.status IN ('success', 'partial')";
constexpr const char* kOrdersByStatus = "SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status";
constexpr const char* kTopServices =
    "SELECT kind, service_code, MAX(service_name), COUNT(*), SUM(charge) FROM orders"
    " WHERE created_at >= $1 AND created_at < $2 GROUP BY kind, service_code"
    " ORDER BY COUNT(*) DESC, SUM(charge) DESC, service_code LIMIT $3";
// Built once from sql.hpp's order columns; statements are cached by this address.
const char* stuckOrdersSql() {
  static const std::string q = std::string(sql::kSelectOrdersPrefix) +
                               " WHERE status IN ('waiting', 'processing') AND updated_at < $1"
                               " ORDER BY updated_at, id LIMIT $2";
  return q.c_str();
}

Admin readAdmin(const Rows& r, int i) {
  return Admin{r.int64(i, 0), r.str(i, 1), r.str(i, 2), r.int64(i, 3), r.boolean(i, 4)};
}

AdminToken readToken(const Rows& r, int i) {
  return AdminToken{r.str(i, 0), r.int64(i, 1), r.str(i, 2), r.str(i, 3), r.int64(i, 4), r.boolean(i, 5)};
}

}  // namespace

Result<Admin> PostgresStore::createAdmin(std::string_view username, std::string_view password_hash,
                                         std::int64_t now) {
  if (username.empty()) return makeError(Errc::kInvalidArgument, "username must not be empty");
  return atEdge("createAdmin", [&]() -> Result<Admin> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "createAdmin", [&](pg::Connection& c) -> Result<Admin> {
          try {
            const Rows r = c.run(kInsertAdmin, Params().add(username).add(password_hash).add(now));
            if (r.empty()) throw std::runtime_error("admin insert returned no id");
            return Admin{r.int64(0, 0), std::string(username), std::string(password_hash), now, false};
          } catch (const pg::Error& e) {
            if (e.uniqueViolation()) return makeError(Errc::kConflict, "an admin with this username exists");
            throw;
          }
        });
  });
}

Result<std::vector<Admin>> PostgresStore::listAdmins() {
  return atEdge("listAdmins", [&]() -> Result<std::vector<Admin>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "listAdmins",
                               [&](pg::Connection& c) -> Result<std::vector<Admin>> {
                                 const Rows r = c.run(kSelectAdmins);
                                 std::vector<Admin> out;
                                 for (int i = 0; i < r.size(); ++i) out.push_back(readAdmin(r, i));
                                 return out;
                               });
  });
}

Result<Admin> PostgresStore::findAdmin(std::string_view username) {
  return atEdge("findAdmin", [&]() -> Result<Admin> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findAdmin",
                               [&](pg::Connection& c) -> Result<Admin> {
                                 const Rows r = c.run(kSelectAdmin, Params().add(username));
                                 if (r.empty()) return makeError(Errc::kNotFound, "admin not found");
                                 return readAdmin(r, 0);
                               });
  });
}

Status PostgresStore::createSession(const AdminSession& s) {
  return atEdge("createSession", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "createSession", [&](pg::Connection& c) -> Status {
      c.run(kDeleteExpiredSessions, Params().add(s.created_at));
      try {
        c.run(kInsertSession, Params()
                                  .add(s.token_hash)
                                  .add(s.admin_id)
                                  .add(s.csrf_token)
                                  .add(s.created_at)
                                  .add(s.expires_at)
                                  .add(s.last_seen));
      } catch (const pg::Error& e) {
        if (e.foreignKeyViolation()) return makeError(Errc::kNotFound, "admin not found");
        if (e.uniqueViolation()) return makeError(Errc::kConflict, "session exists");
        throw;
      }
      return okStatus();
    });
  });
}

Result<AdminSession> PostgresStore::touchSession(std::string_view token_hash, std::int64_t now,
                                                 std::int64_t ttl_s, std::int64_t absolute_limit_s) {
  return atEdge("touchSession", [&]() -> Result<AdminSession> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "touchSession", [&](pg::Connection& c) -> Result<AdminSession> {
          const Rows r =
              c.run(kTouchSession, Params().add(token_hash).add(now).add(ttl_s).add(absolute_limit_s));
          if (r.empty()) return makeError(Errc::kNotFound, "no such session");
          return AdminSession{std::string(token_hash), r.int64(0, 0), r.str(0, 5),  r.str(0, 1),
                              r.int64(0, 2),           r.int64(0, 3), r.int64(0, 4)};
        });
  });
}

Status PostgresStore::deleteSession(std::string_view token_hash) {
  return atEdge("deleteSession", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "deleteSession", [&](pg::Connection& c) -> Status {
      c.run(kDeleteSession, Params().add(token_hash));
      return okStatus();
    });
  });
}

Status PostgresStore::createToken(const AdminToken& t) {
  if (t.name.empty()) return makeError(Errc::kInvalidArgument, "token name must not be empty");
  return atEdge("createToken", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "createToken", [&](pg::Connection& c) -> Status {
      try {
        c.run(kInsertToken, Params().add(t.token_hash).add(t.admin_id).add(t.name).add(t.created_at));
      } catch (const pg::Error& e) {
        if (e.foreignKeyViolation()) return makeError(Errc::kNotFound, "admin not found");
        if (e.uniqueViolation()) return makeError(Errc::kConflict, "a token with this name exists");
        throw;
      }
      return okStatus();
    });
  });
}

Result<AdminToken> PostgresStore::findToken(std::string_view token_hash) {
  return atEdge("findToken", [&]() -> Result<AdminToken> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findToken",
                               [&](pg::Connection& c) -> Result<AdminToken> {
                                 const Rows r = c.run(kSelectToken, Params().add(token_hash));
                                 if (r.empty()) return makeError(Errc::kNotFound, "no such token");
                                 return readToken(r, 0);
                               });
  });
}

Status PostgresStore::revokeToken(std::string_view name) {
  return atEdge("revokeToken", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "revokeToken", [&](pg::Connection& c) -> Status {
      if (c.run(kRevokeToken, Params().add(name)).affected() == 0) {
        return makeError(Errc::kNotFound, "no such token");
      }
      return okStatus();
    });
  });
}

Result<std::vector<AdminToken>> PostgresStore::listTokens() {
  return atEdge("listTokens", [&]() -> Result<std::vector<AdminToken>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "listTokens",
                               [&](pg::Connection& c) -> Result<std::vector<AdminToken>> {
                                 const Rows r = c.run(kSelectTokens);
                                 std::vector<AdminToken> out;
                                 for (int i = 0; i < r.size(); ++i) out.push_back(readToken(r, i));
                                 return out;
                               });
  });
}

Status PostgresStore::appendAudit(const AuditEntry& e) {
  return atEdge("appendAudit", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "appendAudit", [&](pg::Connection& c) -> Status {
      c.run(kInsertAudit, Params().add(e.at).add(e.admin).add(e.action).add(e.target).add(
                              e.detail.empty() ? std::string_view("{}") : std::string_view(e.detail)));
      return okStatus();
    });
  });
}

Result<std::vector<AuditEntry>> PostgresStore::listAudit(const AuditFilter& f) {
  return atEdge("listAudit", [&]() -> Result<std::vector<AuditEntry>> {
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "listAudit", [&](pg::Connection& c) -> Result<std::vector<AuditEntry>> {
          std::string query = kSelectAuditPrefix;
          Params p;
          auto where = [&](const char* column, const std::string& v) {
            query += p.size() == 0 ? " WHERE " : " AND ";
            query += column;
            query += " = $" + std::to_string(p.size() + 1);
            p.add(v);
          };
          if (f.admin) where("admin", *f.admin);
          if (f.action) where("action", *f.action);
          if (f.target) where("target", *f.target);
          query += " ORDER BY id DESC LIMIT $" + std::to_string(p.size() + 1) + " OFFSET $" +
                   std::to_string(p.size() + 2);
          p.add(std::clamp(f.limit, 1, kMaxListLimit));
          p.add(std::max(f.offset, 0));
          const Rows r = c.runText(query, p);
          std::vector<AuditEntry> out;
          for (int i = 0; i < r.size(); ++i) {
            out.push_back(
                AuditEntry{r.int64(i, 0), r.int64(i, 1), r.str(i, 2), r.str(i, 3), r.str(i, 4), r.str(i, 5)});
          }
          return out;
        });
  });
}

Result<OrderTotals> PostgresStore::orderTotals(std::int64_t from, std::int64_t to) {
  return atEdge("orderTotals", [&]() -> Result<OrderTotals> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "orderTotals",
        [&](pg::Connection& c) -> Result<OrderTotals> {
          OrderTotals t;
          const Rows a = c.run(kOrderCountRevenue, Params().add(from).add(to));
          t.orders = a.int64(0, 0);
          t.revenue = Money{a.int64(0, 1)};
          t.refunds = Money{c.run(kOrderRefunds, Params().add(from).add(to)).int64(0, 0)};
          t.cost = Money{c.run(kOrderCost, Params().add(from).add(to)).int64(0, 0)};
          return t;
        },
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  });
}

Result<std::vector<StatusCount>> PostgresStore::ordersByStatus() {
  return atEdge("ordersByStatus", [&]() -> Result<std::vector<StatusCount>> {
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "ordersByStatus",
        [&](pg::Connection& c) -> Result<std::vector<StatusCount>> {
          const Rows r = c.run(kOrdersByStatus);
          std::vector<StatusCount> out;
          for (int i = 0; i < r.size(); ++i) {
            const std::string s = r.str(i, 0);
            out.push_back(
                {detail::parsedOrThrow(domain::parseOrderStatus(s), "orders.status", s), r.int64(i, 1)});
          }
          return out;
        });
  });
}

Result<std::vector<TopService>> PostgresStore::topServices(std::int64_t from, std::int64_t to, int limit) {
  return atEdge("topServices", [&]() -> Result<std::vector<TopService>> {
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "topServices", [&](pg::Connection& c) -> Result<std::vector<TopService>> {
          const Rows r = c.run(kTopServices, Params().add(from).add(to).add(std::clamp(limit, 1, 1000)));
          std::vector<TopService> out;
          for (int i = 0; i < r.size(); ++i) {
            const std::string k = r.str(i, 0);
            out.push_back({detail::parsedOrThrow(domain::parseKind(k), "orders.kind", k), r.str(i, 1),
                           r.str(i, 2), r.int64(i, 3), Money{r.int64(i, 4)}});
          }
          return out;
        });
  });
}

Result<std::vector<domain::Order>> PostgresStore::stuckOrders(std::int64_t updated_before, int limit) {
  return atEdge("stuckOrders", [&]() -> Result<std::vector<domain::Order>> {
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "stuckOrders",
        [&](pg::Connection& c) -> Result<std::vector<domain::Order>> {
          const Rows r =
              c.run(stuckOrdersSql(), Params().add(updated_before).add(std::clamp(limit, 1, kMaxListLimit)));
          std::vector<domain::Order> out;
          for (int i = 0; i < r.size(); ++i) out.push_back(detail::readOrder(r, i));
          return out;
        });
  });
}

}  // namespace warung::store::postgres
