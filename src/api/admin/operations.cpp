#include "api/admin/operations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/crypto.hpp"
#include "domain/accounts.hpp"
#include "domain/cutoff.hpp"

namespace warung::api::admin {

using domain::Kind;

Result<domain::Service> findService(store::Store& store, Kind kind, std::string_view code) {
  auto services = store.loadServices();
  if (!services) return services.error();
  for (auto& s : *services) {
    if (s.kind == kind && s.code == code) return std::move(s);
  }
  return makeError(Errc::kNotFound, fmt::format("service {} {} not found", domain::toString(kind), code));
}

std::optional<domain::Cutoff> parseCutoff(std::string_view s) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = domain::parseHhMm(s.substr(0, dash));
  auto end = domain::parseHhMm(s.substr(dash + 1));
  if (!start || !end) return std::nullopt;
  return domain::Cutoff{*start, *end};
}

Result<domain::Service> updateService(store::Store& store, Kind kind, std::string_view code,
                                      const ServicePatch& patch, std::int64_t now) {
  auto found = findService(store, kind, code);
  if (!found) return found.error();
  domain::Service s = std::move(*found);
  if (patch.name) s.name = *patch.name;
  if (patch.note) s.note = *patch.note;
  if (patch.ready) s.ready = *patch.ready;
  for (std::size_t i = 0; i < 3; ++i) {
    if (patch.prices[i]) s.prices[i] = *patch.prices[i];
  }
  if (patch.cutoff) s.cutoff = *patch.cutoff;
  if (patch.enabled) s.enabled = *patch.enabled;
  if (patch.min_quantity) s.min_quantity = *patch.min_quantity;
  if (patch.max_quantity) s.max_quantity = *patch.max_quantity;
  if (patch.fields) s.fields = *patch.fields;
  if (patch.fields_title) s.fields_title = *patch.fields_title;
  if (patch.fields_info) s.fields_info = *patch.fields_info;
  if (s.name.empty()) return makeError(Errc::kInvalidArgument, "name must not be empty");
  if (s.kind == Kind::kSocialMedia && s.min_quantity > s.max_quantity) {
    return makeError(Errc::kInvalidArgument, "min must not be above max");
  }
  s.updated_at = now;
  if (auto st = store.upsertServices({s}); !st) return st.error();
  return s;
}

Result<CreatedAccount> createAccount(store::Store& store, IdGenerator& ids, std::string_view name,
                                     domain::Level level, std::int64_t now) {
  if (name.empty()) return makeError(Errc::kInvalidArgument, "name must not be empty");
  const std::string key = ids.newApiKey();
  auto a = store.createAccount({ids.newUserId(), std::string(name), level, domain::keyHash(key), now});
  if (!a) return a.error();
  return CreatedAccount{std::move(*a), key};
}

Result<std::string> rotateKey(store::Store& store, IdGenerator& ids, const domain::Account& account) {
  const std::string key = ids.newApiKey();
  if (auto st = store.setAccountKeyHash(account.id, domain::keyHash(key)); !st) return st.error();
  return key;
}

Result<std::string> setCallback(store::DispatchStore& store, const domain::Account& account,
                                std::string_view url) {
  if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
    return makeError(Errc::kInvalidArgument, "url must start with http:// or https://");
  }
  const std::string secret = url.empty() ? "" : crypto::randomAlnum(40);
  if (auto st = store.setCallback(account.id, url, secret); !st) return st.error();
  return secret;
}

Result<std::vector<domain::Route>> setServiceRoutes(store::Store& store, store::DispatchStore& dstore,
                                                    Kind kind, std::string_view code,
                                                    const std::vector<RouteSpec>& specs) {
  auto s = findService(store, kind, code);
  if (!s) return s.error();
  std::vector<domain::Route> routes;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto p = dstore.findProvider(specs[i].provider);
    if (!p) {
      return p.error().code == Errc::kNotFound
                 ? makeError(Errc::kNotFound, "provider " + specs[i].provider + " not found")
                 : p.error();
    }
    if (specs[i].provider_service.empty()) {
      return makeError(Errc::kInvalidArgument,
                       "route to " + specs[i].provider + " has an empty provider service");
    }
    routes.push_back(
        domain::Route{s->id, p->id, static_cast<int>(i), specs[i].provider_service, specs[i].cost});
  }
  if (auto st = dstore.setRoutes(s->id, routes); !st) return st.error();
  return routes;
}

Status setProviderEnabled(store::DispatchStore& store, std::string_view name, bool enabled) {
  auto p = store.findProvider(name);
  if (!p) return p.error();
  p->enabled = enabled;
  return store.updateProvider(*p);
}

Result<Money> providerBalance(const dispatch::AdapterRegistry& adapters, const domain::Provider& p) {
  auto* adapter = adapters.find(p.dialect);
  if (adapter == nullptr) return makeError(Errc::kInvalidArgument, "no adapter for dialect " + p.dialect);
  return adapter->balance(p);
}

Result<SyncResult> syncProvider(store::Store& store, store::DispatchStore& dstore,
                                const dispatch::AdapterRegistry& adapters, std::string_view name,
                                double markup_percent, std::string_view prefix, std::int64_t now) {
  if (!(markup_percent >= 0 && markup_percent <= 1000)) {
    return makeError(Errc::kInvalidArgument, "markup must be a percentage from 0 to 1000");
  }
  auto p = dstore.findProvider(name);
  if (!p) return p.error();
  auto* adapter = adapters.find(p->dialect);
  if (adapter == nullptr) return makeError(Errc::kInvalidArgument, "no adapter for dialect " + p->dialect);
  auto remote = adapter->services(*p);
  if (!remote) return remote.error();
  const std::string code_prefix = prefix.empty() ? std::string(name) + "-" : std::string(prefix);
  const auto markup_permille = static_cast<std::int64_t>(std::llround(markup_percent * 10));
  std::vector<domain::Service> services;
  for (const auto& r : *remote) {
    domain::Service s;
    s.kind = r.kind;
    s.code = code_prefix + r.code;
    s.name = r.name;
    s.category = r.category;
    s.category_key = r.kind == Kind::kSocialMedia ? "default" : "";
    if (r.kind == Kind::kGame) {
      for (char c : r.category) {
        s.category_key +=
            std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
      }
      s.fields_title = "Masukkan Data";
      s.fields[0] = {domain::FieldType::kInput, "text", "Tujuan", 1, 100, "", "", {}, ""};
    } else {
      s.fields[0] = {domain::FieldType::kInput, "text", "Link", 1, 1000, "", "", {}, ""};
      s.fields[1] = {domain::FieldType::kInput, "number", "Jumlah", 1, 12, "", "", {}, ""};
    }
    s.min_quantity = r.kind == Kind::kSocialMedia ? std::max<std::int64_t>(r.min, 1) : 0;
    s.max_quantity = r.kind == Kind::kSocialMedia ? std::max(r.max, s.min_quantity) : 0;
    // Whole rupiah, rounded up: the markup never makes us sell below cost.
    const std::int64_t price = (r.rate.rupiah * (1000 + markup_permille) + 999) / 1000;
    s.prices = {Money{price}, Money{price}, Money{price}};
    s.updated_at = now;
    services.push_back(std::move(s));
  }
  if (auto st = store.upsertServices(services); !st) return st.error();
  // Route each imported service to this provider (keeping other routes behind it).
  auto catalog = store.loadServices();
  if (!catalog) return catalog.error();
  SyncResult out{services.size(), 0};
  for (const auto& r : *remote) {
    for (const auto& s : *catalog) {
      if (s.kind != r.kind || s.code != code_prefix + r.code) continue;
      auto routes = dstore.routes(s.id);
      if (!routes) return routes.error();
      std::erase_if(*routes, [&](const domain::Route& x) { return x.provider_id == p->id; });
      routes->insert(routes->begin(), domain::Route{s.id, p->id, 0, r.code, r.rate});
      for (std::size_t i = 0; i < routes->size(); ++i) (*routes)[i].priority = static_cast<int>(i);
      if (auto st = dstore.setRoutes(s.id, *routes); !st) return st.error();
      ++out.routed;
    }
  }
  return out;
}

}  // namespace warung::api::admin
