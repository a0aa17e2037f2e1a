#include "api/provider_webhook.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "api/errors.hpp"
#include "common/thread_name.hpp"
#include "dispatch/webhooks.hpp"

namespace warung::api {
namespace {

namespace bhttp = boost::beast::http;

// The same answer for every reason a name does not take webhooks: a caller learns
// nothing about which providers exist.
constexpr const char* kNoSuchWebhook = "no such provider webhook";

std::string_view providerName(std::string_view target) {
  target = target.substr(0, target.find('?'));
  target.remove_prefix(kProviderWebhookPath.size());
  return target;
}

}  // namespace

ProviderWebhookApi::ProviderWebhookApi(ProviderWebhookConfig config, store::DispatchStore& dstore,
                                       const dispatch::AdapterRegistry& adapters,
                                       dispatch::Dispatcher& dispatcher)
    : config_(config), dstore_(dstore), adapters_(adapters), dispatcher_(dispatcher) {
  if (config_.workers < 1 || config_.queue == 0) {
    throw std::invalid_argument("provider webhooks: at least one worker and a queue of at least one");
  }
  for (int i = 0; i < config_.workers; ++i) {
    workers_.emplace_back([this, i] {
      setThreadName("provider-hook-" + std::to_string(i));
      work();
    });
  }
}

ProviderWebhookApi::~ProviderWebhookApi() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ProviderWebhookApi::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued is applied
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      apply(job);
    } catch (const std::exception& e) {
      spdlog::error("provider webhook {}: {}", job.provider.name, e.what());
      job.respond(errorResponse(makeError(Errc::kInternal, "internal error"), false));
    }
    lock.lock();
  }
}

void ProviderWebhookApi::mount(http::Server& server) {
  server.routePrefix(
      std::string(kProviderWebhookPath),
      [this](const http::Request& req, http::Respond respond) { handle(req, std::move(respond)); });
}

// On the io thread: everything but the change itself. Reading the provider never
// waits for a writer, and only signed, well-formed webhooks take a place in the queue
// (so strangers cannot fill it, or memory, with bodies).
void ProviderWebhookApi::handle(const http::Request& req, http::Respond respond) {
  auto fail = [&](Errc code, std::string detail) {
    respond(errorResponse(makeError(code, std::move(detail)), false));
  };
  if (req.method() != bhttp::verb::post) {
    http::Response r =
        errorResponse(makeError(Errc::kMethodNotAllowed, "method not allowed; use POST"), false);
    r.headers.emplace_back("Allow", "POST");
    return respond(std::move(r));
  }
  const std::string_view name = providerName(req.target());
  if (name.empty() || name.find('/') != std::string_view::npos) return fail(Errc::kNotFound, kNoSuchWebhook);
  auto provider = dstore_.findProvider(name);
  if (!provider) {
    if (provider.error().code == Errc::kNotFound) return fail(Errc::kNotFound, kNoSuchWebhook);
    return respond(errorResponse(provider.error(), false));
  }
  dispatch::ProviderAdapter* adapter = adapters_.find(provider->dialect);
  if (adapter == nullptr || !adapter->hasWebhooks() || provider->webhook_secret.empty()) {
    return fail(Errc::kNotFound, kNoSuchWebhook);
  }
  const std::string_view header = req["X-Warung-Signature"];
  if (!dispatch::webhookSignatureValid(provider->webhook_secret, req.body(), header)) {
    spdlog::warn("provider webhook {}: bad signature", provider->name);
    return fail(Errc::kUnauthenticated, "bad signature");
  }
  auto remote = adapter->parseWebhook(req.body());
  if (!remote) return fail(Errc::kInvalidArgument, "the body is not a status entry with a ref_id");

  Job job{std::move(provider).value(), std::move(*remote), std::move(respond)};
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < config_.queue) {
      queue_.push_back(std::move(job));
      job.respond = nullptr;
    }
  }
  if (job.respond) {
    spdlog::warn("provider webhook {}: {} waiting already; refused", job.provider.name, config_.queue);
    return job.respond(
        errorResponse(makeError(Errc::kOverloaded, "too many provider webhooks waiting; try again"), false));
  }
  wake_.notify_one();
}

// On a worker thread: the change, which may wait for the database's write lock.
void ProviderWebhookApi::apply(const Job& job) {
  auto applied = dispatcher_.onProviderStatus(job.provider, job.remote);
  if (!applied) {
    if (applied.error().code == Errc::kNotFound) {
      return job.respond(errorResponse(
          makeError(Errc::kNotFound,
                    "no order with ref_id " + job.remote.provider_order_id + " at " + job.provider.name),
          false));
    }
    return job.respond(errorResponse(applied.error(), false));
  }
  http::Response ok;
  ok.body = R"({"ok":true})";
  job.respond(std::move(ok));
}

}  // namespace warung::api
