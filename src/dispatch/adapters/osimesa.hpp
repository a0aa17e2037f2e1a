#pragma once
// The osimesa dialect (dialect name "osimesa"): warung's own public API
// (docs/api.md), so one warung can buy from another. Provider::base_url is the
// server's root (https://other.example); calls go to base_url + "/api/social-media"
// or "/api/game" by kind, form POSTs with key=<api_key> and
// sign=md5(<Provider::secret> + <api_key>): Provider::secret holds the user id of
// our account on that server.
//
//   add       type=order, service, data1..3, idempotency_key=<our_ref>. For social
//             media data2 is sent as the request's quantity.
//   status    type=status&ref_id=X, one call per id (the dialect has no multi-status)
//   lookup    type=status&idempotency_key=<our_ref> (a server extension: data=[the
//             order placed with that key], or 404 when there is none)
//   services  type=service on both endpoints
//   balance   not in the dialect: always kInvalidArgument
//
// How an add's answer is read (the dispatcher fails over only on kRefused):
//   envelope status true with data.ref_id              kAccepted, provider_order_id = ref_id
//   envelope status false, code 400 401 402 403 404
//     405 409 413 422 503 (the server's refusals,
//     before anything is stored; see docs/api.md)      kRefused, reason = message
//   no connection / malformed URL                      kRefused: the request never left
//   code 408 or 500 or any other, HTTP 5xx without a
//     refusal envelope, timeout, error after
//     connecting, garbage                              kUnknown, raw body kept
// Because idempotency_key = our_ref, re-sending an add for the same ref after a
// kUnknown can never create a second order on a warung server.
//
// webhook   the body is one `type=status` entry (how a warung server announces a change
//           to our account's callback URL); parseWebhook reads it like a status entry.
//
// status/lookup: entry status waiting -> kPending, processing -> kProcessing,
// success -> kSuccess (voucher for games, detail.start -> start_count), partial ->
// kPartial (detail.remain -> remain), error -> kError; 404 -> kNotFound. A status or
// lookup call does not know the order's kind: the endpoint the adapter saw the
// order on is tried first (remembered in memory), then the other on 404; kNotFound
// only when both say 404. lookup accepts an answer only when `data` holds exactly
// one order (and, when the entry carries "idempotency_key", only when it matches):
// a server without the extension ignores the key and lists the latest orders, which
// must never be taken for ours (kUnknown instead). An empty list is kUnknown too:
// the extension answers "not found" with 404.
//
// Thread-safe. Never logs the api key.
#include <boost/json/fwd.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dispatch/adapter.hpp"
#include "dispatch/http_client.hpp"

namespace warung::dispatch::adapters {

inline constexpr const char* kOsimesaDialect = "osimesa";

class OsimesaAdapter final : public ProviderAdapter {
 public:
  // `http` must be thread-safe; it is shared by every call.
  explicit OsimesaAdapter(std::shared_ptr<HttpClient> http);

  AddResult add(const domain::Provider& p, const AddRequest& req) override;
  std::vector<domain::RemoteStatus> status(const domain::Provider& p,
                                           const std::vector<std::string>& provider_order_ids) override;
  bool canLookupByReference() const override { return true; }
  domain::RemoteStatus lookup(const domain::Provider& p, const std::string& our_ref) override;
  Result<Money> balance(const domain::Provider& p) override;
  Result<std::vector<RemoteService>> services(const domain::Provider& p) override;
  // A warung server POSTs each status change of our orders there to the callback URL
  // of our account, as the `type=status` entry (docs/fulfilment.md). nullopt unless
  // the body is a JSON object with a non-empty ref_id (the provider's order id).
  bool hasWebhooks() const override { return true; }
  std::optional<domain::RemoteStatus> parseWebhook(const std::string& body) override;

 private:
  // One `type=status` query (by ref_id or idempotency_key) on the endpoints in
  // order of likelihood.
  domain::RemoteStatus query(const domain::Provider& p, const char* param, const std::string& value,
                             const std::string& hint_key, bool lookup);
  std::optional<domain::Kind> hint(const std::string& key) const;
  void remember(const std::string& key, domain::Kind kind);

  std::shared_ptr<HttpClient> http_;
  mutable std::mutex mu_;
  // Kind by provider ref_id (and by our_ref), learnt from adds and answers: saves
  // the second call for games. Bounded: cleared when it grows past a limit.
  std::unordered_map<std::string, domain::Kind> kinds_;
};

// How one osimesa status entry maps to our terms. Exposed for tests.
domain::RemoteStatus osimesaEntry(const boost::json::value& entry, std::string raw);

}  // namespace warung::dispatch::adapters
