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
//   more than `queue` webhooks already waiting for a worker          503 (+ Retry-After)
// Errors are the API's JSON envelope (api/errors.hpp). The change is applied by
// Dispatcher::onProviderStatus like a poll's answer, so duplicates and deliveries out
// of order change nothing and are still answered 200 (the sender stops retrying).
//
// Threads: the io thread looks the provider up (a read, which never waits for a writer),
// checks the signature and parses the body, then queues the webhook; `workers` threads
// of its own apply the change (a store transaction, which may wait for the database's
// write lock), so a busy database never holds up the reseller API's io threads, and
// only signed webhooks take a place in the queue. The answer is sent from the worker.
// The destructor applies what is queued, then joins the workers.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dispatch/adapter.hpp"
#include "dispatch/dispatcher.hpp"
#include "http/server.hpp"
#include "store/dispatch_store.hpp"

namespace warung::api {

inline constexpr std::string_view kProviderWebhookPath = "/api/provider-webhook/";

struct ProviderWebhookConfig {
  int workers = 2;           // threads applying webhooks (api.provider_webhook_workers)
  std::size_t queue = 1000;  // webhooks waiting for one; beyond: 503 (api.provider_webhook_queue)
};

class ProviderWebhookApi {
 public:
  // All three outlive this object and the server it is mounted on. Starts the workers;
  // throws std::invalid_argument for fewer than one worker or a queue of 0.
  ProviderWebhookApi(ProviderWebhookConfig config, store::DispatchStore& dstore,
                     const dispatch::AdapterRegistry& adapters, dispatch::Dispatcher& dispatcher);
  ~ProviderWebhookApi();
  ProviderWebhookApi(const ProviderWebhookApi&) = delete;
  ProviderWebhookApi& operator=(const ProviderWebhookApi&) = delete;

  // Routes kProviderWebhookPath + NAME (any NAME: providers added while running count).
  void mount(http::Server& server);
  void handle(const http::Request& req, http::Respond respond);

 private:
  struct Job {  // a signed, parsed webhook
    domain::Provider provider;
    domain::RemoteStatus remote;
    http::Respond respond;
  };
  void work();
  void apply(const Job& job);

  ProviderWebhookConfig config_;
  store::DispatchStore& dstore_;
  const dispatch::AdapterRegistry& adapters_;
  dispatch::Dispatcher& dispatcher_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::vector<std::thread> workers_;
};

}  // namespace warung::api
