#include "domain/fulfilment.hpp"

#include <algorithm>
#include <array>

namespace warung::domain {
namespace {

constexpr std::array<std::string_view, 7> kPhases{"queued", "sending", "sent", "unknown",
                                                  "manual", "stuck",   "done"};
constexpr std::array<std::string_view, 3> kDeliveryStatuses{"pending", "delivered", "failed"};

}  // namespace

std::string_view toString(DispatchPhase p) { return kPhases[static_cast<std::size_t>(p)]; }
std::string_view toString(DeliveryStatus s) { return kDeliveryStatuses[static_cast<std::size_t>(s)]; }

std::optional<DispatchPhase> parseDispatchPhase(std::string_view s) {
  for (std::size_t i = 0; i < kPhases.size(); ++i) {
    if (kPhases[i] == s) return static_cast<DispatchPhase>(i);
  }
  return std::nullopt;
}

std::optional<TransitionRequest> transitionFor(const Order& order, const RemoteStatus& remote) {
  TransitionRequest req;
  if (remote.start_count && order.kind == Kind::kSocialMedia) req.start_count = remote.start_count;
  switch (remote.state) {
    case RemoteState::kProcessing:
      if (order.status != OrderStatus::kWaiting) return std::nullopt;
      req.to = OrderStatus::kProcessing;
      return req;
    case RemoteState::kSuccess:
      req.to = OrderStatus::kSuccess;
      if (order.kind == Kind::kGame && !remote.voucher.empty()) req.voucher = remote.voucher;
      return req;
    case RemoteState::kPartial: {
      if (order.kind != Kind::kSocialMedia) {
        // A game top-up is delivered or not; a provider calling it partial did not deliver.
        req.to = OrderStatus::kError;
        return req;
      }
      const std::int64_t remain = remote.remain.value_or(order.quantity);
      if (remain <= 0) {
        req.to = OrderStatus::kSuccess;
      } else if (remain >= order.quantity) {
        req.to = OrderStatus::kError;
      } else {
        req.to = OrderStatus::kPartial;
        req.remain = remain;
      }
      return req;
    }
    case RemoteState::kError:
      req.to = OrderStatus::kError;
      return req;
    default:
      return std::nullopt;  // pending, not found, unknown: nothing to change yet
  }
}

std::int64_t backoffSeconds(int attempts, std::int64_t base_s, std::int64_t cap_s) {
  std::int64_t d = std::max<std::int64_t>(base_s, 1);
  for (int i = 0; i < attempts && d < cap_s; ++i) d *= 2;
  return std::min(d, cap_s);
}

}  // namespace warung::domain
