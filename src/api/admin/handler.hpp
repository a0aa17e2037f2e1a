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
  struct Ctx;
  Result<std::string> route(Ctx& c);

  AdminAuth auth_;
  AdminDeps deps_;
};

}  // namespace warung::api::admin
