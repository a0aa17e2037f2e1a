#pragma once
// The "manual" dialect: nothing leaves the process. add() answers kManual so the
// order waits for the operator; status/lookup know nothing (kUnknown "manual");
// balance and services are errors (kInvalidArgument "manual provider ..."). Stateless
// and thread-safe.
#include <string>
#include <vector>

#include "dispatch/adapter.hpp"

namespace warung::dispatch::adapters {

inline constexpr const char* kManualDialect = "manual";

class ManualAdapter final : public ProviderAdapter {
 public:
  AddResult add(const domain::Provider& p, const AddRequest& req) override;
  std::vector<domain::RemoteStatus> status(const domain::Provider& p,
                                           const std::vector<std::string>& provider_order_ids) override;
  bool canLookupByReference() const override { return false; }
  domain::RemoteStatus lookup(const domain::Provider& p, const std::string& our_ref) override;
  Result<Money> balance(const domain::Provider& p) override;
  Result<std::vector<RemoteService>> services(const domain::Provider& p) override;
};

}  // namespace warung::dispatch::adapters
