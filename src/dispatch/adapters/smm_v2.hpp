#pragma once
// The common "SMM panel API v2" dialect (dialect name "smm-v2"): one URL
// (Provider::base_url, e.g. https://panel.example/api/v2), form POSTs with
// key=<api_key> and action=add|status|services|balance. Provider::secret is unused.
//
//   add       service, link (= data[0]), quantity  ->  {"order": 23501}
//   status    order=ID (one id) or orders=1,2,3 (several; at most 100 per call)
//   balance   {"balance": "100.84292", "currency": "USD"}
//   services  [{"service": 1, "name": ..., "category": ..., "rate": "0.90", "min": "50", "max": "10000"}]
//
// How an add's answer is read (the dispatcher fails over only on kRefused):
//   {"order": N} (any HTTP status)                 kAccepted, provider_order_id "N"
//   {"error": "..."} with HTTP 2xx-4xx             kRefused: the panel answered and said
//                                                  no (balance, service, link, quantity...)
//   no connection / malformed URL                  kRefused: the request never left
//   HTTP 5xx (whatever the body), timeout, error
//   after connecting, non-JSON, JSON without
//   "order"/"error", answer over the size cap      kUnknown, raw body kept
//
// Status words (case-insensitive): Pending -> kPending; In progress, Processing ->
// kProcessing; Completed -> kSuccess; Partial -> kPartial with remain = remains
// (kUnknown when remains is missing); Canceled, Cancelled -> kError; an entry
// {"error": "Incorrect order ID"} (or "... not found") -> kNotFound; anything else
// -> kUnknown with the reason. start_count and remains may be strings or numbers.
// The dialect carries no reference of ours: canLookupByReference() is false.
//
// Money: panels answer in their own currency with decimals; warung counts whole
// rupiah. The currency is assumed to be rupiah (a panel in USD must not be used
// with this adapter as is); the balance is rounded half up, a service's rate
// (per 1,000 units) rounded up to whole rupiah so a cost is never understated.
//
// Thread-safe (no state besides the shared HttpClient). Never logs the api key.
#include <boost/json/fwd.hpp>

#include <memory>
#include <string>
#include <vector>

#include "dispatch/adapter.hpp"
#include "dispatch/http_client.hpp"

namespace warung::dispatch::adapters {

inline constexpr const char* kSmmV2Dialect = "smm-v2";

class SmmV2Adapter final : public ProviderAdapter {
 public:
  // `http` must be thread-safe; it is shared by every call.
  explicit SmmV2Adapter(std::shared_ptr<HttpClient> http);

  AddResult add(const domain::Provider& p, const AddRequest& req) override;
  std::vector<domain::RemoteStatus> status(const domain::Provider& p,
                                           const std::vector<std::string>& provider_order_ids) override;
  bool canLookupByReference() const override { return false; }
  domain::RemoteStatus lookup(const domain::Provider& p, const std::string& our_ref) override;
  Result<Money> balance(const domain::Provider& p) override;
  Result<std::vector<RemoteService>> services(const domain::Provider& p) override;

 private:
  std::shared_ptr<HttpClient> http_;
};

// How one smm-v2 status entry (the object for one order) maps to our terms. Exposed
// for tests; `raw` is stored in the result verbatim.
domain::RemoteStatus smmV2Entry(const boost::json::value& entry, const std::string& provider_order_id,
                                std::string raw);

}  // namespace warung::dispatch::adapters
