#pragma once
// Fulfilment through upstream providers: the plain data and the rules (how a
// provider's answer maps to our lifecycle, how retries back off). No HTTP, no SQL.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.hpp"
#include "domain/order_state.hpp"
#include "domain/types.hpp"

namespace warung::domain {

// An upstream provider, configured by the operator.
struct Provider {
  std::int64_t id = 0;
  std::string name;      // unique, operator-chosen ("medanpedia", "sim")
  std::string dialect;   // "osimesa", "smm-v2", "manual", ...
  std::string base_url;  // e.g. "https://panel.example/api/v2"
  std::string api_key;   // the provider's credential (never shown in logs)
  std::string secret;    // dialect-specific: osimesa user id
  std::int64_t timeout_ms = 10'000;
  bool enabled = true;
  std::int64_t created_at = 0;
  // Signs the status webhooks the provider POSTs to us (dialects that have them:
  // osimesa); empty: its webhooks are refused. Never shown or logged.
  std::string webhook_secret;
};

// One provider that can fulfil a service, with its own code and cost.
struct Route {
  std::int64_t service_id = 0;
  std::int64_t provider_id = 0;
  int priority = 0;              // lower goes first
  std::string provider_service;  // the provider's service code
  Money cost;                    // what the provider charges (per 1,000 for social media)
};

// Where an order is on its way to and from a provider. Kept beside the order; the
// public status (waiting/processing/...) only moves through planTransition.
enum class DispatchPhase {
  kQueued,   // ready to be sent to routes[route_index] once next_at has come
  kSending,  // claimed by a worker; the add call may be in flight
  kSent,     // the provider accepted it; polled for status
  kUnknown,  // the add's outcome is unknown (timeout, 5xx, garbage): reconcile, never re-send blindly
  kManual,   // waits for the operator (manual dialect, or no route)
  kStuck,    // cannot be reconciled automatically; the operator decides
  kDone,     // final status reached
};
std::string_view toString(DispatchPhase p);
std::optional<DispatchPhase> parseDispatchPhase(std::string_view s);

struct Dispatch {
  std::int64_t order_id = 0;
  DispatchPhase phase = DispatchPhase::kQueued;
  int route_index = 0;            // index into the service's routes by priority
  std::int64_t provider_id = 0;   // 0 until a provider was chosen
  std::string provider_order_id;  // the provider's id once accepted
  int attempts = 0;               // consecutive failed attempts in this phase
  std::int64_t next_at = 0;       // Unix seconds: when to act next
  std::string last_error;
  std::int64_t updated_at = 0;
};

// What a provider says about one of its orders, in our terms.
enum class RemoteState { kPending, kProcessing, kSuccess, kPartial, kError, kNotFound, kUnknown };

struct RemoteStatus {
  RemoteState state = RemoteState::kUnknown;
  std::string provider_order_id;
  std::optional<std::int64_t> start_count;
  std::optional<std::int64_t> remain;
  std::string voucher;
  std::string raw;     // the provider's answer as received, for the order's story
  std::string reason;  // why kUnknown/kError, for logs and the operator
};

// The transition a provider's status calls for, or nullopt when nothing changes.
// kProcessing on a waiting order -> processing; kSuccess -> success (voucher, start);
// kPartial -> partial (remain clamped to 1..quantity; remain 0 is success, remain
// >= quantity is error); kError -> error. Already-equal states give nullopt.
std::optional<TransitionRequest> transitionFor(const Order& order, const RemoteStatus& remote);

// Exponential backoff: base * 2^attempts, capped, in seconds.
std::int64_t backoffSeconds(int attempts, std::int64_t base_s, std::int64_t cap_s);

// A status change an account's callback URL should hear about.
enum class DeliveryStatus { kPending, kDelivered, kFailed };
std::string_view toString(DeliveryStatus s);

struct WebhookDelivery {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::int64_t order_id = 0;
  std::string ref_id;
  std::string url;      // filled from the account when claimed
  std::string secret;   // the account's webhook secret, filled when claimed; not stored per row
  std::string payload;  // JSON, the `type=status` entry shape
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  std::int64_t next_at = 0;
  std::string last_error;
  std::int64_t created_at = 0;
  std::int64_t delivered_at = 0;
};

// One line of an order's story: status changes and providers' raw answers.
struct OrderEvent {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t at = 0;
  std::string kind;    // "status", "provider", "webhook"
  std::string detail;  // human-readable; raw answers verbatim
};

}  // namespace warung::domain
