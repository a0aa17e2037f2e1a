#pragma once
// The admin JSON API under /admin/api/ (docs/admin-api.md): decode, authenticate
// (AdminAuth: session cookie + CSRF, or bearer token), call the store, the Lifecycle or
// a shared operation (operations.hpp), write the audit log for every change, encode.
//
// Answers: {"ok":true,"data":...} or {"ok":false,"error":{"code":"...","message":"...",
// "field":"..."}} with the HTTP status of api/errors.cpp (429 for throttled sign-ins).
//
// Handlers run synchronously on the admin server's io threads: store calls, and for
// GET providers?balance=1 and POST providers/{name}/sync the provider's API (bounded by
// the provider's timeout). The admin listener is its own http::Server, so none of this
// delays the reseller API. Thread-safe.
#include <cstdint>
#include <map>
#include <string>

#include "api/admin/auth.hpp"
#include "common/clock.hpp"
#include "dispatch/adapter.hpp"
#include "dispatch/lifecycle.hpp"
#include "domain/time_zone.hpp"
#include "http/server.hpp"
#include "store/admin_store.hpp"
#include "store/dispatch_store.hpp"
#include "store/store.hpp"

namespace warung::api::admin {

// Everything the admin API works on; owned by the caller, outliving the AdminApi.
struct AdminDeps {
  store::Store& store;
  store::DispatchStore& dispatch;
  store::AdminStore& admin;
  dispatch::Lifecycle& lifecycle;
  const dispatch::AdapterRegistry& adapters;
  const domain::TimeZone& zone;
  const Clock& clock;
  IdGenerator& ids;
};

inline constexpr std::string_view kApiPrefix = "/admin/api/";

class AdminApi {
 public:
  AdminApi(AdminConfig config, AdminDeps deps);

  // Registers the /admin/api/ prefix on `server`.
  void mount(http::Server& server);
  void handle(const http::Request& req, http::Respond respond);
  // The error envelope, for the server's own failures (unknown path, limits).
  static http::Response error(const Error& e, std::string_view field = "");

 private:
  struct Ctx;  // one request's state (context.hpp)

  // Dispatches on the first path segment to its area. Each area decodes, acts, audits
  // and returns the answer's data (or an Error, setting Ctx::field when an input is
  // at fault); handle() wraps either in the envelope.
  Result<std::string> route(Ctx& c);
  Result<std::string> me(Ctx& c);         // handler.cpp
  Result<std::string> logout(Ctx& c);     // handler.cpp
  Result<std::string> dashboard(Ctx& c);  // routes_dashboard.cpp
  Result<std::string> orders(Ctx& c);     // routes_orders.cpp
  Result<std::string> accounts(Ctx& c);   // routes_accounts.cpp
  Result<std::string> services(Ctx& c);   // routes_catalog.cpp: services and their routes
  Result<std::string> providers(Ctx& c);  // routes_providers.cpp
  Result<std::string> webhooks(Ctx& c);   // routes_providers.cpp
  Result<std::string> auditLog(Ctx& c);   // routes_audit.cpp

  // Records a change with who made it. Written after the change, outside its
  // transaction: a failure to write it is logged, not answered.
  void audit(const Ctx& c, std::string action, std::string target);
  // user_id by internal account id, for order lists.
  Result<std::map<std::int64_t, std::string>> userIds();

  AdminAuth auth_;
  AdminDeps deps_;
};

}  // namespace warung::api::admin
