#pragma once
// What the admin API's areas (routes_*.cpp) share, for src/api/admin only: the request
// being handled (AdminApi::Ctx) with its decoders, and the answers every area gives.
//
// Decoders return kInvalidArgument and set Ctx::field to the input at fault, which
// the error envelope names ("field"). An area returns the `data` of {"ok":true,...}
// or an Error; handler.cpp wraps either.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/admin/handler.hpp"
#include "common/json_writer.hpp"
#include "common/result.hpp"
#include "dispatch/adapter.hpp"
#include "domain/fulfilment.hpp"
#include "domain/types.hpp"
#include "http/body.hpp"

namespace warung::api::admin {

inline Error methodNotAllowed() { return makeError(Errc::kMethodNotAllowed, "method not allowed"); }
inline Error noSuchPath() { return makeError(Errc::kNotFound, "no such path"); }

// The providers as a JSON array (writeProvider); with `balances`, each with our balance
// at it or, when the provider cannot tell, "balance":null and "balance_error". Asks
// every provider in turn: blocks up to each one's timeout. In routes_providers.cpp;
// the dashboard shows the same list.
void writeProviders(JsonWriter& w, const std::vector<domain::Provider>& providers,
                    const dispatch::AdapterRegistry& adapters, bool balances);

// One request's state while it is handled.
struct AdminApi::Ctx {
  const http::Request& req;
  std::vector<std::string> seg;  // the path after /admin/api/, split on '/'
  http::Params query;
  boost::json::object body;
  Principal who;
  std::string field;  // the input an error is about
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t now = 0;

  boost::beast::http::verb method() const { return req.method(); }
  Error bad(std::string f, std::string message, Errc code = Errc::kInvalidArgument) {
    field = std::move(f);
    return makeError(code, std::move(message));
  }
  // GET or HEAD (the server drops a HEAD answer's body).
  bool isGet() const {
    return method() == boost::beast::http::verb::get || method() == boost::beast::http::verb::head;
  }
  bool isPost() const { return method() == boost::beast::http::verb::post; }
  // social-media | game, or the error about `f`.
  Result<domain::Kind> parseKind(std::string_view s, const char* f) {
    auto k = domain::parseKind(s);
    if (!k) return bad(f, "kind must be social-media or game");
    return *k;
  }

  // --- body values
  const boost::json::value* get(std::string_view k) const {
    const boost::json::value* v = body.if_contains(k);
    return v == nullptr || v->is_null() ? nullptr : v;
  }
  Result<std::optional<std::string>> optString(std::string_view k) {
    const boost::json::value* v = get(k);
    if (v == nullptr) return std::optional<std::string>();
    if (!v->is_string()) return bad(std::string(k), std::string(k) + " must be a string");
    return std::optional<std::string>(std::string(v->get_string()));
  }
  Result<std::string> string(std::string_view k) {
    auto v = optString(k);
    if (!v) return v.error();
    if (!*v || (*v)->empty()) return bad(std::string(k), std::string(k) + " is required");
    return **v;
  }
  Result<std::optional<std::int64_t>> optInt(std::string_view k, std::int64_t min = 0) {
    const boost::json::value* v = get(k);
    if (v == nullptr) return std::optional<std::int64_t>();
    std::optional<std::int64_t> n;
    if (v->is_int64()) n = v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      n = static_cast<std::int64_t>(v->get_uint64());
    }
    if (!n || *n < min) {
      return bad(std::string(k), fmt::format("{} must be a whole number of at least {}", k, min));
    }
    return n;
  }
  Result<std::int64_t> integer(std::string_view k, std::int64_t min = 0) {
    auto v = optInt(k, min);
    if (!v) return v.error();
    if (!*v) return bad(std::string(k), std::string(k) + " is required");
    return **v;
  }
  Result<std::optional<bool>> optBool(std::string_view k) {
    const boost::json::value* v = get(k);
    if (v == nullptr) return std::optional<bool>();
    if (!v->is_bool()) return bad(std::string(k), std::string(k) + " must be true or false");
    return std::optional<bool>(v->get_bool());
  }

  // --- query values
  std::optional<std::string> q(std::string_view k) const {
    auto v = query.get(k);
    if (!v || v->empty()) return std::nullopt;
    return std::string(*v);
  }
  Result<std::int64_t> qInt(std::string_view k, std::int64_t def, std::int64_t min, std::int64_t max) {
    auto v = q(k);
    if (!v) return def;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || end != v->data() + v->size() || n < min || n > max) {
      return bad(std::string(k), fmt::format("{} must be a whole number from {} to {}", k, min, max));
    }
    return n;
  }
};

}  // namespace warung::api::admin
