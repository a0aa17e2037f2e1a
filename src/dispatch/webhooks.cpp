#include "dispatch/webhooks.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "common/thread_name.hpp"
#include "domain/fulfilment.hpp"

namespace warung::dispatch {

std::string webhookSignature(std::string_view secret, std::string_view body) {
  return "sha256=" + crypto::hmacSha256Hex(secret, body);
}

bool webhookSignatureValid(std::string_view secret, std::string_view body, std::string_view header) {
  constexpr std::string_view kScheme = "sha256=";
  if (secret.empty() || !header.starts_with(kScheme)) return false;
  return crypto::hexEqualsConstantTime(crypto::hmacSha256Hex(secret, body), header.substr(kScheme.size()));
}

WebhookSender::WebhookSender(WebhookConfig config, store::DispatchStore& dstore, HttpClient& http,
                             const Clock& clock)
    : config_(config), dstore_(dstore), http_(http), clock_(clock) {}

WebhookSender::~WebhookSender() { stop(); }

void WebhookSender::start() {
  // When idle only the first worker looks (each look is a write transaction); the
  // others join in once it finds a full batch.
  for (int i = 0; i < config_.workers; ++i) {
    threads_.emplace_back([this, i] {
      setThreadName("webhook-" + std::to_string(i));
      std::unique_lock lock(mu_);
      while (!stopping_) {
        lock.unlock();
        const int n = round();
        lock.lock();
        if (n == config_.batch) {
          cv_.notify_all();
        } else if (n == 0) {
          cv_.wait_for(lock, i == 0 ? config_.idle_wait : config_.idle_wait * 20,
                       [this] { return stopping_; });
        }
      }
    });
  }
}

void WebhookSender::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

int WebhookSender::round() {
  auto due = dstore_.claimDeliveries(clock_.nowUnix(), config_.lease_s, config_.batch);
  if (!due) return 0;
  for (const auto& d : *due) deliver(d);
  return static_cast<int>(due->size());
}

void WebhookSender::deliver(const domain::WebhookDelivery& d) {
  if (d.url.empty()) {
    (void)dstore_.markFailed(d.id, d.attempts, "the account has no callback URL any more");
    return;
  }
  HttpRequest req;
  req.url = d.url;
  req.body = d.payload;
  req.content_type = "application/json";
  req.timeout = config_.timeout;
  req.max_response_bytes = 64 * 1024;
  req.headers = {{"X-Warung-Signature", webhookSignature(d.secret, d.payload)},
                 {"X-Warung-Delivery", std::to_string(d.id)},
                 {"X-Warung-Event", "order.status"}};
  auto reply = http_.post(req);
  const std::int64_t now = clock_.nowUnix();
  if (reply && reply->status >= 200 && reply->status < 300) {
    (void)dstore_.markDelivered(d.id, now);
    return;
  }
  const std::string error = reply ? fmt::format("HTTP {}", reply->status) : reply.error().detail;
  const int attempts = d.attempts + 1;
  if (now - d.created_at >= config_.give_up_after_s) {
    spdlog::warn("webhook {} for order {} given up after {} attempts: {}", d.id, d.ref_id, attempts, error);
    (void)dstore_.markFailed(d.id, attempts, error);
    return;
  }
  const std::int64_t next =
      now + domain::backoffSeconds(attempts - 1, config_.retry_base_s, config_.retry_cap_s);
  (void)dstore_.markRetry(d.id, attempts, next, error);
}

}  // namespace warung::dispatch
