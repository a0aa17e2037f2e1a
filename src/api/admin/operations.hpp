#pragma once
// The operator's operations that are more than one store call, shared by the admin
// API (api/admin/handler) and the command line (app/cli*.cpp), so both do exactly the
// same thing. Each returns its failures as values (kInvalidArgument naming the field,
// kNotFound, kConflict, ...); none throws. Thread-safe as the stores they are given.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "dispatch/adapter.hpp"
#include "domain/fulfilment.hpp"
#include "domain/types.hpp"
#include "store/dispatch_store.hpp"
#include "store/store.hpp"

namespace warung::api::admin {

// A failure that names the input field that caused it ("" when none).
struct FieldError {
  Error error;
  std::string field;
};

Result<domain::Service> findService(store::Store& store, domain::Kind kind, std::string_view code);

// "HH:MM-HH:MM" (00:00-00:00: none).
std::optional<domain::Cutoff> parseCutoff(std::string_view s);

// What `service set` and PATCH services/{kind}/{code} may change; unset stays.
struct ServicePatch {
  std::optional<std::string> name;
  std::optional<std::string> note;
  std::optional<bool> ready;
  std::array<std::optional<Money>, 3> prices;  // by Level
  std::optional<domain::Cutoff> cutoff;
  std::optional<bool> enabled;
  std::optional<std::int64_t> min_quantity;  // social media
  std::optional<std::int64_t> max_quantity;
  std::optional<std::array<domain::FieldSpec, 3>> fields;
  std::optional<std::string> fields_title;
  std::optional<std::string> fields_info;
};
// Applies `patch` and stamps updated_at = now. kNotFound, kInvalidArgument (min > max).
Result<domain::Service> updateService(store::Store& store, domain::Kind kind, std::string_view code,
                                      const ServicePatch& patch, std::int64_t now);

struct CreatedAccount {
  domain::Account account;
  std::string api_key;  // shown once
};
// kInvalidArgument for an empty name.
Result<CreatedAccount> createAccount(store::Store& store, IdGenerator& ids, std::string_view name,
                                     domain::Level level, std::int64_t now);
// A new API key for the account (the old one stops working); returns it.
Result<std::string> rotateKey(store::Store& store, IdGenerator& ids, const domain::Account& account);
// Sets the callback URL (http:// or https://) with a new signing secret, returned; an
// empty url clears both (returns "").
Result<std::string> setCallback(store::DispatchStore& store, const domain::Account& account,
                                std::string_view url);

// One route by the provider's name.
struct RouteSpec {
  std::string provider;
  std::string provider_service;
  Money cost;
};
// Replaces the service's routes, first tried first. kNotFound for an unknown service
// or provider, kInvalidArgument for an empty provider service.
Result<std::vector<domain::Route>> setServiceRoutes(store::Store& store, store::DispatchStore& dstore,
                                                    domain::Kind kind, std::string_view code,
                                                    const std::vector<RouteSpec>& routes);

Status setProviderEnabled(store::DispatchStore& store, std::string_view name, bool enabled);
// Our balance at the provider, asked over the network (blocks up to its timeout).
Result<Money> providerBalance(const dispatch::AdapterRegistry& adapters, const domain::Provider& p);

struct SyncResult {
  std::size_t imported = 0;
  int routed = 0;
};
// Imports the provider's services as CODE_PREFIX + their code, priced at their rate
// plus `markup_percent` (rounded up to whole rupiah), and routes each to the
// provider first (other routes kept behind it). An empty prefix means "NAME-".
Result<SyncResult> syncProvider(store::Store& store, store::DispatchStore& dstore,
                                const dispatch::AdapterRegistry& adapters, std::string_view name,
                                double markup_percent, std::string_view prefix, std::int64_t now);

}  // namespace warung::api::admin
