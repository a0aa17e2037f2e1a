#pragma once
// The boundary between the dispatcher and one dialect of provider API. A new
// dialect (Digiflazz, VIP Reseller, ...) is a new ProviderAdapter in
// dispatch/adapters/ registered in app/ wiring; the engine does not change.
//
// Adapters speak HTTP through HttpClient, never inside a database transaction, and
// turn every failure into a value: an add is kAccepted, kRefused (definitely not
// created: the dispatcher may fail over) or kUnknown (may or may not exist: the
// dispatcher reconciles and never re-sends blindly). Malformed answers are kUnknown
// with the raw body kept. Thread-safe.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/money.hpp"
#include "common/result.hpp"
#include "domain/fulfilment.hpp"
#include "domain/types.hpp"

namespace warung::dispatch {

struct AddRequest {
  std::string our_ref;  // our ref_id: sent where the dialect can carry it
  domain::Kind kind = domain::Kind::kSocialMedia;
  std::string provider_service;  // the route's provider service code
  std::array<std::string, 3> data;
  std::int64_t quantity = 1;
};

enum class AddOutcome { kAccepted, kRefused, kUnknown, kManual };

struct AddResult {
  AddOutcome outcome = AddOutcome::kUnknown;
  std::string provider_order_id;  // when accepted
  std::string raw;                // the provider's answer verbatim (or the transport error)
  std::string reason;             // why refused/unknown
};

// A provider's service, as its `services` call lists it (for `provider sync`).
struct RemoteService {
  std::string code;
  std::string name;
  std::string category;
  domain::Kind kind = domain::Kind::kSocialMedia;
  Money rate;  // per 1,000 units (social media) or per order (game)
  std::int64_t min = 0;
  std::int64_t max = 0;
};

class ProviderAdapter {
 public:
  virtual ~ProviderAdapter() = default;
  virtual AddResult add(const domain::Provider& p, const AddRequest& req) = 0;
  // Status of several of the provider's orders at once where the dialect allows
  // (smm-v2 `orders=1,2,3`); one RemoteStatus per id, in the same order.
  virtual std::vector<domain::RemoteStatus> status(const domain::Provider& p,
                                                   const std::vector<std::string>& provider_order_ids) = 0;
  // Whether lookup() can find an order by our reference.
  virtual bool canLookupByReference() const = 0;
  // The provider's order created for `our_ref`: kNotFound when it surely does not
  // exist, kUnknown when the provider could not say.
  virtual domain::RemoteStatus lookup(const domain::Provider& p, const std::string& our_ref) = 0;
  virtual Result<Money> balance(const domain::Provider& p) = 0;
  virtual Result<std::vector<RemoteService>> services(const domain::Provider& p) = 0;
  // Whether the dialect's providers announce status changes by webhook (parseWebhook).
  virtual bool hasWebhooks() const { return false; }
  // The status one of the provider's webhooks announces, read from the request body
  // (the signature was checked by the caller); provider_order_id is the provider's id
  // for the order. nullopt when the body is not one of the dialect's webhooks, and for
  // every body in dialects that have no webhooks (this default).
  virtual std::optional<domain::RemoteStatus> parseWebhook(const std::string& body) {
    (void)body;
    return std::nullopt;
  }
};

// Adapters by dialect name. Built once in app/ wiring; read-only afterwards.
class AdapterRegistry {
 public:
  void add(std::string dialect, std::unique_ptr<ProviderAdapter> adapter) {
    adapters_[std::move(dialect)] = std::move(adapter);
  }
  ProviderAdapter* find(const std::string& dialect) const {
    auto it = adapters_.find(dialect);
    return it == adapters_.end() ? nullptr : it->second.get();
  }
  std::vector<std::string> dialects() const {
    std::vector<std::string> out;
    for (const auto& [name, _] : adapters_) out.push_back(name);
    return out;
  }

 private:
  std::map<std::string, std::unique_ptr<ProviderAdapter>> adapters_;
};

}  // namespace warung::dispatch
