#include "domain/order_state.hpp"

#include <fmt/format.h>

#include "domain/pricing.hpp"

namespace warung::domain {

bool isFinal(OrderStatus s) {
  return s == OrderStatus::kSuccess || s == OrderStatus::kPartial || s == OrderStatus::kError;
}

bool canTransition(Kind kind, OrderStatus from, OrderStatus to) {
  if (to == OrderStatus::kPartial && kind != Kind::kSocialMedia) return false;
  switch (from) {
    case OrderStatus::kWaiting:
      return to != OrderStatus::kWaiting;
    case OrderStatus::kProcessing:
      return isFinal(to);
    default:
      return false;  // final states never move
  }
}

Money refundFor(const Order& order, OrderStatus to, std::int64_t remain) {
  if (to == OrderStatus::kError) return order.charge;
  if (to != OrderStatus::kPartial) return Money{0};
  const std::int64_t delivered = order.quantity - remain;
  // perThousand cannot overflow here: it did not when the charge was computed
  // for the (larger) full quantity.
  const Money paid_for_delivered = perThousand(order.unit_price, delivered).value_or(order.charge);
  const Money refund = order.charge - paid_for_delivered;
  return refund.rupiah > 0 ? refund : Money{0};
}

Order applied(const Order& order, const Transition& t) {
  Order o = order;
  o.status = t.to;
  o.start_count = t.start_count;
  o.remain = t.remain;
  o.voucher = t.voucher;
  o.note = t.note;
  o.updated_at = t.at;
  return o;
}

Result<Transition> planTransition(const Order& order, const TransitionRequest& req, std::int64_t now) {
  if (!canTransition(order.kind, order.status, req.to)) {
    return makeError(Errc::kConflict, fmt::format("order {} cannot go from {} to {}", order.ref_id,
                                                  toString(order.status), toString(req.to)));
  }
  Transition t;
  t.order_id = order.id;
  t.account_id = order.account_id;
  t.ref_id = order.ref_id;
  t.from = order.status;
  t.to = req.to;
  t.start_count = order.start_count;
  t.remain = order.remain;
  t.voucher = order.voucher;
  t.note = req.note.value_or(order.note);
  t.at = now;

  if (req.voucher && order.kind != Kind::kGame) {
    return makeError(Errc::kInvalidArgument, "voucher applies to game orders only");
  }
  if ((req.start_count || req.remain) && order.kind != Kind::kSocialMedia) {
    return makeError(Errc::kInvalidArgument, "start count and remain apply to social media orders only");
  }
  if (req.start_count) {
    if (*req.start_count < 0) return makeError(Errc::kInvalidArgument, "start count must not be negative");
    t.start_count = *req.start_count;
  }
  if (req.voucher) t.voucher = *req.voucher;

  switch (req.to) {
    case OrderStatus::kPartial:
      if (!req.remain || *req.remain < 1 || *req.remain > order.quantity) {
        return makeError(Errc::kInvalidArgument,
                         fmt::format("partial needs remain between 1 and {}", order.quantity));
      }
      t.remain = *req.remain;
      break;
    case OrderStatus::kSuccess:
      if (req.remain) return makeError(Errc::kInvalidArgument, "remain applies to partial only");
      t.remain = 0;
      break;
    case OrderStatus::kError:
      if (req.remain) return makeError(Errc::kInvalidArgument, "remain applies to partial only");
      t.remain = order.quantity;
      break;
    default:
      if (req.remain) return makeError(Errc::kInvalidArgument, "remain applies to partial only");
      break;
  }
  t.refund = refundFor(order, req.to, t.remain);
  return t;
}

}  // namespace warung::domain
