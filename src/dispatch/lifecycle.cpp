#include "dispatch/lifecycle.hpp"

namespace warung::dispatch {

Lifecycle::Lifecycle(store::Store& store, const Clock& clock, Encoder encoder)
    : store_(store), clock_(clock), encoder_(std::move(encoder)) {}

Result<Changed> Lifecycle::transition(const domain::Order& current, const domain::TransitionRequest& req,
                                      std::string_view actor) {
  auto t = domain::planTransition(current, req, clock_.nowUnix());
  if (!t) return t.error();
  t->actor = std::string(actor);
  // The store keeps the payload only when the account has a callback URL.
  if (encoder_) t->notify_payload = encoder_(domain::applied(current, *t));
  auto updated = store_.applyTransition(*t);
  if (!updated) return updated.error();
  return Changed{std::move(*updated), t->refund};
}

Result<Changed> Lifecycle::transitionByRef(std::string_view ref_id, const domain::TransitionRequest& req,
                                           std::string_view actor) {
  auto order = store_.findOrderByRef(ref_id);
  if (!order) return order.error();
  return transition(*order, req, actor);
}

}  // namespace warung::dispatch
