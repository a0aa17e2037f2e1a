#pragma once
// The order state machine and refunds.
//
//   waiting -> processing -> success | partial | error
//   waiting ----------------> success | partial | error   (manual completion)
//
// `partial` exists for social media only. success/partial/error are final.
// `error` refunds the whole charge; `partial` refunds what the undelivered units
// cost: charge - ceil(unit_price * delivered / 1000), so a refund never exceeds the
// charge and the customer pays exactly what the delivered units are priced at.
#include <cstdint>
#include <optional>
#include <string>

#include "common/money.hpp"
#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::domain {

bool isFinal(OrderStatus s);
bool canTransition(Kind kind, OrderStatus from, OrderStatus to);

// What an operator (or later, a provider) asks for.
struct TransitionRequest {
  OrderStatus to = OrderStatus::kProcessing;
  std::optional<std::int64_t> start_count;  // social media, on processing/success/partial
  std::optional<std::int64_t> remain;       // partial: units not delivered, 1..quantity
  std::optional<std::string> voucher;       // game, on success
  std::optional<std::string> note;
};

// A checked transition, ready for the store to apply with compare-and-set on `from`.
struct Transition {
  std::int64_t order_id = 0;
  std::int64_t account_id = 0;
  std::string ref_id;
  OrderStatus from = OrderStatus::kWaiting;
  OrderStatus to = OrderStatus::kWaiting;
  std::int64_t start_count = 0;
  std::int64_t remain = 0;
  std::string voucher;
  std::string note;
  Money refund;         // credited back in the same transaction; zero for none
  std::int64_t at = 0;  // Unix seconds
  // The webhook body announcing this change (the `type=status` entry of the order
  // after it). The store queues it, in the same transaction, when the account has a
  // callback URL. Empty: no webhook.
  std::string notify_payload;
  // Who or what made the change, for the order's story ("operator", "provider sim").
  std::string actor;
};

// Refund owed when an order ends in `to` with `remain` undelivered units.
Money refundFor(const Order& order, OrderStatus to, std::int64_t remain);

// The order as it is after `t` (for encoding the webhook that announces it).
Order applied(const Order& order, const Transition& t);

// Validates `req` against the state machine and the order; returns the transition
// to apply. Errors: kConflict (transition not allowed from the current status),
// kInvalidArgument (remain out of range, field not valid for this kind).
Result<Transition> planTransition(const Order& order, const TransitionRequest& req, std::int64_t now);

}  // namespace warung::domain
