#include "api/provider_webhook.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "api/errors.hpp"
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

ProviderWebhookApi::ProviderWebhookApi(store::DispatchStore& dstore,
                                       const dispatch::AdapterRegistry& adapters,
                                       dispatch::Dispatcher& dispatcher)
    : dstore_(dstore), adapters_(adapters), dispatcher_(dispatcher) {}

void ProviderWebhookApi::mount(http::Server& server) {
  server.routePrefix(
      std::string(kProviderWebhookPath),
      [this](const http::Request& req, http::Respond respond) { handle(req, std::move(respond)); });
}

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
  auto applied = dispatcher_.onProviderStatus(*provider, *remote);
  if (!applied) {
    if (applied.error().code == Errc::kNotFound) {
      return fail(Errc::kNotFound,
                  "no order with ref_id " + remote->provider_order_id + " at " + provider->name);
    }
    return respond(errorResponse(applied.error(), false));
  }
  http::Response ok;
  ok.body = R"({"ok":true})";
  respond(std::move(ok));
}

}  // namespace warung::api
