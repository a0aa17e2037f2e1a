#include "api/admin/handler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/admin/context.hpp"
#include "api/errors.hpp"
#include "common/json_writer.hpp"

namespace warung::api::admin {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;

std::string_view errorCode(Errc c) {
  switch (c) {
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kUnauthenticated:
      return "unauthenticated";
    case Errc::kForbidden:
      return "forbidden";
    case Errc::kNotFound:
      return "not_found";
    case Errc::kMethodNotAllowed:
      return "method_not_allowed";
    case Errc::kInsufficientBalance:
      return "insufficient_balance";
    case Errc::kConflict:
      return "conflict";
    case Errc::kUnprocessable:
      return "unprocessable";
    case Errc::kUnavailable:
      return "unavailable";
    case Errc::kOverloaded:
      return "overloaded";
    case Errc::kPayloadTooLarge:
      return "payload_too_large";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kRateLimited:
      return "rate_limited";
    case Errc::kInternal:
      return "internal";
  }
  return "internal";
}

http::Response okResponse(std::string_view data) {
  http::Response r;
  r.body.reserve(data.size() + 24);
  r.body += "{\"ok\":true,\"data\":";
  r.body += data;
  r.body += '}';
  // Answers carry account data: never cached by a browser or a proxy.
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

bool isChange(bhttp::verb m) {
  return m == bhttp::verb::post || m == bhttp::verb::put || m == bhttp::verb::patch ||
         m == bhttp::verb::delete_;
}

}  // namespace

AdminApi::AdminApi(AdminConfig config, AdminDeps deps) : auth_(config, deps.admin, deps.clock), deps_(deps) {}

void AdminApi::mount(http::Server& server) {
  server.routePrefix(std::string(kApiPrefix), [this](const http::Request& req, http::Respond respond) {
    handle(req, std::move(respond));
  });
}

http::Response AdminApi::error(const Error& e, std::string_view field) {
  http::Response r;
  r.status = httpStatus(e.code);
  const std::string_view message = e.code == Errc::kInternal ? std::string_view("internal error") : e.detail;
  JsonWriter w(r.body);
  w.beginObject()
      .field("ok", false)
      .key("error")
      .beginObject()
      .field("code", errorCode(e.code))
      .field("message", message);
  if (!field.empty()) w.field("field", field);
  w.endObject().endObject();
  r.headers.emplace_back("Cache-Control", "no-store");
  if (e.code == Errc::kOverloaded) r.headers.emplace_back("Retry-After", "1");
  return r;
}

void AdminApi::handle(const http::Request& req, http::Respond respond) {
  std::string_view target = req.target();
  const auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  path.remove_prefix(std::min(path.size(), kApiPrefix.size()));
  auto query =
      http::parseParams("", qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1));
  if (!query) return respond(error(query.error()));

  Ctx c{req, {}, std::move(*query), {}, {}, {}, {}, deps_.clock.nowUnix()};
  while (!path.empty()) {
    const auto slash = path.find('/');
    auto part = http::urlDecode(path.substr(0, slash));
    if (!part) return respond(error(part.error()));
    c.seg.push_back(std::move(*part));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  if (c.seg.empty()) return respond(error(noSuchPath()));
  if (isChange(req.method()) && !req.body().empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    if (ec || !v.is_object())
      return respond(error(makeError(Errc::kInvalidArgument, "the body must be a JSON object")));
    c.body = std::move(v.as_object());
  }

  // Sign-in is the one call without a session.
  if (c.seg.size() == 1 && c.seg[0] == "login") {
    if (req.method() != bhttp::verb::post)
      return respond(error(makeError(Errc::kMethodNotAllowed, "use POST")));
    auto username = c.string("username");
    if (!username) return respond(error(username.error(), c.field));
    auto pw = c.string("password");
    if (!pw) return respond(error(pw.error(), c.field));
    const std::string address(http::remoteAddress());
    if (const std::int64_t wait = auth_.loginRetryAfter(*username, address); wait > 0) {
      http::Response r = error(makeError(Errc::kRateLimited, "too many failed sign-ins; try again later"));
      r.headers.emplace_back("Retry-After", std::to_string(wait));
      return respond(std::move(r));
    }
    auto s = auth_.login(*username, *pw, address);
    if (!s) {
      spdlog::warn("admin: failed sign-in for '{}' from {}", *username, address);
      return respond(error(s.error()));
    }
    std::string data;
    JsonWriter w(data);
    w.beginObject()
        .field("username", s->username)
        .field("csrf_token", s->csrf_token)
        .field("expires_at", s->expires_at)
        .endObject();
    http::Response r = okResponse(data);
    r.headers.emplace_back("Set-Cookie", auth_.sessionCookie(*s));
    return respond(std::move(r));
  }

  auto who = auth_.authenticate(req);
  if (!who) return respond(error(who.error()));
  c.who = std::move(*who);
  if (auto st = auth_.checkCsrf(c.who, req); !st) return respond(error(st.error()));

  auto data = route(c);
  if (!data) return respond(error(data.error(), c.field));
  http::Response r = okResponse(*data);
  for (auto& h : c.headers) r.headers.push_back(std::move(h));
  respond(std::move(r));
}

Result<std::string> AdminApi::route(Ctx& c) {
  const std::string& top = c.seg[0];
  const bool one = c.seg.size() == 1;
  if (top == "me" && one) return me(c);
  if (top == "logout" && one) return logout(c);
  if (top == "dashboard" && one) return dashboard(c);
  if (top == "orders") return orders(c);
  if (top == "accounts") return accounts(c);
  if (top == "services") return services(c);
  if (top == "providers") return providers(c);
  if (top == "webhooks") return webhooks(c);
  if (top == "audit" && one) return auditLog(c);
  return noSuchPath();
}

Result<std::string> AdminApi::me(Ctx& c) {
  if (!c.isGet()) return methodNotAllowed();
  std::string out;
  JsonWriter w(out);
  w.beginObject()
      .field("username", c.who.username)
      .field("via", c.who.via_session ? "session" : "token")
      .field("time_zone", deps_.zone.name());
  if (c.who.via_session) w.field("csrf_token", c.who.csrf_token).field("expires_at", c.who.expires_at);
  w.endObject();
  return out;
}

Result<std::string> AdminApi::logout(Ctx& c) {
  if (!c.isPost()) return methodNotAllowed();
  if (auto st = auth_.logout(c.who); !st) return st.error();
  c.headers.emplace_back("Set-Cookie", auth_.clearedCookie());
  return std::string("{}");
}

void AdminApi::audit(const Ctx& c, std::string action, std::string target) {
  store::AuditEntry e{
      0, c.now, c.who.username, std::move(action), std::move(target), json::serialize(c.body)};
  if (auto st = deps_.admin.appendAudit(e); !st) {
    spdlog::error("admin: cannot write the audit log ({} {} by {}): {}", e.action, e.target, e.admin,
                  st.error().detail);
  }
}

Result<std::map<std::int64_t, std::string>> AdminApi::userIds() {
  auto accounts = deps_.store.listAccounts();
  if (!accounts) return accounts.error();
  std::map<std::int64_t, std::string> ids;
  for (const auto& a : *accounts) ids[a.id] = a.user_id;
  return ids;
}

}  // namespace warung::api::admin
