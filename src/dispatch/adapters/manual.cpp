#include "dispatch/adapters/manual.hpp"

namespace warung::dispatch::adapters {

AddResult ManualAdapter::add(const domain::Provider&, const AddRequest&) {
  AddResult r;
  r.outcome = AddOutcome::kManual;
  r.reason = "manual";
  return r;
}

std::vector<domain::RemoteStatus> ManualAdapter::status(const domain::Provider&,
                                                        const std::vector<std::string>& ids) {
  std::vector<domain::RemoteStatus> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    domain::RemoteStatus s;
    s.provider_order_id = id;
    s.reason = "manual";
    out.push_back(std::move(s));
  }
  return out;
}

domain::RemoteStatus ManualAdapter::lookup(const domain::Provider&, const std::string&) {
  domain::RemoteStatus s;
  s.reason = "manual";
  return s;
}

Result<Money> ManualAdapter::balance(const domain::Provider&) {
  return makeError(Errc::kInvalidArgument, "manual provider has no balance");
}

Result<std::vector<RemoteService>> ManualAdapter::services(const domain::Provider&) {
  return makeError(Errc::kInvalidArgument, "manual provider has no service list");
}

}  // namespace warung::dispatch::adapters
