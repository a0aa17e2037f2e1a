#pragma once
// Delivers the webhook outbox: each status change of an order is POSTed as JSON to
// its account's callback URL, signed, retried with exponential backoff until a 2xx
// or until `give_up_after_s`. Rows live in the database (written in the same
// transaction as the change), so nothing is lost across a restart; an order's
// changes are delivered in order (the store only offers the oldest pending one).
//
// Headers: Content-Type: application/json
//          X-Warung-Signature: sha256=<hex HMAC-SHA256(webhook_secret, body)>
//          X-Warung-Delivery: <delivery id>   X-Warung-Event: order.status
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "dispatch/http_client.hpp"
#include "store/dispatch_store.hpp"

namespace warung::dispatch {

struct WebhookConfig {
  bool enabled = true;
  int workers = 2;
  int batch = 16;
  std::chrono::milliseconds idle_wait{200};
  std::chrono::milliseconds timeout{5'000};  // per delivery attempt
  std::int64_t retry_base_s = 5;
  std::int64_t retry_cap_s = 600;
  std::int64_t give_up_after_s = 24 * 3600;  // from the change; then the delivery is failed
  std::int64_t lease_s = 60;
};

// The signature header value for `body` under `secret`: "sha256=<hex>".
std::string webhookSignature(std::string_view secret, std::string_view body);
// Whether `header` is webhookSignature(secret, body), compared in constant time (hex
// in either case). False for an empty secret: nothing can be verified against it.
bool webhookSignatureValid(std::string_view secret, std::string_view body, std::string_view header);

class WebhookSender {
 public:
  WebhookSender(WebhookConfig config, store::DispatchStore& dstore, HttpClient& http, const Clock& clock);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void start();
  void stop();  // idempotent
  // Delivers what is due now; returns how many deliveries it attempted.
  int round();

 private:
  void deliver(const domain::WebhookDelivery& d);

  WebhookConfig config_;
  store::DispatchStore& dstore_;
  HttpClient& http_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace warung::dispatch
