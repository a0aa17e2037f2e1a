#pragma once
// POST /api/provider-webhook/{NAME}: the status webhooks our upstream providers send
// us (dialects that have them: osimesa, i.e. another warung whose account of ours has
// this URL as its callback). docs/fulfilment.md, "Provider webhooks".
//
//   unknown provider, no webhook secret, dialect without webhooks   404
//   X-Warung-Signature is not sha256=HMAC-SHA256(webhook_secret, raw body)   401
//   body is not one of the dialect's status entries                 400
//   no order of ours carries the entry's ref_id at that provider     404 (the sender retries)
//   applied, or already applied / older than the order's state       200 {"ok":true}
//   not POST                                                         405
// Errors are the API's JSON envelope (api/errors.hpp). The change is applied by
// Dispatcher::onProviderStatus like a poll's answer, so duplicates and deliveries out
// of order change nothing and are still answered 200 (the sender stops retrying).
//
// Threads: the handler runs on the io thread and does one short store transaction.
#include <string_view>

#include "dispatch/adapter.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/server.hpp"
#include "store/dispatch_store.hpp"

namespace warung::api {

inline constexpr std::string_view kProviderWebhookPath = "/api/provider-webhook/";

class ProviderWebhookApi {
 public:
  // All three outlive this object and the server it is mounted on.
  ProviderWebhookApi(store::DispatchStore& dstore, const dispatch::AdapterRegistry& adapters,
                     dispatch::Dispatcher& dispatcher);

  // Routes kProviderWebhookPath + NAME (any NAME: providers added while running count).
  void mount(http::Server& server);
  void handle(const http::Request& req, http::Respond respond);

 private:
  store::DispatchStore& dstore_;
  const dispatch::AdapterRegistry& adapters_;
  dispatch::Dispatcher& dispatcher_;
};

}  // namespace warung::api
