#pragma once
// Storage for fulfilment: providers, routes, each order's dispatch state, the order's
// story (events) and the reseller webhook outbox. Implemented by store/sqlite (and
// later store/postgres). Same error conventions and thread-safety as store.hpp.
//
// Claims are compare-and-set: a row is handed to exactly one caller, even with
// several workers (or, later, several nodes) asking at once.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/fulfilment.hpp"
#include "domain/types.hpp"

namespace warung::store {

struct DispatchItem {
  domain::Order order;
  domain::Dispatch dispatch;
};

// What one claimToSend took: the orders to send, and how many new orders of services
// without a route it filed as kManual for the operator on the way (not returned: no
// sender has anything to do with them, but the claim made progress).
struct SendClaim {
  std::vector<DispatchItem> items;
  int filed_manual = 0;
};

// How many route-less orders one claimToSend may file as kManual per order it may
// send (`limit`): a backlog of them is filed in a few transactions, not `limit` at a
// time.
inline constexpr int kManualPerClaimed = 16;

struct DeliveryFilter {
  std::optional<domain::DeliveryStatus> status;
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> order_id;
  int limit = 100;
};

class DispatchStore {
 public:
  virtual ~DispatchStore() = default;

  // --- providers (name unique: kConflict)
  virtual Result<domain::Provider> createProvider(const domain::Provider& p) = 0;
  virtual Result<std::vector<domain::Provider>> listProviders() = 0;
  virtual Result<domain::Provider> findProvider(std::string_view name) = 0;
  virtual Result<domain::Provider> findProviderById(std::int64_t id) = 0;
  // Replaces every field but id and created_at, by id.
  virtual Status updateProvider(const domain::Provider& p) = 0;

  // --- routes: a service's providers in priority order
  // Replaces the service's routes (an empty list removes them).
  virtual Status setRoutes(std::int64_t service_id, const std::vector<domain::Route>& routes) = 0;
  // Ordered by priority, then provider id.
  virtual Result<std::vector<domain::Route>> routes(std::int64_t service_id) = 0;

  // --- dispatch
  // Claims up to `limit` orders that are ready to be sent, oldest first, moving each
  // to kSending: orders in status waiting without a dispatch row yet (a new row is
  // created), and dispatch rows in kQueued whose next_at <= now. New orders of a
  // service without a route get a kManual row instead, up to limit x
  // kManualPerClaimed of them per call, counted in filed_manual.
  virtual Result<SendClaim> claimToSend(std::int64_t now, int limit) = 0;
  // Claims up to `limit` rows in `phase` (kSent to poll, kUnknown to reconcile, or
  // kSending left by a crashed process and older than `now - lease_s`) with
  // next_at <= now, pushing their next_at to now + lease_s so no other caller takes
  // them meanwhile. Oldest next_at first.
  virtual Result<std::vector<DispatchItem>> claimDue(domain::DispatchPhase phase, std::int64_t now,
                                                     std::int64_t lease_s, int limit) = 0;
  // Writes `d` if the row is still in `expected` (kConflict otherwise).
  virtual Status saveDispatch(const domain::Dispatch& d, domain::DispatchPhase expected) = 0;
  virtual Result<domain::Dispatch> findDispatch(std::int64_t order_id) = 0;
  // The order the provider knows as `provider_order_id`, with its dispatch row (what a
  // provider's webhook names). kNotFound when no dispatch row of that provider carries
  // the id (also before the provider's answer to the add was saved).
  virtual Result<DispatchItem> findByProviderOrder(std::int64_t provider_id,
                                                   std::string_view provider_order_id) = 0;

  // --- an order's story
  virtual Status appendEvent(const domain::OrderEvent& e) = 0;
  // Oldest first.
  virtual Result<std::vector<domain::OrderEvent>> events(std::int64_t order_id) = 0;

  // --- reseller webhooks
  // Sets (or with an empty url, clears) the account's callback URL and secret.
  virtual Status setCallback(std::int64_t account_id, std::string_view url, std::string_view secret) = 0;
  // Claims up to `limit` pending deliveries with next_at <= now, pushing next_at to
  // now + lease_s. Only the oldest pending delivery of each order is eligible, so an
  // order's changes arrive in order. Each comes with its account's current url and
  // secret filled in (`url`, `secret`).
  virtual Result<std::vector<domain::WebhookDelivery>> claimDeliveries(std::int64_t now, std::int64_t lease_s,
                                                                       int limit) = 0;
  virtual Status markDelivered(std::int64_t id, std::int64_t now) = 0;
  // attempts, next_at and last_error as given; status stays pending.
  virtual Status markRetry(std::int64_t id, int attempts, std::int64_t next_at, std::string_view error) = 0;
  virtual Status markFailed(std::int64_t id, int attempts, std::string_view error) = 0;
  // Newest first.
  virtual Result<std::vector<domain::WebhookDelivery>> listDeliveries(const DeliveryFilter& f) = 0;
  // Back to pending with attempts 0 and next_at = now (kNotFound when no such id).
  virtual Status replayDelivery(std::int64_t id, std::int64_t now) = 0;
};

}  // namespace warung::store
