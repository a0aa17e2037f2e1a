// PostgresStore's DispatchStore half: providers, routes, dispatch claims, the order's
// story and the webhook outbox. Contract: dispatch_store.hpp, sqlite_store.hpp (the
// specifics both implementations share) and postgres_store.hpp. Claims lock their rows
// with FOR UPDATE SKIP LOCKED and move them in the same statement (sql.hpp), so one row
// goes to one caller whichever node it runs on.
#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
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

using domain::DeliveryStatus;
using domain::DispatchPhase;

// The texts stored in dispatch.phase and webhook_deliveries.status, as in store/sqlite
// (the SQL names 'queued', 'sending', 'done', 'pending', 'delivered', 'failed').
constexpr std::array<std::string_view, 7> kPhaseTexts{"queued", "sending", "sent", "unknown",
                                                      "manual", "stuck",   "done"};
constexpr std::array<std::string_view, 3> kDeliveryTexts{"pending", "delivered", "failed"};

std::string_view phaseText(DispatchPhase p) { return kPhaseTexts.at(static_cast<std::size_t>(p)); }
std::string_view deliveryText(DeliveryStatus s) { return kDeliveryTexts.at(static_cast<std::size_t>(s)); }

DispatchPhase parsePhase(std::string_view s) {
  for (std::size_t i = 0; i < kPhaseTexts.size(); ++i) {
    if (kPhaseTexts[i] == s) return static_cast<DispatchPhase>(i);
  }
  throw std::runtime_error("unexpected value '" + std::string(s) + "' in column dispatch.phase");
}

DeliveryStatus parseDelivery(std::string_view s) {
  for (std::size_t i = 0; i < kDeliveryTexts.size(); ++i) {
    if (kDeliveryTexts[i] == s) return static_cast<DeliveryStatus>(i);
  }
  throw std::runtime_error("unexpected value '" + std::string(s) + "' in column webhook_deliveries.status");
}

// --- row readers, by the column lists of sql.hpp

domain::Provider readProvider(const Rows& r, int row) {
  domain::Provider p;
  p.id = r.int64(row, 0);
  p.name = r.str(row, 1);
  p.dialect = r.str(row, 2);
  p.base_url = r.str(row, 3);
  p.api_key = r.str(row, 4);
  p.secret = r.str(row, 5);
  p.timeout_ms = r.int64(row, 6);
  p.enabled = r.boolean(row, 7);
  p.created_at = r.int64(row, 8);
  p.webhook_secret = r.str(row, 9);
  return p;
}

// $1..$7 of kInsertProvider and kUpdateProvider ($8 is created_at or the id, $9 the
// webhook secret: added by the callers).
void addProvider(Params& p, const domain::Provider& v) {
  p.add(v.name).add(v.dialect).add(v.base_url).add(v.api_key).add(v.secret).add(v.timeout_ms).add(v.enabled);
}

domain::Dispatch readDispatch(const Rows& r, int row, int col = 0) {
  domain::Dispatch d;
  d.order_id = r.int64(row, col + 0);
  d.phase = parsePhase(r.text(row, col + 1));
  d.route_index = static_cast<int>(r.int64(row, col + 2));
  d.provider_id = r.int64(row, col + 3);
  d.provider_order_id = r.str(row, col + 4);
  d.attempts = static_cast<int>(r.int64(row, col + 5));
  d.next_at = r.int64(row, col + 6);
  d.last_error = r.str(row, col + 7);
  d.updated_at = r.int64(row, col + 8);
  return d;
}

// Reads the first 11 columns (WARUNG_DELIVERY_COLUMNS_W); url and secret are left empty.
domain::WebhookDelivery readDelivery(const Rows& r, int row) {
  domain::WebhookDelivery w;
  w.id = r.int64(row, 0);
  w.account_id = r.int64(row, 1);
  w.order_id = r.int64(row, 2);
  w.ref_id = r.str(row, 3);
  w.payload = r.str(row, 4);
  w.status = parseDelivery(r.text(row, 5));
  w.attempts = static_cast<int>(r.int64(row, 6));
  w.next_at = r.int64(row, 7);
  w.last_error = r.str(row, 8);
  w.created_at = r.int64(row, 9);
  w.delivered_at = r.int64(row, 10);
  return w;
}

Result<domain::Provider> oneProvider(const Rows& r) {
  if (r.empty()) return makeError(Errc::kNotFound, "provider not found");
  return readProvider(r, 0);
}

std::vector<std::int64_t> ids(const Rows& r) {
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

// The claimed rows with their orders, read inside the claiming transaction so they are
// exactly what was claimed. Ordered by order id.
std::vector<DispatchItem> loadItems(pg::Connection& c, const std::vector<std::int64_t>& order_ids) {
  const Rows r = c.run(sql::kSelectItems, Params().addArray(order_ids));
  if (static_cast<std::size_t>(r.size()) != order_ids.size()) {
    throw std::runtime_error("claimed dispatch rows without their orders");
  }
  std::vector<DispatchItem> out;
  out.reserve(order_ids.size());
  for (int i = 0; i < r.size(); ++i)
    out.push_back(DispatchItem{detail::readOrder(r, i), readDispatch(r, i, 24)});
  return out;
}

// After an UPDATE of one row by id changed nothing: kNotFound when the row is missing,
// else `conflict`.
Status missingOr(pg::Connection& c, const char* exists_query, std::int64_t id, const char* what,
                 std::string conflict) {
  if (c.run(exists_query, Params().add(id)).empty())
    return makeError(Errc::kNotFound, std::string(what) + " not found");
  return makeError(Errc::kConflict, std::move(conflict));
}

// One of the mark* updates of a pending delivery.
Status markPending(pg::Connection& c, const char* query, const Params& p, std::int64_t id) {
  if (c.run(query, p).affected() == 0) {
    return missingOr(c, sql::kDeliveryExists, id, "delivery",
                     "delivery " + std::to_string(id) + " is no longer pending");
  }
  return okStatus();
}

}  // namespace

// ---------------------------------------------------------------------------------
// Providers

Result<domain::Provider> PostgresStore::createProvider(const domain::Provider& p) {
  return atEdge("createProvider", [&]() -> Result<domain::Provider> {
    if (p.name.empty()) return makeError(Errc::kInvalidArgument, "provider name must not be empty");
    return detail::transact(*pool_, cfg_.busy_retries, "createProvider",
                            [&](pg::Connection& c) -> Result<domain::Provider> {
                              domain::Provider created = p;
                              try {
                                Params q;
                                addProvider(q, p);
                                q.add(p.created_at).add(p.webhook_secret);
                                const Rows r = c.run(sql::kInsertProvider, q);
                                if (r.empty()) throw std::runtime_error("provider insert returned no id");
                                created.id = r.int64(0, 0);
                              } catch (const pg::Error& e) {
                                if (e.uniqueViolation()) {
                                  return makeError(Errc::kConflict, "provider " + p.name + " already exists");
                                }
                                throw;
                              }
                              return created;
                            });
  });
}

Result<std::vector<domain::Provider>> PostgresStore::listProviders() {
  return atEdge("listProviders", [&]() -> Result<std::vector<domain::Provider>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "listProviders",
                               [&](pg::Connection& c) -> Result<std::vector<domain::Provider>> {
                                 const Rows r = c.run(sql::kSelectProviders);
                                 std::vector<domain::Provider> out;
                                 for (int i = 0; i < r.size(); ++i) out.push_back(readProvider(r, i));
                                 return out;
                               });
  });
}

Result<domain::Provider> PostgresStore::findProvider(std::string_view name) {
  return atEdge("findProvider", [&]() -> Result<domain::Provider> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findProvider", [&](pg::Connection& c) {
      return oneProvider(c.run(sql::kSelectProviderByName, Params().add(name)));
    });
  });
}

Result<domain::Provider> PostgresStore::findProviderById(std::int64_t id) {
  return atEdge("findProviderById", [&]() -> Result<domain::Provider> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findProviderById", [&](pg::Connection& c) {
      return oneProvider(c.run(sql::kSelectProviderById, Params().add(id)));
    });
  });
}

Status PostgresStore::updateProvider(const domain::Provider& p) {
  return atEdge("updateProvider", [&]() -> Status {
    if (p.name.empty()) return makeError(Errc::kInvalidArgument, "provider name must not be empty");
    return detail::transact(*pool_, cfg_.busy_retries, "updateProvider", [&](pg::Connection& c) -> Status {
      std::int64_t changed = 0;
      try {
        Params q;
        addProvider(q, p);
        q.add(p.id).add(p.webhook_secret);
        changed = c.run(sql::kUpdateProvider, q).affected();
      } catch (const pg::Error& e) {
        if (e.uniqueViolation()) return makeError(Errc::kConflict, "provider " + p.name + " already exists");
        throw;
      }
      if (changed == 0) return makeError(Errc::kNotFound, "provider not found");
      return okStatus();
    });
  });
}

// ---------------------------------------------------------------------------------
// Routes

Status PostgresStore::setRoutes(std::int64_t service_id, const std::vector<domain::Route>& routes) {
  return atEdge("setRoutes", [&]() -> Status {
    for (const domain::Route& r : routes) {
      if (r.service_id != 0 && r.service_id != service_id) {
        return makeError(Errc::kInvalidArgument, "a route names service " + std::to_string(r.service_id) +
                                                     ", not " + std::to_string(service_id));
      }
      if (r.cost.rupiah < 0) return makeError(Errc::kInvalidArgument, "route cost must not be negative");
    }
    return detail::transact(*pool_, cfg_.busy_retries, "setRoutes", [&](pg::Connection& c) -> Status {
      if (c.run(sql::kServiceExists, Params().add(service_id)).empty()) {
        return makeError(Errc::kNotFound, "service not found");
      }
      c.run(sql::kDeleteRoutes, Params().add(service_id));
      for (const domain::Route& r : routes) {
        try {
          c.run(sql::kInsertRoute, Params()
                                       .add(service_id)
                                       .add(r.provider_id)
                                       .add(r.priority)
                                       .add(r.provider_service)
                                       .add(r.cost.rupiah));
        } catch (const pg::Error& e) {
          if (e.foreignKeyViolation()) {
            return makeError(Errc::kNotFound, "provider " + std::to_string(r.provider_id) + " not found");
          }
          if (e.uniqueViolation()) {
            return makeError(Errc::kInvalidArgument,
                             "provider " + std::to_string(r.provider_id) + " is listed twice");
          }
          throw;
        }
      }
      return okStatus();
    });
  });
}

Result<std::vector<domain::Route>> PostgresStore::routes(std::int64_t service_id) {
  return atEdge("routes", [&]() -> Result<std::vector<domain::Route>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "routes",
                               [&](pg::Connection& c) -> Result<std::vector<domain::Route>> {
                                 const Rows r = c.run(sql::kSelectRoutes, Params().add(service_id));
                                 std::vector<domain::Route> out;
                                 for (int i = 0; i < r.size(); ++i) {
                                   domain::Route route;
                                   route.service_id = r.int64(i, 0);
                                   route.provider_id = r.int64(i, 1);
                                   route.priority = static_cast<int>(r.int64(i, 2));
                                   route.provider_service = r.str(i, 3);
                                   route.cost = Money{r.int64(i, 4)};
                                   out.push_back(std::move(route));
                                 }
                                 return out;
                               });
  });
}

// ---------------------------------------------------------------------------------
// Dispatch

Result<SendClaim> PostgresStore::claimToSend(std::int64_t now, int limit) {
  return atEdge("claimToSend", [&]() -> Result<SendClaim> {
    if (limit <= 0) return SendClaim{};
    // Where this claim's walk over new orders starts (see kClaimMargin).
    std::int64_t from = 0;
    {
      std::lock_guard lock(claim_mu_);
      const auto t = std::chrono::steady_clock::now();
      if (t - last_full_walk_ >= kFullWalkEvery) {
        last_full_walk_ = t;
      } else {
        from = std::max<std::int64_t>(0, walked_to_ - kClaimMargin);
      }
    }
    std::int64_t walked_to = 0;
    auto claim = detail::transact(
        *pool_, cfg_.busy_retries, "claimToSend", [&](pg::Connection& c) -> Result<SendClaim> {
          SendClaim out;
          walked_to = 0;  // a retried transaction starts over
          std::vector<std::int64_t> claimed = ids(c.run(sql::kClaimQueued, Params().add(now).add(limit)));
          int rest = limit - static_cast<int>(claimed.size());
          if (rest > 0) {
            const std::int64_t newest = c.run(sql::kSelectMaxOrderId, Params()).int64(0, 0);
            // Rows that went straight to 'manual' (no route) are not ours to send: the walk
            // goes on past them until `rest` orders to send were found, the newest order was
            // reached, or it filed its share of manual ones.
            const std::int64_t manual_cap = static_cast<std::int64_t>(limit) * kManualPerClaimed;
            std::int64_t at = from;
            for (;;) {
              const int asked = rest;
              const Rows fresh = c.run(sql::kClaimNewOrders, Params().add(now).add(asked).add(at));
              for (int i = 0; i < fresh.size(); ++i) {
                at = std::max(at, fresh.int64(i, 0));
                if (fresh.text(i, 1) == "sending") {
                  claimed.push_back(fresh.int64(i, 0));
                  --rest;
                } else {
                  ++out.filed_manual;
                }
              }
              if (fresh.size() < asked) {  // the walk reached the newest order
                walked_to = newest;
                break;
              }
              walked_to = at;
              if (rest == 0 || out.filed_manual >= manual_cap) break;
            }
          }
          if (!claimed.empty()) {
            std::sort(claimed.begin(), claimed.end());
            out.items = loadItems(c, claimed);
          }
          return out;
        });
    if (claim) {
      std::lock_guard lock(claim_mu_);
      walked_to_ = std::max(walked_to_, walked_to);
    }
    return claim;
  });
}

Result<std::vector<DispatchItem>> PostgresStore::claimDue(DispatchPhase phase, std::int64_t now,
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
    return detail::transact(
        *pool_, cfg_.busy_retries, "claimDue", [&](pg::Connection& c) -> Result<std::vector<DispatchItem>> {
          std::vector<std::int64_t> claimed = ids(c.run(
              sql::kClaimDue,
              Params().add(phaseText(phase)).add(now).add(touched_before).add(now + lease_s).add(limit)));
          if (claimed.empty()) return std::vector<DispatchItem>{};
          std::sort(claimed.begin(), claimed.end());
          return loadItems(c, claimed);
        });
  });
}

Status PostgresStore::saveDispatch(const domain::Dispatch& d, DispatchPhase expected) {
  return atEdge("saveDispatch", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "saveDispatch", [&](pg::Connection& c) -> Status {
      const std::int64_t changed = c.run(sql::kSaveDispatch, Params()
                                                                 .add(d.order_id)
                                                                 .add(phaseText(d.phase))
                                                                 .add(d.route_index)
                                                                 .add(d.provider_id)
                                                                 .add(d.provider_order_id)
                                                                 .add(d.attempts)
                                                                 .add(d.next_at)
                                                                 .add(d.last_error)
                                                                 .add(d.updated_at)
                                                                 .add(phaseText(expected)))
                                       .affected();
      if (changed == 0) {
        return missingOr(c, sql::kDispatchExists, d.order_id, "dispatch",
                         "dispatch of order " + std::to_string(d.order_id) + " is no longer " +
                             std::string(phaseText(expected)));
      }
      return okStatus();
    });
  });
}

Result<DispatchItem> PostgresStore::findByProviderOrder(std::int64_t provider_id,
                                                        std::string_view provider_order_id) {
  return atEdge("findByProviderOrder", [&]() -> Result<DispatchItem> {
    if (provider_order_id.empty()) return makeError(Errc::kNotFound, "no order at that provider");
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "findByProviderOrder", [&](pg::Connection& c) -> Result<DispatchItem> {
          const Rows r =
              c.run(sql::kSelectDispatchByProviderOrder, Params().add(provider_id).add(provider_order_id));
          if (r.empty()) return makeError(Errc::kNotFound, "no order at that provider");
          // One statement: the order and its dispatch row as of one snapshot.
          std::vector<DispatchItem> items = loadItems(c, {r.int64(0, 0)});
          return std::move(items.front());
        });
  });
}

Result<domain::Dispatch> PostgresStore::findDispatch(std::int64_t order_id) {
  return atEdge("findDispatch", [&]() -> Result<domain::Dispatch> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findDispatch",
                               [&](pg::Connection& c) -> Result<domain::Dispatch> {
                                 const Rows r = c.run(sql::kSelectDispatch, Params().add(order_id));
                                 if (r.empty()) return makeError(Errc::kNotFound, "dispatch not found");
                                 return readDispatch(r, 0);
                               });
  });
}

// ---------------------------------------------------------------------------------
// Order events

Status PostgresStore::appendEvent(const domain::OrderEvent& e) {
  return atEdge("appendEvent", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "appendEvent", [&](pg::Connection& c) -> Status {
      try {
        c.run(sql::kInsertEvent, Params().add(e.order_id).add(e.at).add(e.kind).add(e.detail));
      } catch (const pg::Error& ex) {
        if (ex.foreignKeyViolation()) return makeError(Errc::kNotFound, "order not found");
        throw;
      }
      return okStatus();
    });
  });
}

Result<std::vector<domain::OrderEvent>> PostgresStore::events(std::int64_t order_id) {
  return atEdge("events", [&]() -> Result<std::vector<domain::OrderEvent>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "events",
                               [&](pg::Connection& c) -> Result<std::vector<domain::OrderEvent>> {
                                 const Rows r = c.run(sql::kSelectEvents, Params().add(order_id));
                                 std::vector<domain::OrderEvent> out;
                                 for (int i = 0; i < r.size(); ++i) {
                                   out.push_back(domain::OrderEvent{r.int64(i, 0), r.int64(i, 1),
                                                                    r.int64(i, 2), r.str(i, 3), r.str(i, 4)});
                                 }
                                 return out;
                               });
  });
}

// ---------------------------------------------------------------------------------
// Webhooks

Status PostgresStore::setCallback(std::int64_t account_id, std::string_view url, std::string_view secret) {
  return atEdge("setCallback", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "setCallback", [&](pg::Connection& c) -> Status {
      const std::int64_t changed =
          c.run(sql::kUpdateAccountCallback,
                Params().add(account_id).add(url).add(url.empty() ? std::string_view{} : secret))
              .affected();
      if (changed == 0) return makeError(Errc::kNotFound, "account not found");
      return okStatus();
    });
  });
}

Result<std::vector<domain::WebhookDelivery>> PostgresStore::claimDeliveries(std::int64_t now,
                                                                            std::int64_t lease_s, int limit) {
  return atEdge("claimDeliveries", [&]() -> Result<std::vector<domain::WebhookDelivery>> {
    if (lease_s < 0) return makeError(Errc::kInvalidArgument, "lease must not be negative");
    if (limit <= 0) return std::vector<domain::WebhookDelivery>{};
    return detail::transact(
        *pool_, cfg_.busy_retries, "claimDeliveries",
        [&](pg::Connection& c) -> Result<std::vector<domain::WebhookDelivery>> {
          const Rows r = c.run(sql::kClaimDeliveries, Params().add(now).add(now + lease_s).add(limit));
          std::vector<domain::WebhookDelivery> out;
          out.reserve(static_cast<std::size_t>(r.size()));
          for (int i = 0; i < r.size(); ++i) {
            domain::WebhookDelivery w = readDelivery(r, i);
            // The account's settings as they are now: a URL changed after
            // the delivery was queued is where it goes; one cleared since is
            // the caller's to mark failed.
            w.url = r.str(i, 11);
            w.secret = r.str(i, 12);
            out.push_back(std::move(w));
          }
          std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
          return out;
        });
  });
}

Status PostgresStore::markDelivered(std::int64_t id, std::int64_t now) {
  return atEdge("markDelivered", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "markDelivered", [&](pg::Connection& c) {
      return markPending(c, sql::kMarkDelivered, Params().add(id).add(now), id);
    });
  });
}

Status PostgresStore::markRetry(std::int64_t id, int attempts, std::int64_t next_at, std::string_view error) {
  return atEdge("markRetry", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "markRetry", [&](pg::Connection& c) {
      return markPending(c, sql::kMarkRetry, Params().add(id).add(attempts).add(next_at).add(error), id);
    });
  });
}

Status PostgresStore::markFailed(std::int64_t id, int attempts, std::string_view error) {
  return atEdge("markFailed", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "markFailed", [&](pg::Connection& c) {
      return markPending(c, sql::kMarkFailed, Params().add(id).add(attempts).add(error), id);
    });
  });
}

Result<std::vector<domain::WebhookDelivery>> PostgresStore::listDeliveries(const DeliveryFilter& f) {
  return atEdge("listDeliveries", [&]() -> Result<std::vector<domain::WebhookDelivery>> {
    // Only fixed fragments go into the text; every value is a bound parameter.
    std::string query = sql::kSelectDeliveriesPrefix;
    Params p;
    auto where = [&](const char* column_op) -> Params& {
      query += p.size() == 0 ? " WHERE " : " AND ";
      query += column_op;
      query += " $" + std::to_string(p.size() + 1);
      return p;
    };
    if (f.status) where("w.status =").add(deliveryText(*f.status));
    if (f.account_id) where("w.account_id =").add(*f.account_id);
    if (f.order_id) where("w.order_id =").add(*f.order_id);
    query += " ORDER BY w.id DESC LIMIT $" + std::to_string(p.size() + 1);
    p.add(std::clamp(f.limit, 1, kMaxListLimit));
    return detail::withRetries(*pool_, cfg_.busy_retries, "listDeliveries",
                               [&](pg::Connection& c) -> Result<std::vector<domain::WebhookDelivery>> {
                                 // Unprepared: the text varies with the filter, and this is an operator's
                                 // query.
                                 const Rows r = c.runText(query, p);
                                 std::vector<domain::WebhookDelivery> out;
                                 for (int i = 0; i < r.size(); ++i) {
                                   domain::WebhookDelivery w = readDelivery(r, i);
                                   w.url = r.str(i, 11);
                                   out.push_back(std::move(w));
                                 }
                                 return out;
                               });
  });
}

Status PostgresStore::replayDelivery(std::int64_t id, std::int64_t now) {
  return atEdge("replayDelivery", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "replayDelivery", [&](pg::Connection& c) -> Status {
      if (c.run(sql::kReplayDelivery, Params().add(id).add(now)).affected() == 0) {
        return makeError(Errc::kNotFound, "delivery not found");
      }
      return okStatus();
    });
  });
}

}  // namespace warung::store::postgres
