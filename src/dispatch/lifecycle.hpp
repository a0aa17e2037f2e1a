#pragma once
// Moves an order through the state machine with everything that goes with a change,
// in one transaction: the compare-and-set on the status, the refund and its ledger
// row, the order's story, and the webhook to the reseller's callback URL.
// Every status change (operator, provider, admin console) goes through here.
// Thread-safe.
#include <functional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/order_state.hpp"
#include "store/store.hpp"

namespace warung::dispatch {

// An applied change: the order after it, and what was refunded.
struct Changed {
  domain::Order order;
  Money refund;
};

class Lifecycle {
 public:
  // The webhook body announcing an order as it is after a change (the reseller
  // API's `type=status` entry). Injected so this layer knows no API dialect.
  using Encoder = std::function<std::string(const domain::Order&)>;

  Lifecycle(store::Store& store, const Clock& clock, Encoder encoder);

  // Plans `req` against `current` and applies it. kConflict when the state machine
  // refuses or the order moved meanwhile (nothing changes then); `actor` names who
  // asked, for the order's story.
  Result<Changed> transition(const domain::Order& current, const domain::TransitionRequest& req,
                             std::string_view actor);
  // The same, reading the order by ref_id first (kNotFound when unknown).
  Result<Changed> transitionByRef(std::string_view ref_id, const domain::TransitionRequest& req,
                                  std::string_view actor);

 private:
  store::Store& store_;
  const Clock& clock_;
  Encoder encoder_;
};

}  // namespace warung::dispatch
