#include "app/cli_fulfilment.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "api/admin/operations.hpp"
#include "api/provider_webhook.hpp"
#include "app/wiring.hpp"
#include "common/crypto.hpp"
#include "dispatch/http_client.hpp"

namespace warung::app {
namespace {

json::object providerJson(const domain::Provider& p) {
  // The credentials are never printed; only whether a webhook secret is set.
  return {{"name", p.name},
          {"dialect", p.dialect},
          {"url", p.base_url},
          {"timeout_ms", p.timeout_ms},
          {"enabled", p.enabled},
          {"created_at", p.created_at},
          {"webhook", !p.webhook_secret.empty()}};
}

// Where `name`'s webhooks reach us: `public_url` (the address providers see), else the
// listen address of the configuration.
std::string providerWebhookUrl(const Context& ctx, const std::string& public_url, const std::string& name) {
  std::string base = public_url.empty()
                         ? fmt::format("http://{}:{}", ctx.config.server.host, ctx.config.server.port)
                         : public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(api::kProviderWebhookPath) + name;
}

// A webhook secret only means something for a dialect whose providers send webhooks.
void requireWebhooks(const std::string& dialect) {
  auto adapters = makeAdapters(dispatch::makeCurlHttpClient());
  const auto* adapter = adapters->find(dialect);
  if (adapter == nullptr || !adapter->hasWebhooks()) {
    throw CommandError("the " + dialect + " dialect has no webhooks");
  }
}

json::object deliveryJson(const domain::WebhookDelivery& d) {
  return {{"id", d.id},
          {"ref_id", d.ref_id},
          {"status", domain::toString(d.status)},
          {"attempts", d.attempts},
          {"next_at", d.next_at},
          {"last_error", d.last_error},
          {"created_at", d.created_at},
          {"delivered_at", d.delivered_at},
          {"payload", d.payload}};
}

domain::Service findService(Context& ctx, const std::string& kind_s, const std::string& code) {
  const Kind kind = parseKindOption(kind_s);
  auto services = orFail(ctx.store->loadServices(), "cannot load services");
  for (auto& s : services) {
    if (s.kind == kind && s.code == code) return s;
  }
  throw CommandError(fmt::format("service {} {} not found", kind_s, code));
}

// "PROVIDER:SERVICE:COST" -> a route.
domain::Route parseRoute(Context& ctx, const std::string& spec, int priority) {
  const auto a = spec.find(':');
  const auto b = spec.rfind(':');
  if (a == std::string::npos || a == b) {
    throw CommandError("route must be PROVIDER:SERVICE:COST, got '" + spec + "'");
  }
  domain::Route r;
  r.provider_id = orFail(ctx.dstore->findProvider(spec.substr(0, a)), "provider " + spec.substr(0, a)).id;
  r.provider_service = spec.substr(a + 1, b - a - 1);
  r.cost = parseAmount(spec.substr(b + 1), true);
  r.priority = priority;
  if (r.provider_service.empty()) throw CommandError("route '" + spec + "' has an empty provider service");
  return r;
}

}  // namespace

void addFulfilmentCommands(CLI::App& app, CLI::App& service, CLI::App& user, CLI::App& order, Common& common,
                           std::function<void()>& action,
                           const std::function<void(CLI::App*, bool)>& add_common) {
  // Option storage lives as long as the App (static: one parse per process).
  static std::string name, dialect, url, key, secret, kind_s, code, prefix, status_s, user_id, ref;
  static std::string webhook_secret, public_url;
  static std::int64_t timeout_ms = 10'000;
  static std::int64_t id = 0;
  static double markup = 20.0;
  static bool disabled = false, clear = false;
  static std::vector<std::string> route_specs;
  static int limit = 50;

  auto* provider = app.add_subcommand("provider", "upstream providers")->require_subcommand(1);
  auto* add = provider->add_subcommand("add", "configure a provider");
  add_common(add, true);
  add->add_option("NAME", name, "unique name")->required();
  add->add_option("--dialect", dialect, "smm-v2, osimesa or manual")->required();
  add->add_option("--url", url, "API base URL (smm-v2: the full endpoint; osimesa: the server root)");
  add->add_option("--key", key, "the provider's API key");
  add->add_option("--secret", secret, "osimesa: the user id of our account there");
  add->add_option("--timeout-ms", timeout_ms, "per call")->check(CLI::Range(100, 600'000));
  add->add_flag("--disabled", disabled, "add it disabled");
  add->add_option("--webhook-secret", webhook_secret,
                  "osimesa: the secret its webhooks to us are signed with");
  add->add_option("--public-url", public_url,
                  "our address as the provider sees it, for the webhook URL printed");
  add->callback([&] {
    action = [&] {
      Context ctx(common);
      if (dialect != "smm-v2" && dialect != "osimesa" && dialect != "manual") {
        throw CommandError("--dialect must be smm-v2, osimesa or manual, got '" + dialect + "'");
      }
      if (dialect != "manual" && (url.empty() || key.empty())) {
        throw CommandError("--url and --key are required for the " + dialect + " dialect");
      }
      if (dialect == "osimesa" && secret.empty())
        throw CommandError("--secret (our user id there) is required for osimesa");
      if (!webhook_secret.empty()) requireWebhooks(dialect);
      domain::Provider p{
          0, name, dialect, url, key, secret, timeout_ms, !disabled, ctx.clock.nowUnix(), webhook_secret};
      auto created = orFail(ctx.dstore->createProvider(p), "cannot add provider");
      if (common.json) {
        json::object j = providerJson(created);
        if (!webhook_secret.empty()) j["webhook_url"] = providerWebhookUrl(ctx, public_url, created.name);
        return printJson(j);
      }
      std::cout << fmt::format("provider {} ({}) added{}\n", created.name, created.dialect,
                               disabled ? ", disabled" : "");
      if (!webhook_secret.empty()) {
        std::cout << fmt::format("its webhooks go to {}\n",
                                 providerWebhookUrl(ctx, public_url, created.name));
      }
    };
  });
  auto* list = provider->add_subcommand("list", "list providers");
  add_common(list, true);
  list->callback([&] {
    action = [&] {
      Context ctx(common);
      auto providers = orFail(ctx.dstore->listProviders(), "cannot list providers");
      if (common.json) {
        json::array arr;
        for (const auto& p : providers) arr.push_back(providerJson(p));
        return printJson(arr);
      }
      std::cout << fmt::format("{:<16} {:<8} {:<9} {:<7} {}\n", "NAME", "DIALECT", "STATUS", "WEBHOOK",
                               "URL");
      for (const auto& p : providers) {
        std::cout << fmt::format("{:<16} {:<8} {:<9} {:<7} {}\n", p.name, p.dialect,
                                 p.enabled ? "enabled" : "disabled", p.webhook_secret.empty() ? "-" : "set",
                                 p.base_url);
      }
    };
  });
  for (const bool enable : {true, false}) {
    auto* cmd = provider->add_subcommand(enable ? "enable" : "disable",
                                         enable ? "send orders to it" : "stop sending orders to it");
    add_common(cmd, false);
    cmd->add_option("NAME", name)->required();
    cmd->callback([&, enable] {
      action = [&, enable] {
        Context ctx(common);
        orFail(api::admin::setProviderEnabled(*ctx.dstore, name, enable), "provider " + name);
        std::cout << fmt::format("provider {} {}\n", name, enable ? "enabled" : "disabled");
      };
    });
  }
  auto* phook =
      provider->add_subcommand("webhook", "set the secret a provider signs its status webhooks with");
  add_common(phook, true);
  phook->add_option("NAME", name)->required();
  phook->add_option("SECRET", webhook_secret,
                    "the secret the provider gave us (osimesa: `warung user webhook` there)");
  phook->add_flag("--clear", clear, "refuse its webhooks from now on");
  phook->add_option("--public-url", public_url,
                    "our address as the provider sees it, for the webhook URL printed");
  phook->callback([&] {
    action = [&] {
      Context ctx(common);
      if (webhook_secret.empty() != clear) throw CommandError("give SECRET or --clear");
      auto p = orFail(ctx.dstore->findProvider(name), "provider " + name);
      if (!clear) requireWebhooks(p.dialect);
      p.webhook_secret = webhook_secret;
      orFail(ctx.dstore->updateProvider(p), "cannot update provider");
      const std::string hook_url = providerWebhookUrl(ctx, public_url, p.name);
      if (common.json) {
        return printJson(
            json::object{{"name", p.name}, {"webhook", !clear}, {"webhook_url", clear ? "" : hook_url}});
      }
      if (clear) {
        std::cout << fmt::format("webhooks from {} are refused from now on\n", p.name);
      } else {
        std::cout << fmt::format(
            "webhooks from {} are accepted at {}\n"
            "Register that URL as the callback there; each POST must carry\n"
            "X-Warung-Signature: sha256=HMAC-SHA256(secret, body).\n",
            p.name, hook_url);
      }
    };
  });
  auto* balance = provider->add_subcommand("balance", "ask a provider for our balance there");
  add_common(balance, true);
  balance->add_option("NAME", name)->required();
  balance->callback([&] {
    action = [&] {
      Context ctx(common);
      auto p = orFail(ctx.dstore->findProvider(name), "provider " + name);
      auto adapters = makeAdapters(dispatch::makeCurlHttpClient());
      auto* adapter = adapters->find(p.dialect);
      if (adapter == nullptr) throw CommandError("no adapter for dialect " + p.dialect);
      auto b = orFail(adapter->balance(p), "cannot read the balance of " + name);
      if (common.json) return printJson(json::object{{"provider", name}, {"balance", b.rupiah}});
      std::cout << fmt::format("{}: {}\n", name, rupiah(b));
    };
  });
  auto* sync =
      provider->add_subcommand("sync", "import a provider's services into the catalog, priced with a markup");
  add_common(sync, false);
  sync->add_option("NAME", name)->required();
  sync->add_option("--markup", markup, "percent added to the provider's rate")
      ->check(CLI::Range(0.0, 1000.0));
  sync->add_option("--prefix", prefix, "prefix for our service codes (default: NAME-)");
  sync->callback([&] {
    action = [&] {
      Context ctx(common);
      auto p = orFail(ctx.dstore->findProvider(name), "provider " + name);
      auto adapters = makeAdapters(dispatch::makeCurlHttpClient());
      auto r = orFail(api::admin::syncProvider(*ctx.store, *ctx.dstore, *adapters, p.name, markup, prefix,
                                               ctx.clock.nowUnix()),
                      "cannot import the services of " + name);
      std::cout << fmt::format("imported {} services from {} with {}% markup; {} routed to it\n", r.imported,
                               name, markup, r.routed);
    };
  });

  // --- service route / routes
  auto* route = service.add_subcommand("route", "send a service's orders to providers, in priority order");
  add_common(route, false);
  route->add_option("KIND", kind_s, "social-media or game")->required();
  route->add_option("CODE", code, "service code")->required();
  route->add_option("ROUTES", route_specs, "PROVIDER:PROVIDER_SERVICE:COST ... (first is tried first)");
  route->add_flag("--clear", clear, "remove every route (orders then wait for the operator)");
  route->callback([&] {
    action = [&] {
      Context ctx(common);
      const domain::Service s = findService(ctx, kind_s, code);
      if (route_specs.empty() != clear) throw CommandError("give ROUTES or --clear");
      std::vector<domain::Route> routes;
      for (std::size_t i = 0; i < route_specs.size(); ++i) {
        domain::Route r = parseRoute(ctx, route_specs[i], static_cast<int>(i));
        r.service_id = s.id;
        routes.push_back(r);
      }
      orFail(ctx.dstore->setRoutes(s.id, routes), "cannot route service");
      std::cout << fmt::format("service {} {}: {} route(s)\n", kind_s, code, routes.size());
    };
  });
  auto* routes_cmd = service.add_subcommand("routes", "show a service's providers");
  add_common(routes_cmd, true);
  routes_cmd->add_option("KIND", kind_s, "social-media or game")->required();
  routes_cmd->add_option("CODE", code, "service code")->required();
  routes_cmd->callback([&] {
    action = [&] {
      Context ctx(common);
      const domain::Service s = findService(ctx, kind_s, code);
      auto routes = orFail(ctx.dstore->routes(s.id), "cannot read routes");
      json::array arr;
      for (const auto& r : routes) {
        auto p = ctx.dstore->findProviderById(r.provider_id);
        const std::string pname = p ? p->name : "?";
        if (common.json) {
          arr.push_back(json::object{{"provider", pname},
                                     {"service", r.provider_service},
                                     {"cost", r.cost.rupiah},
                                     {"priority", r.priority}});
        } else {
          std::cout << fmt::format("{}. {} service {} cost {}\n", r.priority + 1, pname, r.provider_service,
                                   rupiah(r.cost));
        }
      }
      if (common.json) printJson(arr);
    };
  });

  // --- webhooks
  auto* webhook = app.add_subcommand("webhook", "reseller webhook deliveries")->require_subcommand(1);
  auto* wlist = webhook->add_subcommand("list", "list deliveries, newest first");
  add_common(wlist, true);
  wlist->add_option("--status", status_s, "pending, delivered or failed");
  wlist->add_option("--user", user_id, "account user id");
  wlist->add_option("--limit", limit, "at most this many")->check(CLI::Range(1, 100000));
  wlist->callback([&] {
    action = [&] {
      Context ctx(common);
      store::DeliveryFilter f;
      f.limit = limit;
      if (!status_s.empty()) {
        for (auto s : {domain::DeliveryStatus::kPending, domain::DeliveryStatus::kDelivered,
                       domain::DeliveryStatus::kFailed}) {
          if (domain::toString(s) == status_s) f.status = s;
        }
        if (!f.status) throw CommandError("--status must be pending, delivered or failed");
      }
      if (!user_id.empty()) f.account_id = ctx.account(user_id).id;
      auto deliveries = orFail(ctx.dstore->listDeliveries(f), "cannot list deliveries");
      if (common.json) {
        json::array arr;
        for (const auto& d : deliveries) arr.push_back(deliveryJson(d));
        return printJson(arr);
      }
      std::cout << fmt::format("{:>8} {:<22} {:<10} {:>8}  {}\n", "ID", "REF", "STATUS", "ATTEMPTS",
                               "LAST ERROR");
      for (const auto& d : deliveries) {
        std::cout << fmt::format("{:>8} {:<22} {:<10} {:>8}  {}\n", d.id, d.ref_id,
                                 domain::toString(d.status), d.attempts, d.last_error);
      }
    };
  });
  auto* replay = webhook->add_subcommand("replay", "deliver again (a failed or any delivery)");
  add_common(replay, false);
  replay->add_option("ID", id, "delivery id")->required();
  replay->callback([&] {
    action = [&] {
      Context ctx(common);
      orFail(ctx.dstore->replayDelivery(id, ctx.clock.nowUnix()), fmt::format("delivery {}", id));
      std::cout << fmt::format("delivery {} queued again\n", id);
    };
  });
  auto* uhook = user.add_subcommand("webhook", "set the callback URL for an account's order updates");
  add_common(uhook, true);
  uhook->add_option("USER_ID", user_id)->required();
  uhook->add_option("URL", url, "http(s) URL that receives POSTed status changes");
  uhook->add_flag("--clear", clear, "stop sending webhooks");
  uhook->callback([&] {
    action = [&] {
      Context ctx(common);
      auto a = ctx.account(user_id);
      if (url.empty() != clear) throw CommandError("give URL or --clear");
      const std::string new_secret =
          orFail(api::admin::setCallback(*ctx.dstore, a, clear ? "" : url), "cannot set callback");
      if (common.json)
        return printJson(json::object{{"user_id", a.user_id}, {"url", url}, {"secret", new_secret}});
      if (clear) {
        std::cout << fmt::format("webhooks for {} stopped\n", a.user_id);
      } else {
        std::cout << fmt::format(
            "webhooks for {} go to {}\nsigning secret: {}\n"
            "Each POST carries X-Warung-Signature: sha256=HMAC-SHA256(secret, body).\n",
            a.user_id, url, new_secret);
      }
    };
  });

  // --- order show
  auto* show =
      order.add_subcommand("show", "an order's whole story: status changes, provider answers, webhooks");
  add_common(show, true);
  show->add_option("REF_ID", ref)->required();
  show->callback([&] {
    action = [&] {
      Context ctx(common);
      auto o = orFail(ctx.store->findOrderByRef(ref), "order " + ref);
      auto events = orFail(ctx.dstore->events(o.id), "cannot read events");
      auto d = ctx.dstore->findDispatch(o.id);
      store::DeliveryFilter f;
      f.order_id = o.id;
      auto deliveries = orFail(ctx.dstore->listDeliveries(f), "cannot read deliveries");
      if (common.json) {
        json::object j = orderJson(o);
        json::array ev;
        for (const auto& e : events)
          ev.push_back(json::object{{"at", e.at}, {"kind", e.kind}, {"detail", e.detail}});
        j["events"] = ev;
        if (d) {
          j["dispatch"] = json::object{{"phase", domain::toString(d->phase)},
                                       {"provider_order_id", d->provider_order_id},
                                       {"attempts", d->attempts},
                                       {"last_error", d->last_error}};
        }
        json::array dl;
        for (const auto& x : deliveries) dl.push_back(deliveryJson(x));
        j["webhooks"] = dl;
        return printJson(j);
      }
      std::cout << fmt::format("order {} ({} {}) {} — {}\n", o.ref_id, domain::toString(o.kind),
                               o.service_code, domain::toString(o.status), rupiah(o.charge));
      if (d) {
        std::cout << fmt::format("dispatch: {} {}{}\n", domain::toString(d->phase), d->provider_order_id,
                                 d->last_error.empty() ? "" : " (" + d->last_error + ")");
      }
      for (const auto& e : events) std::cout << fmt::format("  {} [{}] {}\n", e.at, e.kind, e.detail);
      for (const auto& x : deliveries) {
        std::cout << fmt::format("  webhook {} {} after {} attempt(s)\n", x.id, domain::toString(x.status),
                                 x.attempts);
      }
    };
  });
}

}  // namespace warung::app
