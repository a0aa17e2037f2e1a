// SqliteStore's DispatchStore half: providers, routes, dispatch claims, the order's
// story and the webhook outbox. Contract and SQLite specifics: dispatch_store.hpp and
// sqlite_store.hpp. Claims are UPDATE ... WHERE key IN (SELECT ... LIMIT n) RETURNING
// inside BEGIN IMMEDIATE: the database's write lock, not our write turn, is what makes one
// row go to one caller, so two processes on one file are as safe as two threads.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/store_internal.hpp"

namespace warung::store::sqlite {
namespace {

using detail::atEdge;
using detail::bindText;
using detail::Connection;
using detail::isForeignKeyViolation;
using detail::isUniqueViolation;
using detail::kMaxListLimit;
using detail::StatementUse;

using domain::DeliveryStatus;
using domain::DispatchPhase;

// The texts stored in dispatch.phase and webhook_deliveries.status. They must equal
// domain::toString of fulfilment.hpp (the SQL names 'queued', 'sending', 'done',
// 'pending', 'delivered', 'failed' literally); kept here so the store does not wait on
// the domain's definitions.
constexpr std::array<std::string_view, 7> kPhaseTexts{"queued", "sending", "sent", "unknown",
                                                      "manual", "stuck",   "done"};
constexpr std::array<std::string_view, 3> kDeliveryTexts{"pending", "delivered", "failed"};

std::string_view phaseText(DispatchPhase p) { return kPhaseTexts.at(static_cast<std::size_t>(p)); }
std::string_view deliveryText(DeliveryStatus s) { return kDeliveryTexts.at(static_cast<std::size_t>(s)); }

DispatchPhase parsePhase(const std::string& s) {
  for (std::size_t i = 0; i < kPhaseTexts.size(); ++i) {
    if (kPhaseTexts[i] == s) return static_cast<DispatchPhase>(i);
  }
  throw std::runtime_error("unexpected value '" + s + "' in column dispatch.phase");
}

DeliveryStatus parseDelivery(const std::string& s) {
  for (std::size_t i = 0; i < kDeliveryTexts.size(); ++i) {
    if (kDeliveryTexts[i] == s) return static_cast<DeliveryStatus>(i);
  }
  throw std::runtime_error("unexpected value '" + s + "' in column webhook_deliveries.status");
}

// --- row readers, by the column lists of sql.hpp

domain::Provider readProvider(SQLite::Statement& s) {
  domain::Provider p;
  p.id = s.getColumn(0).getInt64();
  p.name = s.getColumn(1).getString();
  p.dialect = s.getColumn(2).getString();
  p.base_url = s.getColumn(3).getString();
  p.api_key = s.getColumn(4).getString();
  p.secret = s.getColumn(5).getString();
  p.timeout_ms = s.getColumn(6).getInt64();
  p.enabled = s.getColumn(7).getInt64() != 0;
  p.created_at = s.getColumn(8).getInt64();
  p.webhook_secret = s.getColumn(9).getString();
  return p;
}

// Binds ?1..?7 and ?9 of kInsertProvider and kUpdateProvider.
void bindProvider(SQLite::Statement& s, const domain::Provider& p) {
  bindText(s, 1, p.name);
  bindText(s, 2, p.dialect);
  bindText(s, 3, p.base_url);
  bindText(s, 4, p.api_key);
  bindText(s, 5, p.secret);
  s.bind(6, p.timeout_ms);
  s.bind(7, p.enabled ? 1 : 0);
  bindText(s, 9, p.webhook_secret);
}

domain::Dispatch readDispatch(SQLite::Statement& s) {
  domain::Dispatch d;
  d.order_id = s.getColumn(0).getInt64();
  d.phase = parsePhase(s.getColumn(1).getString());
  d.route_index = s.getColumn(2).getInt();
  d.provider_id = s.getColumn(3).getInt64();
  d.provider_order_id = s.getColumn(4).getString();
  d.attempts = s.getColumn(5).getInt();
  d.next_at = s.getColumn(6).getInt64();
  d.last_error = s.getColumn(7).getString();
  d.updated_at = s.getColumn(8).getInt64();
  return d;
}

// Reads a row laid out as WARUNG_DELIVERY_COLUMNS (sql.hpp); url and secret are left empty.
domain::WebhookDelivery readDelivery(SQLite::Statement& s) {
  domain::WebhookDelivery w;
  w.id = s.getColumn(0).getInt64();
  w.account_id = s.getColumn(1).getInt64();
  w.order_id = s.getColumn(2).getInt64();
  w.ref_id = s.getColumn(3).getString();
  w.payload = s.getColumn(4).getString();
  w.status = parseDelivery(s.getColumn(5).getString());
  w.attempts = s.getColumn(6).getInt();
  w.next_at = s.getColumn(7).getInt64();
  w.last_error = s.getColumn(8).getString();
  w.created_at = s.getColumn(9).getInt64();
  w.delivered_at = s.getColumn(10).getInt64();
  return w;
}

Result<domain::Provider> findProviderWith(Connection& c, const char* query,
                                          const std::function<void(SQLite::Statement&)>& bind) {
  StatementUse q(c.statement(query));
  bind(*q);
  if (!q->executeStep()) return makeError(Errc::kNotFound, "provider not found");
  return readProvider(*q);
}

// Runs a claim statement whose RETURNING yields order ids.
std::vector<std::int64_t> claimedIds(StatementUse& q) {
  std::vector<std::int64_t> ids;
  while (q->executeStep()) ids.push_back(q->getColumn(0).getInt64());
  return ids;
}

// The claimed rows with their orders, read inside the claiming transaction so they are
// exactly what was claimed. Ordered by order id.
std::vector<DispatchItem> loadItems(Connection& c, std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::vector<DispatchItem> out;
  out.reserve(ids.size());
  for (std::int64_t id : ids) {
    DispatchItem item;
    {
      StatementUse q(c.statement(sql::kSelectOrderById));
      q->bind(1, id);
      if (!q->executeStep()) throw std::runtime_error("claimed dispatch row without its order");
      item.order = detail::readOrder(*q);
    }
    {
      StatementUse q(c.statement(sql::kSelectDispatch));
      q->bind(1, id);
      if (!q->executeStep()) throw std::runtime_error("claimed dispatch row vanished");
      item.dispatch = readDispatch(*q);
    }
    out.push_back(std::move(item));
  }
  return out;
}

// After an UPDATE of one row by id changed nothing: kNotFound when the row is missing,
// else `conflict`.
Status missingOr(Connection& c, const char* exists_query, std::int64_t id, const char* what,
                 std::string conflict) {
  StatementUse q(c.statement(exists_query));
  q->bind(1, id);
  if (!q->executeStep()) return makeError(Errc::kNotFound, std::string(what) + " not found");
  return makeError(Errc::kConflict, std::move(conflict));
}

}  // namespace

// ---------------------------------------------------------------------------------
// Providers

Result<domain::Provider> SqliteStore::createProvider(const domain::Provider& p) {
  return atEdge("createProvider", [&]() -> Result<domain::Provider> {
    if (p.name.empty()) return makeError(Errc::kInvalidArgument, "provider name must not be empty");
    WriteTransaction tx(*this);
    domain::Provider created = p;
    try {
      StatementUse q(writer_->statement(sql::kInsertProvider));
      bindProvider(*q, p);
      q->bind(8, p.created_at);
      if (!q->executeStep()) throw std::runtime_error("provider insert returned no id");
      created.id = q->getColumn(0).getInt64();
    } catch (const SQLite::Exception& e) {
      if (isUniqueViolation(e)) return makeError(Errc::kConflict, "provider " + p.name + " already exists");
      throw;
    }
    tx.commit();
    return created;
  });
}

Result<std::vector<domain::Provider>> SqliteStore::listProviders() {
  return atEdge("listProviders", [&]() -> Result<std::vector<domain::Provider>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectProviders));
    std::vector<domain::Provider> out;
    while (q->executeStep()) out.push_back(readProvider(*q));
    return out;
  });
}

Result<domain::Provider> SqliteStore::findProvider(std::string_view name) {
  return atEdge("findProvider", [&]() -> Result<domain::Provider> {
    ReadLease c = acquireReader();
    return findProviderWith(*c, sql::kSelectProviderByName,
                            [&](SQLite::Statement& s) { bindText(s, 1, name); });
  });
}

Result<domain::Provider> SqliteStore::findProviderById(std::int64_t id) {
  return atEdge("findProviderById", [&]() -> Result<domain::Provider> {
    ReadLease c = acquireReader();
    return findProviderWith(*c, sql::kSelectProviderById, [&](SQLite::Statement& s) { s.bind(1, id); });
  });
}

Status SqliteStore::updateProvider(const domain::Provider& p) {
  return atEdge("updateProvider", [&]() -> Status {
    if (p.name.empty()) return makeError(Errc::kInvalidArgument, "provider name must not be empty");
    WriteTransaction tx(*this);
    int changed = 0;
    try {
      StatementUse q(writer_->statement(sql::kUpdateProvider));
      bindProvider(*q, p);
      q->bind(8, p.id);
      changed = q->exec();
    } catch (const SQLite::Exception& e) {
      if (isUniqueViolation(e)) return makeError(Errc::kConflict, "provider " + p.name + " already exists");
      throw;
    }
    if (changed == 0) return makeError(Errc::kNotFound, "provider not found");
    tx.commit();
    return okStatus();
  });
}

// ---------------------------------------------------------------------------------
// Routes

Status SqliteStore::setRoutes(std::int64_t service_id, const std::vector<domain::Route>& routes) {
  return atEdge("setRoutes", [&]() -> Status {
    for (const domain::Route& r : routes) {
      if (r.service_id != 0 && r.service_id != service_id) {
        return makeError(Errc::kInvalidArgument, "a route names service " + std::to_string(r.service_id) +
                                                     ", not " + std::to_string(service_id));
      }
      if (r.cost.rupiah < 0) return makeError(Errc::kInvalidArgument, "route cost must not be negative");
    }
    WriteTransaction tx(*this);
    {
      StatementUse q(writer_->statement(sql::kServiceExists));
      q->bind(1, service_id);
      if (!q->executeStep()) return makeError(Errc::kNotFound, "service not found");
    }
    {
      StatementUse q(writer_->statement(sql::kDeleteRoutes));
      q->bind(1, service_id);
      q->exec();
    }
    for (const domain::Route& r : routes) {
      try {
        StatementUse q(writer_->statement(sql::kInsertRoute));
        q->bind(1, service_id);
        q->bind(2, r.provider_id);
        q->bind(3, r.priority);
        bindText(*q, 4, r.provider_service);
        q->bind(5, r.cost.rupiah);
        q->exec();
      } catch (const SQLite::Exception& e) {
        if (isForeignKeyViolation(e)) {
          return makeError(Errc::kNotFound, "provider " + std::to_string(r.provider_id) + " not found");
        }
        if (isUniqueViolation(e)) {
          return makeError(Errc::kInvalidArgument,
                           "provider " + std::to_string(r.provider_id) + " is listed twice");
        }
        throw;
      }
    }
    tx.commit();
    return okStatus();
  });
}

Result<std::vector<domain::Route>> SqliteStore::routes(std::int64_t service_id) {
  return atEdge("routes", [&]() -> Result<std::vector<domain::Route>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectRoutes));
    q->bind(1, service_id);
    std::vector<domain::Route> out;
    while (q->executeStep()) {
      domain::Route r;
      r.service_id = q->getColumn(0).getInt64();
      r.provider_id = q->getColumn(1).getInt64();
      r.priority = q->getColumn(2).getInt();
      r.provider_service = q->getColumn(3).getString();
      r.cost = Money{q->getColumn(4).getInt64()};
      out.push_back(std::move(r));
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------
// Dispatch

Result<SendClaim> SqliteStore::claimToSend(std::int64_t now, int limit) {
  return atEdge("claimToSend", [&]() -> Result<SendClaim> {
    SendClaim out;
    if (limit <= 0) return out;
    WriteTransaction tx(*this);
    std::vector<std::int64_t> ids;
    {
      StatementUse q(writer_->statement(sql::kClaimQueued));
      q->bind(1, now);
      q->bind(2, limit);
      ids = claimedIds(q);
    }
    int rest = limit - static_cast<int>(ids.size());
    std::int64_t walked_to = new_orders_from_;
    if (rest > 0) {
      std::int64_t newest = 0;
      {
        StatementUse q(writer_->statement(sql::kSelectMaxOrderId));
        if (q->executeStep()) newest = q->getColumn(0).getInt64();
      }
      // Rows that went straight to 'manual' (no route) are not the caller's to send:
      // the walk goes on past them until `rest` orders to send were found, the newest
      // order was reached, or it filed its share of manual ones.
      const std::int64_t manual_cap = static_cast<std::int64_t>(limit) * kManualPerClaimed;
      for (;;) {
        const int asked = rest;
        int taken = 0;
        StatementUse q(writer_->statement(sql::kClaimNewOrders));
        q->bind(1, now);
        q->bind(2, asked);
        q->bind(3, walked_to);
        std::int64_t last = walked_to;
        while (q->executeStep()) {
          ++taken;
          last = std::max(last, q->getColumn(0).getInt64());
          if (q->getColumn(1).getString() == "sending") {
            ids.push_back(q->getColumn(0).getInt64());
            --rest;
          } else {
            ++out.filed_manual;
          }
        }
        if (taken < asked) {  // the walk reached the newest order
          walked_to = newest;
          break;
        }
        walked_to = last;
        if (rest == 0 || out.filed_manual >= manual_cap) break;
      }
    }
    if (!ids.empty()) out.items = loadItems(*writer_, std::move(ids));
    tx.commit();  // rows filed as manual, if any, are kept
    new_orders_from_ = walked_to;
    return out;
  });
}

Result<std::vector<DispatchItem>> SqliteStore::claimDue(DispatchPhase phase, std::int64_t now,
                                                        std::int64_t lease_s, int limit) {
  return atEdge("claimDue", [&]() -> Result<std::vector<DispatchItem>> {
    if (phase == DispatchPhase::kQueued || phase == DispatchPhase::kDone) {
      return makeError(Errc::kInvalidArgument,
                       "claimDue does not take " + std::string(phaseText(phase)) + " rows");
    }
    if (lease_s < 0) return makeError(Errc::kInvalidArgument, "lease must not be negative");
    if (limit <= 0) return std::vector<DispatchItem>{};
    // A kSending row's updated_at is when it was claimed to be sent: until the lease
    // is over, its worker may still be waiting for the provider.
    const std::int64_t touched_before =
        phase == DispatchPhase::kSending ? now - lease_s : std::numeric_limits<std::int64_t>::max();
    WriteTransaction tx(*this);
    std::vector<std::int64_t> ids;
    {
      StatementUse q(writer_->statement(sql::kClaimDue));
      bindText(*q, 1, phaseText(phase));
      q->bind(2, now);
      q->bind(3, touched_before);
      q->bind(4, now + lease_s);
      q->bind(5, limit);
      ids = claimedIds(q);
    }
    if (ids.empty()) return std::vector<DispatchItem>{};
    std::vector<DispatchItem> items = loadItems(*writer_, std::move(ids));
    tx.commit();
    return items;
  });
}

Status SqliteStore::saveDispatch(const domain::Dispatch& d, DispatchPhase expected) {
  return atEdge("saveDispatch", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(sql::kSaveDispatch));
      q->bind(1, d.order_id);
      bindText(*q, 2, phaseText(d.phase));
      q->bind(3, d.route_index);
      q->bind(4, d.provider_id);
      bindText(*q, 5, d.provider_order_id);
      q->bind(6, d.attempts);
      q->bind(7, d.next_at);
      bindText(*q, 8, d.last_error);
      q->bind(9, d.updated_at);
      bindText(*q, 10, phaseText(expected));
      changed = q->exec();
    }
    if (changed == 0) {
      return missingOr(*writer_, sql::kDispatchExists, d.order_id, "dispatch",
                       "dispatch of order " + std::to_string(d.order_id) + " is no longer " +
                           std::string(phaseText(expected)));
    }
    tx.commit();
    return okStatus();
  });
}

Result<DispatchItem> SqliteStore::findByProviderOrder(std::int64_t provider_id,
                                                      std::string_view provider_order_id) {
  return atEdge("findByProviderOrder", [&]() -> Result<DispatchItem> {
    if (provider_order_id.empty()) return makeError(Errc::kNotFound, "no order at that provider");
    ReadLease c = acquireReader();
    // One read transaction: the order and its dispatch row as of the same moment.
    SQLite::Transaction tx(c->db(), SQLite::TransactionBehavior::DEFERRED);
    std::int64_t order_id = 0;
    {
      StatementUse q(c->statement(sql::kSelectDispatchByProviderOrder));
      q->bind(1, provider_id);
      bindText(*q, 2, provider_order_id);
      if (!q->executeStep()) return makeError(Errc::kNotFound, "no order at that provider");
      order_id = q->getColumn(0).getInt64();
    }
    std::vector<DispatchItem> items = loadItems(*c, {order_id});
    return std::move(items.front());
  });
}

Result<domain::Dispatch> SqliteStore::findDispatch(std::int64_t order_id) {
  return atEdge("findDispatch", [&]() -> Result<domain::Dispatch> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectDispatch));
    q->bind(1, order_id);
    if (!q->executeStep()) return makeError(Errc::kNotFound, "dispatch not found");
    return readDispatch(*q);
  });
}

// ---------------------------------------------------------------------------------
// Order events

Status SqliteStore::appendEvent(const domain::OrderEvent& e) {
  return atEdge("appendEvent", [&]() -> Status {
    WriteTransaction tx(*this);
    try {
      StatementUse q(writer_->statement(sql::kInsertEvent));
      q->bind(1, e.order_id);
      q->bind(2, e.at);
      bindText(*q, 3, e.kind);
      bindText(*q, 4, e.detail);
      q->exec();
    } catch (const SQLite::Exception& ex) {
      if (isForeignKeyViolation(ex)) return makeError(Errc::kNotFound, "order not found");
      throw;
    }
    tx.commit();
    return okStatus();
  });
}

Result<std::vector<domain::OrderEvent>> SqliteStore::events(std::int64_t order_id) {
  return atEdge("events", [&]() -> Result<std::vector<domain::OrderEvent>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectEvents));
    q->bind(1, order_id);
    std::vector<domain::OrderEvent> out;
    while (q->executeStep()) {
      domain::OrderEvent e;
      e.id = q->getColumn(0).getInt64();
      e.order_id = q->getColumn(1).getInt64();
      e.at = q->getColumn(2).getInt64();
      e.kind = q->getColumn(3).getString();
      e.detail = q->getColumn(4).getString();
      out.push_back(std::move(e));
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------
// Webhooks

Status SqliteStore::setCallback(std::int64_t account_id, std::string_view url, std::string_view secret) {
  return atEdge("setCallback", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(sql::kUpdateAccountCallback));
      q->bind(1, account_id);
      bindText(*q, 2, url);
      bindText(*q, 3, url.empty() ? std::string_view{} : secret);
      changed = q->exec();
    }
    if (changed == 0) return makeError(Errc::kNotFound, "account not found");
    tx.commit();
    return okStatus();
  });
}

Result<std::vector<domain::WebhookDelivery>> SqliteStore::claimDeliveries(std::int64_t now,
                                                                          std::int64_t lease_s, int limit) {
  return atEdge("claimDeliveries", [&]() -> Result<std::vector<domain::WebhookDelivery>> {
    if (lease_s < 0) return makeError(Errc::kInvalidArgument, "lease must not be negative");
    if (limit <= 0) return std::vector<domain::WebhookDelivery>{};
    WriteTransaction tx(*this);
    std::vector<domain::WebhookDelivery> out;
    {
      StatementUse q(writer_->statement(sql::kClaimDeliveries));
      q->bind(1, now);
      q->bind(2, now + lease_s);
      q->bind(3, limit);
      while (q->executeStep()) out.push_back(readDelivery(*q));
    }
    if (out.empty()) return out;
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    // The account's settings as they are now: a URL changed after the delivery was
    // queued is where it goes; one cleared since is the caller's to mark failed.
    std::vector<std::pair<std::int64_t, std::pair<std::string, std::string>>> callbacks;
    for (domain::WebhookDelivery& w : out) {
      auto it = std::find_if(callbacks.begin(), callbacks.end(),
                             [&](const auto& c) { return c.first == w.account_id; });
      if (it == callbacks.end()) {
        StatementUse q(writer_->statement(sql::kSelectCallback));
        q->bind(1, w.account_id);
        std::pair<std::string, std::string> cb;
        if (q->executeStep()) cb = {q->getColumn(0).getString(), q->getColumn(1).getString()};
        callbacks.emplace_back(w.account_id, std::move(cb));
        it = std::prev(callbacks.end());
      }
      w.url = it->second.first;
      w.secret = it->second.second;
    }
    tx.commit();
    return out;
  });
}

Status SqliteStore::markDelivered(std::int64_t id, std::int64_t now) {
  return atEdge("markDelivered", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(sql::kMarkDelivered));
      q->bind(1, id);
      q->bind(2, now);
      changed = q->exec();
    }
    if (changed == 0) {
      return missingOr(*writer_, sql::kDeliveryExists, id, "delivery",
                       "delivery " + std::to_string(id) + " is no longer pending");
    }
    tx.commit();
    return okStatus();
  });
}

Status SqliteStore::markRetry(std::int64_t id, int attempts, std::int64_t next_at, std::string_view error) {
  return atEdge("markRetry", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(sql::kMarkRetry));
      q->bind(1, id);
      q->bind(2, attempts);
      q->bind(3, next_at);
      bindText(*q, 4, error);
      changed = q->exec();
    }
    if (changed == 0) {
      return missingOr(*writer_, sql::kDeliveryExists, id, "delivery",
                       "delivery " + std::to_string(id) + " is no longer pending");
    }
    tx.commit();
    return okStatus();
  });
}

Status SqliteStore::markFailed(std::int64_t id, int attempts, std::string_view error) {
  return atEdge("markFailed", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(sql::kMarkFailed));
      q->bind(1, id);
      q->bind(2, attempts);
      bindText(*q, 3, error);
      changed = q->exec();
    }
    if (changed == 0) {
      return missingOr(*writer_, sql::kDeliveryExists, id, "delivery",
                       "delivery " + std::to_string(id) + " is no longer pending");
    }
    tx.commit();
    return okStatus();
  });
}

Result<std::vector<domain::WebhookDelivery>> SqliteStore::listDeliveries(const DeliveryFilter& f) {
  return atEdge("listDeliveries", [&]() -> Result<std::vector<domain::WebhookDelivery>> {
    // Only fixed fragments go into the text; every value is a bound parameter.
    std::string query = sql::kSelectDeliveriesPrefix;
    std::vector<std::function<void(SQLite::Statement&, int)>> binds;
    auto where = [&](const char* fragment, std::function<void(SQLite::Statement&, int)> b) {
      query += binds.empty() ? " WHERE " : " AND ";
      query += fragment;
      binds.push_back(std::move(b));
    };
    if (f.status) {
      where("w.status = ?", [v = std::string(deliveryText(*f.status))](auto& s, int i) { s.bind(i, v); });
    }
    if (f.account_id) where("w.account_id = ?", [v = *f.account_id](auto& s, int i) { s.bind(i, v); });
    if (f.order_id) where("w.order_id = ?", [v = *f.order_id](auto& s, int i) { s.bind(i, v); });
    query += " ORDER BY w.id DESC LIMIT ?";

    ReadLease c = acquireReader();
    // Not cached: the text varies with the filter, and this is an operator's query.
    SQLite::Statement q(c->db(), query);
    int i = 1;
    for (auto& b : binds) b(q, i++);
    q.bind(i, std::clamp(f.limit, 1, kMaxListLimit));
    std::vector<domain::WebhookDelivery> out;
    while (q.executeStep()) {
      domain::WebhookDelivery w = readDelivery(q);
      w.url = q.getColumn(11).getString();
      out.push_back(std::move(w));
    }
    return out;
  });
}

Status SqliteStore::replayDelivery(std::int64_t id, std::int64_t now) {
  return atEdge("replayDelivery", [&]() -> Status {
    WriteTransaction tx(*this);
    int changed = 0;
    {
      StatementUse q(writer_->statement(sql::kReplayDelivery));
      q->bind(1, id);
      q->bind(2, now);
      changed = q->exec();
    }
    if (changed == 0) return makeError(Errc::kNotFound, "delivery not found");
    tx.commit();
    return okStatus();
  });
}

}  // namespace warung::store::sqlite
