// SqliteStore's AdminStore half: operators, sessions, script tokens, the audit log and
// the dashboard's figures. Contract: admin_store.hpp. The SQL is here rather than in
// sql.hpp because nothing else uses it; the same rule holds: constants, bound values.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/store_internal.hpp"

namespace warung::store::sqlite {
namespace {

using detail::atEdge;
using detail::bindText;
using detail::isForeignKeyViolation;
using detail::isUniqueViolation;
using detail::kMaxListLimit;
using detail::StatementUse;

constexpr const char* kInsertAdmin =
    "INSERT INTO admins (username, password_hash, created_at, disabled) VALUES (?1, ?2, ?3, 0) RETURNING id";
constexpr const char* kSelectAdmins =
    "SELECT id, username, password_hash, created_at, disabled FROM admins ORDER BY username";
constexpr const char* kSelectAdmin =
    "SELECT id, username, password_hash, created_at, disabled FROM admins WHERE username = ?1";

constexpr const char* kDeleteExpiredSessions = "DELETE FROM admin_sessions WHERE expires_at <= ?1";
constexpr const char* kInsertSession =
    "INSERT INTO admin_sessions (token_hash, admin_id, csrf_token, created_at, expires_at, last_seen)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
// Sliding expiry, capped at created_at + the absolute limit; only live sessions of
// enabled admins are touched (and so found).
constexpr const char* kTouchSession =
    "UPDATE admin_sessions SET last_seen = ?2, expires_at = MIN(?2 + ?3, created_at + ?4)"
    " WHERE token_hash = ?1 AND expires_at > ?2"
    " AND admin_id IN (SELECT id FROM admins WHERE disabled = 0)"
    " RETURNING admin_id, csrf_token, created_at, expires_at, last_seen,"
    " (SELECT username FROM admins WHERE admins.id = admin_id)";
constexpr const char* kDeleteSession = "DELETE FROM admin_sessions WHERE token_hash = ?1";

constexpr const char* kInsertToken =
    "INSERT INTO admin_tokens (token_hash, admin_id, name, created_at, revoked) VALUES (?1, ?2, ?3, ?4, 0)";
constexpr const char* kSelectToken =
    "SELECT t.token_hash, t.admin_id, a.username, t.name, t.created_at, t.revoked"
    " FROM admin_tokens t JOIN admins a ON a.id = t.admin_id"
    " WHERE t.token_hash = ?1 AND t.revoked = 0 AND a.disabled = 0";
constexpr const char* kSelectTokens =
    "SELECT t.token_hash, t.admin_id, a.username, t.name, t.created_at, t.revoked"
    " FROM admin_tokens t JOIN admins a ON a.id = t.admin_id ORDER BY t.name";
constexpr const char* kRevokeToken = "UPDATE admin_tokens SET revoked = 1 WHERE name = ?1";

constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (at, admin, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kSelectAuditPrefix = "SELECT id, at, admin, action, target, detail FROM audit_log";

constexpr const char* kOrderCountRevenue =
    "SELECT COUNT(*), COALESCE(SUM(charge), 0) FROM orders WHERE created_at >= ?1 AND created_at < ?2";
constexpr const char* kOrderRefunds =
    "SELECT COALESCE(SUM(l.amount), 0) FROM orders o JOIN ledger l ON l.order_id = o.id AND l.reason = "
    "'refund'"
    " WHERE o.created_at >= ?1 AND o.created_at < ?2";
// Cost of the delivered units on the route of the provider that took the order.
constexpr const char* kOrderCost =
    "SELECT COALESCE(SUM(CASE WHEN o.kind = 'social-media'"
    " THEN (r.cost * (o.quantity - CASE WHEN o.status = 'partial' THEN o.remain ELSE 0 END) + 999) / 1000"
    " ELSE r.cost END), 0)"
    " FROM orders o JOIN dispatch d ON d.order_id = o.id"
    " JOIN routes r ON r.service_id = o.service_id AND r.provider_id = d.provider_id"
    " WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status IN ('success', 'partial')";
constexpr const char* kOrdersByStatus = "SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status";
constexpr const char* kTopServices =
    "SELECT kind, service_code, MAX(service_name), COUNT(*), SUM(charge) FROM orders"
    " WHERE created_at >= ?1 AND created_at < ?2 GROUP BY kind, service_code"
    " ORDER BY COUNT(*) DESC, SUM(charge) DESC, service_code LIMIT ?3";
// Built once from sql.hpp's order columns; statements are cached by this address.
const char* stuckOrdersSql() {
  static const std::string q = std::string(sql::kSelectOrdersPrefix) +
                               " WHERE status IN ('waiting', 'processing') AND updated_at < ?1"
                               " ORDER BY updated_at, id LIMIT ?2";
  return q.c_str();
}

Admin readAdmin(SQLite::Statement& s) {
  return Admin{s.getColumn(0).getInt64(), s.getColumn(1).getString(), s.getColumn(2).getString(),
               s.getColumn(3).getInt64(), s.getColumn(4).getInt64() != 0};
}

AdminToken readToken(SQLite::Statement& s) {
  return AdminToken{s.getColumn(0).getString(), s.getColumn(1).getInt64(), s.getColumn(2).getString(),
                    s.getColumn(3).getString(), s.getColumn(4).getInt64(), s.getColumn(5).getInt64() != 0};
}

}  // namespace

Result<Admin> SqliteStore::createAdmin(std::string_view username, std::string_view password_hash,
                                       std::int64_t now) {
  if (username.empty()) return makeError(Errc::kInvalidArgument, "username must not be empty");
  return atEdge("createAdmin", [&]() -> Result<Admin> {
    try {
      WriteTransaction tx(*this);
      std::int64_t id = 0;
      {
        StatementUse q(writer_->statement(kInsertAdmin));
        bindText(*q, 1, username);
        bindText(*q, 2, password_hash);
        q->bind(3, now);
        if (!q->executeStep()) throw std::runtime_error("INSERT ... RETURNING returned no row");
        id = q->getColumn(0).getInt64();
      }
      tx.commit();
      return Admin{id, std::string(username), std::string(password_hash), now, false};
    } catch (const SQLite::Exception& e) {
      if (isUniqueViolation(e)) return makeError(Errc::kConflict, "an admin with this username exists");
      throw;
    }
  });
}

Result<std::vector<Admin>> SqliteStore::listAdmins() {
  return atEdge("listAdmins", [&]() -> Result<std::vector<Admin>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(kSelectAdmins));
    std::vector<Admin> out;
    while (q->executeStep()) out.push_back(readAdmin(*q));
    return out;
  });
}

Result<Admin> SqliteStore::findAdmin(std::string_view username) {
  return atEdge("findAdmin", [&]() -> Result<Admin> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(kSelectAdmin));
    bindText(*q, 1, username);
    if (!q->executeStep()) return makeError(Errc::kNotFound, "admin not found");
    return readAdmin(*q);
  });
}

Status SqliteStore::createSession(const AdminSession& s) {
  return atEdge("createSession", [&]() -> Status {
    try {
      WriteTransaction tx(*this);
      {
        StatementUse q(writer_->statement(kDeleteExpiredSessions));
        q->bind(1, s.created_at);
        q->exec();
      }
      {
        StatementUse q(writer_->statement(kInsertSession));
        bindText(*q, 1, s.token_hash);
        q->bind(2, s.admin_id);
        bindText(*q, 3, s.csrf_token);
        q->bind(4, s.created_at);
        q->bind(5, s.expires_at);
        q->bind(6, s.last_seen);
        q->exec();
      }
      tx.commit();
      return okStatus();
    } catch (const SQLite::Exception& e) {
      if (isForeignKeyViolation(e)) return makeError(Errc::kNotFound, "admin not found");
      if (isUniqueViolation(e)) return makeError(Errc::kConflict, "session exists");
      throw;
    }
  });
}

Result<AdminSession> SqliteStore::touchSession(std::string_view token_hash, std::int64_t now,
                                               std::int64_t ttl_s, std::int64_t absolute_limit_s) {
  return atEdge("touchSession", [&]() -> Result<AdminSession> {
    WriteTransaction tx(*this);
    AdminSession s;
    {
      StatementUse q(writer_->statement(kTouchSession));
      bindText(*q, 1, token_hash);
      q->bind(2, now);
      q->bind(3, ttl_s);
      q->bind(4, absolute_limit_s);
      if (!q->executeStep()) return makeError(Errc::kNotFound, "no such session");
      s.token_hash = std::string(token_hash);
      s.admin_id = q->getColumn(0).getInt64();
      s.csrf_token = q->getColumn(1).getString();
      s.created_at = q->getColumn(2).getInt64();
      s.expires_at = q->getColumn(3).getInt64();
      s.last_seen = q->getColumn(4).getInt64();
      s.username = q->getColumn(5).getString();
    }
    tx.commit();
    return s;
  });
}

Status SqliteStore::deleteSession(std::string_view token_hash) {
  return atEdge("deleteSession", [&]() -> Status {
    WriteTransaction tx(*this);
    {
      StatementUse q(writer_->statement(kDeleteSession));
      bindText(*q, 1, token_hash);
      q->exec();
    }
    tx.commit();
    return okStatus();
  });
}

Status SqliteStore::createToken(const AdminToken& t) {
  if (t.name.empty()) return makeError(Errc::kInvalidArgument, "token name must not be empty");
  return atEdge("createToken", [&]() -> Status {
    try {
      WriteTransaction tx(*this);
      {
        StatementUse q(writer_->statement(kInsertToken));
        bindText(*q, 1, t.token_hash);
        q->bind(2, t.admin_id);
        bindText(*q, 3, t.name);
        q->bind(4, t.created_at);
        q->exec();
      }
      tx.commit();
      return okStatus();
    } catch (const SQLite::Exception& e) {
      if (isForeignKeyViolation(e)) return makeError(Errc::kNotFound, "admin not found");
      if (isUniqueViolation(e)) return makeError(Errc::kConflict, "a token with this name exists");
      throw;
    }
  });
}

Result<AdminToken> SqliteStore::findToken(std::string_view token_hash) {
  return atEdge("findToken", [&]() -> Result<AdminToken> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(kSelectToken));
    bindText(*q, 1, token_hash);
    if (!q->executeStep()) return makeError(Errc::kNotFound, "no such token");
    return readToken(*q);
  });
}

Status SqliteStore::revokeToken(std::string_view name) {
  return atEdge("revokeToken", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(kRevokeToken));
      bindText(*q, 1, name);
      changed = q->exec();
    }
    if (changed == 0) return makeError(Errc::kNotFound, "no such token");
    tx.commit();
    return okStatus();
  });
}

Result<std::vector<AdminToken>> SqliteStore::listTokens() {
  return atEdge("listTokens", [&]() -> Result<std::vector<AdminToken>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(kSelectTokens));
    std::vector<AdminToken> out;
    while (q->executeStep()) out.push_back(readToken(*q));
    return out;
  });
}

Status SqliteStore::appendAudit(const AuditEntry& e) {
  return atEdge("appendAudit", [&]() -> Status {
    WriteTransaction tx(*this);
    {
      StatementUse q(writer_->statement(kInsertAudit));
      q->bind(1, e.at);
      bindText(*q, 2, e.admin);
      bindText(*q, 3, e.action);
      bindText(*q, 4, e.target);
      bindText(*q, 5, e.detail.empty() ? std::string_view("{}") : std::string_view(e.detail));
      q->exec();
    }
    tx.commit();
    return okStatus();
  });
}

Result<std::vector<AuditEntry>> SqliteStore::listAudit(const AuditFilter& f) {
  return atEdge("listAudit", [&]() -> Result<std::vector<AuditEntry>> {
    std::string query = kSelectAuditPrefix;
    std::vector<std::string> values;
    auto where = [&](const char* fragment, const std::string& v) {
      query += values.empty() ? " WHERE " : " AND ";
      query += fragment;
      values.push_back(v);
    };
    if (f.admin) where("admin = ?", *f.admin);
    if (f.action) where("action = ?", *f.action);
    if (f.target) where("target = ?", *f.target);
    query += " ORDER BY id DESC LIMIT ? OFFSET ?";
    ReadLease c = acquireReader();
    SQLite::Statement q(c->db(), query);  // not cached: the text varies with the filter
    int i = 1;
    for (const auto& v : values) q.bind(i++, v);
    q.bind(i++, std::clamp(f.limit, 1, kMaxListLimit));
    q.bind(i, std::max(f.offset, 0));
    std::vector<AuditEntry> out;
    while (q.executeStep()) {
      out.push_back(AuditEntry{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                               q.getColumn(2).getString(), q.getColumn(3).getString(),
                               q.getColumn(4).getString(), q.getColumn(5).getString()});
    }
    return out;
  });
}

Result<OrderTotals> SqliteStore::orderTotals(std::int64_t from, std::int64_t to) {
  return atEdge("orderTotals", [&]() -> Result<OrderTotals> {
    ReadLease c = acquireReader();
    // One read transaction: the three sums see the same snapshot.
    c->db().exec("BEGIN");
    struct End {
      detail::Connection& c;
      ~End() {
        try {
          c.db().exec("COMMIT");
        } catch (...) {
        }
      }
    } end{*c};
    OrderTotals t;
    {
      StatementUse q(c->statement(kOrderCountRevenue));
      q->bind(1, from);
      q->bind(2, to);
      if (q->executeStep()) {
        t.orders = q->getColumn(0).getInt64();
        t.revenue = Money{q->getColumn(1).getInt64()};
      }
    }
    {
      StatementUse q(c->statement(kOrderRefunds));
      q->bind(1, from);
      q->bind(2, to);
      if (q->executeStep()) t.refunds = Money{q->getColumn(0).getInt64()};
    }
    {
      StatementUse q(c->statement(kOrderCost));
      q->bind(1, from);
      q->bind(2, to);
      if (q->executeStep()) t.cost = Money{q->getColumn(0).getInt64()};
    }
    return t;
  });
}

Result<std::vector<StatusCount>> SqliteStore::ordersByStatus() {
  return atEdge("ordersByStatus", [&]() -> Result<std::vector<StatusCount>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(kOrdersByStatus));
    std::vector<StatusCount> out;
    while (q->executeStep()) {
      const std::string s = q->getColumn(0).getString();
      out.push_back({detail::parsedOrThrow(domain::parseOrderStatus(s), "orders.status", s),
                     q->getColumn(1).getInt64()});
    }
    return out;
  });
}

Result<std::vector<TopService>> SqliteStore::topServices(std::int64_t from, std::int64_t to, int limit) {
  return atEdge("topServices", [&]() -> Result<std::vector<TopService>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(kTopServices));
    q->bind(1, from);
    q->bind(2, to);
    q->bind(3, std::clamp(limit, 1, 1000));
    std::vector<TopService> out;
    while (q->executeStep()) {
      const std::string k = q->getColumn(0).getString();
      out.push_back({detail::parsedOrThrow(domain::parseKind(k), "orders.kind", k),
                     q->getColumn(1).getString(), q->getColumn(2).getString(), q->getColumn(3).getInt64(),
                     Money{q->getColumn(4).getInt64()}});
    }
    return out;
  });
}

Result<std::vector<domain::Order>> SqliteStore::stuckOrders(std::int64_t updated_before, int limit) {
  return atEdge("stuckOrders", [&]() -> Result<std::vector<domain::Order>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(stuckOrdersSql()));
    q->bind(1, updated_before);
    q->bind(2, std::clamp(limit, 1, kMaxListLimit));
    std::vector<domain::Order> out;
    while (q->executeStep()) out.push_back(detail::readOrder(*q));
    return out;
  });
}

}  // namespace warung::store::sqlite
