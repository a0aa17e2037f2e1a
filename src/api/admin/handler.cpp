#include "api/admin/handler.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "api/admin/operations.hpp"
#include "api/errors.hpp"
#include "common/json_writer.hpp"
#include "domain/cutoff.hpp"
#include "domain/order_state.hpp"
#include "http/body.hpp"

namespace warung::api::admin {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;
using domain::Kind;

std::string_view errorCode(Errc c) {
  switch (c) {
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kUnauthenticated: return "unauthenticated";
    case Errc::kForbidden: return "forbidden";
    case Errc::kNotFound: return "not_found";
    case Errc::kMethodNotAllowed: return "method_not_allowed";
    case Errc::kInsufficientBalance: return "insufficient_balance";
    case Errc::kConflict: return "conflict";
    case Errc::kUnprocessable: return "unprocessable";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kOverloaded: return "overloaded";
    case Errc::kPayloadTooLarge: return "payload_too_large";
    case Errc::kTimeout: return "timeout";
    case Errc::kRateLimited: return "rate_limited";
    case Errc::kInternal: return "internal";
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

// --- dates in the operator's time zone

// The local midnight at or before `t`.
std::int64_t localMidnight(const domain::TimeZone& zone, std::int64_t t) {
  return t - static_cast<std::int64_t>(zone.minuteOfDay(t)) * 60 - ((t % 60) + 60) % 60;
}

// Days since 1970-01-01 -> "YYYY-MM-DD" (Howard Hinnant's civil_from_days).
std::string civilDate(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

// The local date of a local midnight `g`. The UTC minute of `g` gives the zone's
// offset up to a day; offsets from -10:00 to +13:59 are told apart.
std::string localDateOfMidnight(std::int64_t g) {
  const std::int64_t utc_minute = ((g % 86400) + 86400) % 86400 / 60;
  const std::int64_t offset_s = (utc_minute <= 600 ? -utc_minute : 1440 - utc_minute) * 60;
  const std::int64_t local = g + offset_s;
  return civilDate((local - ((local % 86400) + 86400) % 86400) / 86400);
}

// --- encoders

void writeAccount(JsonWriter& w, const domain::Account& a) {
  w.beginObject()
      .field("user_id", a.user_id)
      .field("name", a.name)
      .field("level", domain::toString(a.level))
      .field("status", domain::toString(a.status))
      .field("balance", a.balance.rupiah)
      .field("callback_url", a.callback_url)
      .field("created_at", a.created_at)
      .endObject();
}

void writeOrder(JsonWriter& w, const domain::Order& o, std::string_view user_id) {
  w.beginObject()
      .field("ref_id", o.ref_id)
      .field("user_id", user_id)
      .field("kind", domain::toString(o.kind))
      .field("service", o.service_code)
      .field("name", o.service_name)
      .key("data")
      .beginArray()
      .string(o.data[0])
      .string(o.data[1])
      .string(o.data[2])
      .endArray()
      .field("target", o.target)
      .field("quantity", o.quantity)
      .field("price", o.charge.rupiah)
      .field("status", domain::toString(o.status))
      .field("start", o.start_count)
      .field("remain", o.remain)
      .field("voucher", o.voucher)
      .field("note", o.note)
      .field("idempotency_key", o.idempotency_key)
      .field("created_at", o.created_at)
      .field("updated_at", o.updated_at)
      .endObject();
}

void writeLedger(JsonWriter& w, const domain::LedgerEntry& e) {
  w.beginObject()
      .field("id", e.id)
      .field("amount", e.amount.rupiah)
      .field("balance_after", e.balance_after.rupiah)
      .field("reason", domain::toString(e.reason))
      .field("ref", e.ref)
      .field("created_at", e.created_at)
      .endObject();
}

void writeField(JsonWriter& w, const domain::FieldSpec& f) {
  w.beginObject()
      .field("type", domain::toString(f.type))
      .field("input_type", f.input_type)
      .field("label", f.label)
      .field("minlength", f.minlength)
      .field("maxlength", f.maxlength)
      .field("placeholder", f.placeholder)
      .field("select_label", f.select_label)
      .key("options")
      .beginArray();
  for (const auto& o : f.options) w.string(o);
  w.endArray().field("select_placeholder", f.select_placeholder).endObject();
}

void writeService(JsonWriter& w, const domain::Service& s) {
  w.beginObject()
      .field("kind", domain::toString(s.kind))
      .field("code", s.code)
      .field("name", s.name)
      .field("note", s.note)
      .field("category", s.category)
      .field("category_key", s.category_key)
      .key("prices")
      .beginObject()
      .field("standar", s.prices[0].rupiah)
      .field("premium", s.prices[1].rupiah)
      .field("spesial", s.prices[2].rupiah)
      .endObject()
      .field("min", s.min_quantity)
      .field("max", s.max_quantity)
      .field("cutoff", domain::formatHhMm(s.cutoff.start_minute) + "-" + domain::formatHhMm(s.cutoff.end_minute))
      .field("status", s.ready ? "ready" : "empty")
      .field("enabled", s.enabled)
      .field("fields_title", s.fields_title)
      .field("fields_info", s.fields_info)
      .key("fields")
      .beginArray();
  for (const auto& f : s.fields) writeField(w, f);
  w.endArray().field("updated_at", s.updated_at).endObject();
}

void writeProvider(JsonWriter& w, const domain::Provider& p, bool close = true) {
  // The credentials (api_key, secret) are never shown.
  w.beginObject()
      .field("name", p.name)
      .field("dialect", p.dialect)
      .field("url", p.base_url)
      .field("timeout_ms", p.timeout_ms)
      .field("enabled", p.enabled)
      .field("created_at", p.created_at);
  if (close) w.endObject();
}

void writeDelivery(JsonWriter& w, const domain::WebhookDelivery& d) {
  w.beginObject()
      .field("id", d.id)
      .field("ref_id", d.ref_id)
      .field("url", d.url)
      .field("status", domain::toString(d.status))
      .field("attempts", d.attempts)
      .field("next_at", d.next_at)
      .field("last_error", d.last_error)
      .field("created_at", d.created_at)
      .field("delivered_at", d.delivered_at)
      .field("payload", d.payload)
      .endObject();
}

void writeTotals(JsonWriter& w, const store::OrderTotals& t) {
  w.field("orders", t.orders)
      .field("revenue", t.revenue.rupiah)
      .field("refunds", t.refunds.rupiah)
      .field("cost", t.cost.rupiah)
      .field("profit", t.revenue.rupiah - t.refunds.rupiah - t.cost.rupiah);
}

bool isChange(bhttp::verb m) {
  return m == bhttp::verb::post || m == bhttp::verb::put || m == bhttp::verb::patch || m == bhttp::verb::delete_;
}

}  // namespace

// One request's state while it is handled.
struct AdminApi::Ctx {
  const http::Request& req;
  std::vector<std::string> seg;  // the path after /admin/api/, split on '/'
  http::Params query;
  json::object body;
  Principal who;
  std::string field;  // the input an error is about
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t now = 0;

  bhttp::verb method() const { return req.method(); }
  Error bad(std::string f, std::string message, Errc code = Errc::kInvalidArgument) {
    field = std::move(f);
    return makeError(code, std::move(message));
  }

  // --- body values
  const json::value* get(std::string_view k) const {
    const json::value* v = body.if_contains(k);
    return v == nullptr || v->is_null() ? nullptr : v;
  }
  Result<std::optional<std::string>> optString(std::string_view k) {
    const json::value* v = get(k);
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
    const json::value* v = get(k);
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
    const json::value* v = get(k);
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

AdminApi::AdminApi(AdminConfig config, AdminDeps deps) : auth_(config, deps.admin, deps.clock), deps_(deps) {}

void AdminApi::mount(http::Server& server) {
  server.routePrefix(std::string(kApiPrefix),
                     [this](const http::Request& req, http::Respond respond) { handle(req, std::move(respond)); });
}

http::Response AdminApi::error(const Error& e, std::string_view field) {
  http::Response r;
  r.status = httpStatus(e.code);
  const std::string_view message = e.code == Errc::kInternal ? std::string_view("internal error") : e.detail;
  JsonWriter w(r.body);
  w.beginObject().field("ok", false).key("error").beginObject().field("code", errorCode(e.code)).field("message", message);
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
  auto query = http::parseParams("", qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1));
  if (!query) return respond(error(query.error()));

  Ctx c{req, {}, std::move(*query), {}, {}, {}, {}, deps_.clock.nowUnix()};
  while (!path.empty()) {
    const auto slash = path.find('/');
    auto part = http::urlDecode(path.substr(0, slash));
    if (!part) return respond(error(part.error()));
    c.seg.push_back(std::move(*part));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  if (c.seg.empty()) return respond(error(makeError(Errc::kNotFound, "no such path")));
  if (isChange(req.method()) && !req.body().empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(req.body(), ec);
    if (ec || !v.is_object()) return respond(error(makeError(Errc::kInvalidArgument, "the body must be a JSON object")));
    c.body = std::move(v.as_object());
  }

  // Sign-in is the one call without a session.
  if (c.seg.size() == 1 && c.seg[0] == "login") {
    if (req.method() != bhttp::verb::post) return respond(error(makeError(Errc::kMethodNotAllowed, "use POST")));
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
  auto& store = deps_.store;
  auto& dstore = deps_.dispatch;
  auto& astore = deps_.admin;
  const auto& seg = c.seg;
  const bhttp::verb m = c.method();
  const bool get = m == bhttp::verb::get || m == bhttp::verb::head;
  const bool post = m == bhttp::verb::post;
  const Error method_not_allowed = makeError(Errc::kMethodNotAllowed, "method not allowed");
  const Error not_found = makeError(Errc::kNotFound, "no such path");
  std::string out;
  JsonWriter w(out);

  // Every change is recorded with who made it. The record is written after the
  // change, outside its transaction: a failure to write it is logged, not answered.
  auto audit = [&](std::string action, std::string target) {
    store::AuditEntry e{0, c.now, c.who.username, std::move(action), std::move(target), json::serialize(c.body)};
    if (auto st = astore.appendAudit(e); !st) {
      spdlog::error("admin: cannot write the audit log ({} {} by {}): {}", e.action, e.target, e.admin,
                    st.error().detail);
    }
  };
  // user_id by internal account id, for order lists.
  auto userIds = [&]() -> Result<std::map<std::int64_t, std::string>> {
    auto accounts = store.listAccounts();
    if (!accounts) return accounts.error();
    std::map<std::int64_t, std::string> ids;
    for (const auto& a : *accounts) ids[a.id] = a.user_id;
    return ids;
  };
  auto parseKind = [&](std::string_view s, const char* field) -> Result<Kind> {
    auto k = domain::parseKind(s);
    if (!k) return c.bad(field, "kind must be social-media or game");
    return *k;
  };

  const std::string& top = seg[0];

  // ---------------------------------------------------------------- me, logout
  if (top == "me" && seg.size() == 1) {
    if (!get) return method_not_allowed;
    w.beginObject()
        .field("username", c.who.username)
        .field("via", c.who.via_session ? "session" : "token")
        .field("time_zone", deps_.zone.name());
    if (c.who.via_session) w.field("csrf_token", c.who.csrf_token).field("expires_at", c.who.expires_at);
    w.endObject();
    return out;
  }
  if (top == "logout" && seg.size() == 1) {
    if (!post) return method_not_allowed;
    if (auto st = auth_.logout(c.who); !st) return st.error();
    c.headers.emplace_back("Set-Cookie", auth_.clearedCookie());
    return std::string("{}");
  }

  // ---------------------------------------------------------------- dashboard
  if (top == "dashboard" && seg.size() == 1) {
    if (!get) return method_not_allowed;
    const auto& zone = deps_.zone;
    const std::int64_t today = localMidnight(zone, c.now);
    std::vector<std::pair<std::int64_t, std::int64_t>> days;  // [start, end), oldest first
    std::int64_t end = c.now + 1;
    std::int64_t start = today;
    for (int i = 0; i < 30; ++i) {
      days.emplace_back(start, end);
      end = start;
      start = localMidnight(zone, start - 1);
    }
    std::reverse(days.begin(), days.end());
    store::OrderTotals sum;
    w.beginObject().field("time_zone", zone.name()).field("now", c.now).key("days").beginArray();
    store::OrderTotals last;
    for (const auto& [from, to] : days) {
      auto t = astore.orderTotals(from, to);
      if (!t) return t.error();
      sum.orders += t->orders;
      sum.revenue = Money{sum.revenue.rupiah + t->revenue.rupiah};
      sum.refunds = Money{sum.refunds.rupiah + t->refunds.rupiah};
      sum.cost = Money{sum.cost.rupiah + t->cost.rupiah};
      w.beginObject().field("date", localDateOfMidnight(from));
      writeTotals(w, *t);
      w.endObject();
      last = *t;
    }
    w.endArray();
    w.key("today").beginObject().field("date", localDateOfMidnight(today));
    writeTotals(w, last);
    w.endObject();
    w.key("last_30_days").beginObject().field("from", localDateOfMidnight(days.front().first));
    writeTotals(w, sum);
    w.endObject();
    auto by_status = astore.ordersByStatus();
    if (!by_status) return by_status.error();
    w.key("by_status").beginObject();
    for (auto s : {domain::OrderStatus::kWaiting, domain::OrderStatus::kProcessing, domain::OrderStatus::kSuccess,
                   domain::OrderStatus::kPartial, domain::OrderStatus::kError}) {
      std::int64_t n = 0;
      for (const auto& x : *by_status) {
        if (x.status == s) n = x.orders;
      }
      w.field(domain::toString(s), n);
    }
    w.endObject();
    auto top_services = astore.topServices(days.front().first, c.now + 1, 10);
    if (!top_services) return top_services.error();
    w.key("top_services").beginArray();
    for (const auto& t : *top_services) {
      w.beginObject()
          .field("kind", domain::toString(t.kind))
          .field("code", t.code)
          .field("name", t.name)
          .field("orders", t.orders)
          .field("revenue", t.revenue.rupiah)
          .endObject();
    }
    w.endArray();
    auto providers = dstore.listProviders();
    if (!providers) return providers.error();
    const bool balances = c.q("balances") == "1";
    w.key("providers").beginArray();
    for (const auto& p : *providers) {
      writeProvider(w, p, false);
      if (balances) {
        auto b = providerBalance(deps_.adapters, p);
        if (b) {
          w.field("balance", b->rupiah);
        } else {
          w.key("balance").null().field("balance_error", b.error().detail);
        }
      }
      w.endObject();
    }
    w.endArray();
    auto stuck_after = c.qInt("stuck_after_s", auth_.config().stuck_after_s, 1, 365 * 86400);
    if (!stuck_after) return stuck_after.error();
    auto stuck = astore.stuckOrders(c.now - *stuck_after, 100);
    if (!stuck) return stuck.error();
    auto ids = userIds();
    if (!ids) return ids.error();
    w.key("stuck").beginObject().field("after_s", *stuck_after).key("orders").beginArray();
    for (const auto& o : *stuck) writeOrder(w, o, (*ids)[o.account_id]);
    w.endArray().endObject();
    w.endObject();
    return out;
  }

  // ---------------------------------------------------------------- orders
  if (top == "orders") {
    if (seg.size() == 1) {
      if (!get) return method_not_allowed;
      auto page = c.qInt("page", 1, 1, 1'000'000);
      if (!page) return page.error();
      auto per_page = c.qInt("per_page", 50, 1, 500);
      if (!per_page) return per_page.error();
      std::vector<domain::Order> orders;
      if (auto ref = c.q("ref_id")) {
        auto o = store.findOrderByRef(*ref);
        if (o) {
          orders.push_back(std::move(*o));
        } else if (o.error().code != Errc::kNotFound) {
          return o.error();
        }
      } else {
        store::OrderFilter f;
        if (auto u = c.q("user_id")) {
          auto a = store.findAccountByUserId(*u);
          if (!a) return a.error().code == Errc::kNotFound ? c.bad("user_id", "no such account") : a.error();
          f.account_id = a->id;
        }
        if (auto k = c.q("kind")) {
          auto kind = parseKind(*k, "kind");
          if (!kind) return kind.error();
          f.kind = *kind;
        }
        if (auto s = c.q("status")) {
          f.status = domain::parseOrderStatus(*s);
          if (!f.status) return c.bad("status", "status must be waiting, processing, success, partial or error");
        }
        f.service_code = c.q("service");
        f.target = c.q("target");
        if (auto from = c.q("from")) {
          auto t = domain::localMidnight(*from, deps_.zone);
          if (!t) return c.bad("from", "from must be YYYY-MM-DD");
          f.created_from = *t;
        }
        if (auto to = c.q("to")) {
          auto t = domain::localMidnight(*to, deps_.zone);
          if (!t) return c.bad("to", "to must be YYYY-MM-DD");
          f.created_to = *t + 86400;  // inclusive day; DST days are off by their shift
        }
        f.limit = static_cast<int>(*per_page + 1);
        f.offset = static_cast<int>((*page - 1) * *per_page);
        auto r = store.listOrders(f);
        if (!r) return r.error();
        orders = std::move(*r);
      }
      const bool more = static_cast<std::int64_t>(orders.size()) > *per_page;
      if (more) orders.resize(static_cast<std::size_t>(*per_page));
      auto ids = userIds();
      if (!ids) return ids.error();
      w.beginObject().key("orders").beginArray();
      for (const auto& o : orders) writeOrder(w, o, (*ids)[o.account_id]);
      w.endArray().field("page", *page).field("per_page", *per_page).field("has_more", more).endObject();
      return out;
    }
    auto o = store.findOrderByRef(seg[1]);
    if (!o) return o.error();
    if (seg.size() == 2) {
      if (!get) return method_not_allowed;
      auto events = dstore.events(o->id);
      if (!events) return events.error();
      auto d = dstore.findDispatch(o->id);
      if (!d && d.error().code != Errc::kNotFound) return d.error();
      store::DeliveryFilter df;
      df.order_id = o->id;
      auto deliveries = dstore.listDeliveries(df);
      if (!deliveries) return deliveries.error();
      auto ids = userIds();
      if (!ids) return ids.error();
      w.beginObject().key("order");
      writeOrder(w, *o, (*ids)[o->account_id]);
      w.key("events").beginArray();
      for (const auto& e : *events) {
        w.beginObject().field("at", e.at).field("kind", e.kind).field("detail", e.detail).endObject();
      }
      w.endArray().key("dispatch");
      if (d) {
        std::string provider;
        if (d->provider_id != 0) {
          if (auto p = dstore.findProviderById(d->provider_id)) provider = p->name;
        }
        w.beginObject()
            .field("phase", domain::toString(d->phase))
            .field("provider", provider)
            .field("provider_order_id", d->provider_order_id)
            .field("route_index", d->route_index)
            .field("attempts", d->attempts)
            .field("next_at", d->next_at)
            .field("last_error", d->last_error)
            .field("updated_at", d->updated_at)
            .endObject();
      } else {
        w.null();
      }
      w.key("webhooks").beginArray();
      for (const auto& x : *deliveries) writeDelivery(w, x);
      w.endArray().endObject();
      return out;
    }
    if (seg.size() == 3 && seg[2] == "status") {
      if (!post) return method_not_allowed;
      auto status = c.string("status");
      if (!status) return status.error();
      domain::TransitionRequest tr;
      auto to = domain::parseOrderStatus(*status);
      if (!to) return c.bad("status", "status must be processing, success, partial or error");
      tr.to = *to;
      auto start = c.optInt("start");
      if (!start) return start.error();
      tr.start_count = *start;
      auto remain = c.optInt("remain");
      if (!remain) return remain.error();
      tr.remain = *remain;
      auto voucher = c.optString("voucher");
      if (!voucher) return voucher.error();
      tr.voucher = *voucher;
      auto note = c.optString("note");
      if (!note) return note.error();
      tr.note = *note;
      auto changed = deps_.lifecycle.transition(*o, tr, "admin " + c.who.username);
      if (!changed) {
        if (changed.error().code == Errc::kInvalidArgument) c.field = tr.remain ? "remain" : "status";
        return changed.error();
      }
      audit("order.status", o->ref_id);
      auto ids = userIds();
      if (!ids) return ids.error();
      w.beginObject().key("order");
      writeOrder(w, changed->order, (*ids)[changed->order.account_id]);
      w.field("refund", changed->refund.rupiah).endObject();
      return out;
    }
    return not_found;
  }

  // ---------------------------------------------------------------- accounts
  if (top == "accounts") {
    if (seg.size() == 1) {
      if (get) {
        auto accounts = store.listAccounts();
        if (!accounts) return accounts.error();
        w.beginObject().key("accounts").beginArray();
        for (const auto& a : *accounts) writeAccount(w, a);
        w.endArray().endObject();
        return out;
      }
      if (!post) return method_not_allowed;
      auto name = c.string("name");
      if (!name) return name.error();
      auto level_s = c.optString("level");
      if (!level_s) return level_s.error();
      auto level = domain::parseLevel(level_s->value_or("standar"));
      if (!level) return c.bad("level", "level must be standar, premium or spesial");
      auto created = createAccount(store, deps_.ids, *name, *level, c.now);
      if (!created) return created.error();
      audit("account.create", created->account.user_id);
      w.beginObject().key("account");
      writeAccount(w, created->account);
      w.field("api_key", created->api_key).endObject();
      return out;
    }
    auto a = store.findAccountByUserId(seg[1]);
    if (!a) return a.error();
    if (seg.size() == 2) {
      if (!get) return method_not_allowed;
      auto limit = c.qInt("ledger_limit", 50, 1, 10000);
      if (!limit) return limit.error();
      auto ledger = store.ledger(a->id, static_cast<int>(*limit));
      if (!ledger) return ledger.error();
      auto services = store.loadServices();
      if (!services) return services.error();
      w.beginObject().key("account");
      writeAccount(w, *a);
      w.key("price_overrides").beginArray();
      for (const auto& s : *services) {
        auto it = a->price_overrides.find(s.id);
        if (it == a->price_overrides.end()) continue;
        w.beginObject()
            .field("kind", domain::toString(s.kind))
            .field("code", s.code)
            .field("price", it->second.rupiah)
            .endObject();
      }
      w.endArray().key("ledger").beginArray();
      for (const auto& e : *ledger) writeLedger(w, e);
      w.endArray().endObject();
      return out;
    }
    if (seg.size() != 3) return not_found;
    if (!post) return method_not_allowed;
    const std::string& action = seg[2];
    auto answerAccount = [&]() -> Result<std::string> {
      auto fresh = store.findAccountByUserId(a->user_id);
      if (!fresh) return fresh.error();
      w.beginObject().key("account");
      writeAccount(w, *fresh);
      w.endObject();
      return out;
    };
    if (action == "suspend" || action == "activate") {
      const auto status = action == "suspend" ? domain::AccountStatus::kSuspended : domain::AccountStatus::kActive;
      if (auto st = store.setAccountStatus(a->id, status); !st) return st.error();
      audit("account." + action, a->user_id);
      return answerAccount();
    }
    if (action == "level") {
      auto level_s = c.string("level");
      if (!level_s) return level_s.error();
      auto level = domain::parseLevel(*level_s);
      if (!level) return c.bad("level", "level must be standar, premium or spesial");
      if (auto st = store.setAccountLevel(a->id, *level); !st) return st.error();
      audit("account.level", a->user_id);
      return answerAccount();
    }
    if (action == "price") {
      auto kind_s = c.string("kind");
      if (!kind_s) return kind_s.error();
      auto kind = parseKind(*kind_s, "kind");
      if (!kind) return kind.error();
      auto code = c.string("code");
      if (!code) return code.error();
      auto price = c.optInt("price");  // null or absent: remove the override
      if (!price) return price.error();
      auto s = findService(store, *kind, *code);
      if (!s) return s.error().code == Errc::kNotFound ? c.bad("code", s.error().detail, Errc::kNotFound) : s.error();
      std::optional<Money> p;
      if (*price) p = Money{**price};
      if (auto st = store.setPriceOverride(a->id, s->id, p); !st) return st.error();
      audit("account.price", a->user_id);
      return answerAccount();
    }
    if (action == "rotate-key") {
      auto key = rotateKey(store, deps_.ids, *a);
      if (!key) return key.error();
      audit("account.rotate-key", a->user_id);
      w.beginObject().field("user_id", a->user_id).field("api_key", *key).endObject();
      return out;
    }
    if (action == "callback") {
      auto url = c.optString("url");
      if (!url) return url.error();
      auto secret = setCallback(dstore, *a, url->value_or(""));
      if (!secret) {
        if (secret.error().code == Errc::kInvalidArgument) c.field = "url";
        return secret.error();
      }
      audit("account.callback", a->user_id);
      w.beginObject().field("user_id", a->user_id).field("url", url->value_or("")).field("secret", *secret).endObject();
      return out;
    }
    if (action == "credit" || action == "debit") {
      auto amount = c.integer("amount", 1);
      if (!amount) return amount.error();
      auto note = c.string("note");
      if (!note) return note.error();
      const Money delta{action == "credit" ? *amount : -*amount};
      auto e = store.adjustBalance(a->id, delta, *note, c.now);
      if (!e) {
        if (e.error().code == Errc::kInsufficientBalance) c.field = "amount";
        return e.error();
      }
      audit("account." + action, a->user_id);
      w.beginObject().key("entry");
      writeLedger(w, *e);
      w.field("balance", e->balance_after.rupiah).endObject();
      return out;
    }
    return not_found;
  }

  // ---------------------------------------------------------------- services
  if (top == "services") {
    if (seg.size() == 1) {
      if (!get) return method_not_allowed;
      std::optional<Kind> kind;
      if (auto k = c.q("kind")) {
        auto parsed = parseKind(*k, "kind");
        if (!parsed) return parsed.error();
        kind = *parsed;
      }
      const auto category = c.q("category");
      auto services = store.loadServices();
      if (!services) return services.error();
      w.beginObject().key("services").beginArray();
      for (const auto& s : *services) {
        if (kind && s.kind != *kind) continue;
        if (category && s.category != *category) continue;
        writeService(w, s);
      }
      w.endArray().endObject();
      return out;
    }
    if (seg.size() < 3 || seg.size() > 4) return not_found;
    auto kind = parseKind(seg[1], "kind");
    if (!kind) return kind.error();
    const std::string& code = seg[2];
    const std::string target = seg[1] + "/" + code;
    if (seg.size() == 3) {
      if (m != bhttp::verb::patch) return method_not_allowed;
      ServicePatch patch;
      auto name = c.optString("name");
      if (!name) return name.error();
      patch.name = *name;
      auto note = c.optString("note");
      if (!note) return note.error();
      patch.note = *note;
      auto status = c.optString("status");
      if (!status) return status.error();
      if (*status) {
        if (**status != "ready" && **status != "empty") return c.bad("status", "status must be ready or empty");
        patch.ready = **status == "ready";
      }
      if (const json::value* prices = c.get("prices")) {
        if (!prices->is_object()) return c.bad("prices", "prices must be an object");
        static constexpr std::array<std::string_view, 3> kLevels{"standar", "premium", "spesial"};
        for (const auto& [k, v] : prices->get_object()) {
          const auto it = std::find(kLevels.begin(), kLevels.end(), std::string_view(k));
          const std::string field = "prices." + std::string(k);
          if (it == kLevels.end()) return c.bad(field, "price levels are standar, premium and spesial");
          if (!v.is_int64() || v.get_int64() < 0) return c.bad(field, field + " must be a whole number of at least 0");
          patch.prices[static_cast<std::size_t>(it - kLevels.begin())] = Money{v.get_int64()};
        }
      }
      auto cutoff = c.optString("cutoff");
      if (!cutoff) return cutoff.error();
      if (*cutoff) {
        patch.cutoff = parseCutoff(**cutoff);
        if (!patch.cutoff) return c.bad("cutoff", "cutoff must be HH:MM-HH:MM (00:00-00:00 for none)");
      }
      auto enabled = c.optBool("enabled");
      if (!enabled) return enabled.error();
      patch.enabled = *enabled;
      auto min = c.optInt("min");
      if (!min) return min.error();
      patch.min_quantity = *min;
      auto max = c.optInt("max");
      if (!max) return max.error();
      patch.max_quantity = *max;
      auto title = c.optString("fields_title");
      if (!title) return title.error();
      patch.fields_title = *title;
      auto info = c.optString("fields_info");
      if (!info) return info.error();
      patch.fields_info = *info;
      if (const json::value* fields = c.get("fields")) {
        if (!fields->is_array() || fields->get_array().size() > 3) {
          return c.bad("fields", "fields must be an array of at most 3 objects");
        }
        std::array<domain::FieldSpec, 3> specs;
        const auto& arr = fields->get_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
          const std::string at = fmt::format("fields[{}]", i);
          if (!arr[i].is_object()) return c.bad(at, at + " must be an object");
          const auto& o = arr[i].get_object();
          domain::FieldSpec& f = specs[i];
          auto text = [&](std::string_view k, std::string& dst) -> Status {
            const json::value* v = o.if_contains(k);
            if (v == nullptr || v->is_null()) return okStatus();
            if (!v->is_string()) return c.bad(at + "." + std::string(k), at + "." + std::string(k) + " must be a string");
            dst = std::string(v->get_string());
            return okStatus();
          };
          auto num = [&](std::string_view k, std::int64_t& dst) -> Status {
            const json::value* v = o.if_contains(k);
            if (v == nullptr || v->is_null()) return okStatus();
            if (!v->is_int64() || v->get_int64() < 0) {
              return c.bad(at + "." + std::string(k), at + "." + std::string(k) + " must be a whole number");
            }
            dst = v->get_int64();
            return okStatus();
          };
          std::string type = "none";
          for (auto st : {text("type", type), text("input_type", f.input_type), text("label", f.label),
                          text("placeholder", f.placeholder), text("select_label", f.select_label),
                          text("select_placeholder", f.select_placeholder), num("minlength", f.minlength),
                          num("maxlength", f.maxlength)}) {
            if (!st) return st.error();
          }
          auto t = domain::parseFieldType(type);
          if (!t) return c.bad(at + ".type", at + ".type must be none, input or select");
          f.type = *t;
          if (const json::value* opts = o.if_contains("options"); opts != nullptr && !opts->is_null()) {
            if (!opts->is_array()) return c.bad(at + ".options", at + ".options must be an array of strings");
            for (const auto& x : opts->get_array()) {
              if (!x.is_string()) return c.bad(at + ".options", at + ".options must be an array of strings");
              f.options.emplace_back(x.get_string());
            }
          }
        }
        patch.fields = specs;
      }
      auto s = updateService(store, *kind, code, patch, c.now);
      if (!s) {
        if (s.error().code == Errc::kInvalidArgument) c.field = s.error().detail.starts_with("name") ? "name" : "min";
        return s.error();
      }
      audit("service.update", target);
      w.beginObject().key("service");
      writeService(w, *s);
      w.endObject();
      return out;
    }
    if (seg[3] != "routes") return not_found;
    auto providers = dstore.listProviders();
    if (!providers) return providers.error();
    auto providerName = [&](std::int64_t id) {
      for (const auto& p : *providers) {
        if (p.id == id) return p.name;
      }
      return std::string("?");
    };
    std::vector<domain::Route> routes;
    if (get) {
      auto s = findService(store, *kind, code);
      if (!s) return s.error();
      auto r = dstore.routes(s->id);
      if (!r) return r.error();
      routes = std::move(*r);
    } else if (m == bhttp::verb::put) {
      const json::value* list = c.get("routes");
      if (list == nullptr || !list->is_array()) return c.bad("routes", "routes must be an array");
      std::vector<RouteSpec> specs;
      for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        const std::string at = fmt::format("routes[{}]", i);
        const json::value& v = list->get_array()[i];
        if (!v.is_object()) return c.bad(at, at + " must be an object");
        const auto& o = v.get_object();
        const json::value* p = o.if_contains("provider");
        const json::value* sv = o.if_contains("service");
        const json::value* cost = o.if_contains("cost");
        if (p == nullptr || !p->is_string()) return c.bad(at + ".provider", at + ".provider must be a string");
        if (sv == nullptr || !sv->is_string() || sv->get_string().empty()) {
          return c.bad(at + ".service", at + ".service must be a non-empty string");
        }
        if (cost == nullptr || !cost->is_int64() || cost->get_int64() < 0) {
          return c.bad(at + ".cost", at + ".cost must be a whole number of at least 0");
        }
        specs.push_back({std::string(p->get_string()), std::string(sv->get_string()), Money{cost->get_int64()}});
      }
      auto r = setServiceRoutes(store, dstore, *kind, code, specs);
      if (!r) return r.error();
      routes = std::move(*r);
      audit("service.routes", target);
    } else {
      return method_not_allowed;
    }
    w.beginObject().key("routes").beginArray();
    for (const auto& r : routes) {
      w.beginObject()
          .field("provider", providerName(r.provider_id))
          .field("service", r.provider_service)
          .field("cost", r.cost.rupiah)
          .field("priority", r.priority)
          .endObject();
    }
    w.endArray().endObject();
    return out;
  }

  // ---------------------------------------------------------------- providers
  if (top == "providers") {
    if (seg.size() == 1) {
      if (!get) return method_not_allowed;
      auto providers = dstore.listProviders();
      if (!providers) return providers.error();
      const bool balances = c.q("balance") == "1";
      w.beginObject().key("providers").beginArray();
      for (const auto& p : *providers) {
        writeProvider(w, p, false);
        if (balances) {
          auto b = providerBalance(deps_.adapters, p);
          if (b) {
            w.field("balance", b->rupiah);
          } else {
            w.key("balance").null().field("balance_error", b.error().detail);
          }
        }
        w.endObject();
      }
      w.endArray().endObject();
      return out;
    }
    if (seg.size() != 3) return not_found;
    if (!post) return method_not_allowed;
    const std::string& name = seg[1];
    if (seg[2] == "enable" || seg[2] == "disable") {
      if (auto st = setProviderEnabled(dstore, name, seg[2] == "enable"); !st) return st.error();
      audit("provider." + seg[2], name);
      auto p = dstore.findProvider(name);
      if (!p) return p.error();
      w.beginObject().key("provider");
      writeProvider(w, *p);
      w.endObject();
      return out;
    }
    if (seg[2] == "sync") {
      double markup = 20.0;
      if (const json::value* v = c.get("markup")) {
        if (!v->is_number()) return c.bad("markup", "markup must be a number (percent)");
        markup = v->to_number<double>();
      }
      if (!(markup >= 0 && markup <= 1000)) return c.bad("markup", "markup must be from 0 to 1000 (percent)");
      auto prefix = c.optString("prefix");
      if (!prefix) return prefix.error();
      auto r = syncProvider(store, dstore, deps_.adapters, name, markup, prefix->value_or(""), c.now);
      if (!r) return r.error();
      audit("provider.sync", name);
      w.beginObject()
          .field("imported", static_cast<std::int64_t>(r->imported))
          .field("routed", r->routed)
          .endObject();
      return out;
    }
    return not_found;
  }

  // ---------------------------------------------------------------- webhooks
  if (top == "webhooks") {
    if (seg.size() == 1) {
      if (!get) return method_not_allowed;
      store::DeliveryFilter f;
      if (auto s = c.q("status")) {
        for (auto x : {domain::DeliveryStatus::kPending, domain::DeliveryStatus::kDelivered,
                       domain::DeliveryStatus::kFailed}) {
          if (domain::toString(x) == *s) f.status = x;
        }
        if (!f.status) return c.bad("status", "status must be pending, delivered or failed");
      }
      if (auto u = c.q("user_id")) {
        auto a = store.findAccountByUserId(*u);
        if (!a) return a.error().code == Errc::kNotFound ? c.bad("user_id", "no such account") : a.error();
        f.account_id = a->id;
      }
      auto limit = c.qInt("limit", 100, 1, 10000);
      if (!limit) return limit.error();
      f.limit = static_cast<int>(*limit);
      auto deliveries = dstore.listDeliveries(f);
      if (!deliveries) return deliveries.error();
      w.beginObject().key("webhooks").beginArray();
      for (const auto& d : *deliveries) writeDelivery(w, d);
      w.endArray().endObject();
      return out;
    }
    if (seg.size() != 3 || seg[2] != "replay") return not_found;
    if (!post) return method_not_allowed;
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(seg[1].data(), seg[1].data() + seg[1].size(), id);
    if (ec != std::errc{} || end != seg[1].data() + seg[1].size()) return makeError(Errc::kNotFound, "no such delivery");
    if (auto st = dstore.replayDelivery(id, c.now); !st) return st.error();
    audit("webhook.replay", seg[1]);
    w.beginObject().field("id", id).field("status", "pending").endObject();
    return out;
  }

  // ---------------------------------------------------------------- audit
  if (top == "audit" && seg.size() == 1) {
    if (!get) return method_not_allowed;
    store::AuditFilter f;
    f.admin = c.q("admin");
    f.action = c.q("action");
    f.target = c.q("target");
    auto page = c.qInt("page", 1, 1, 1'000'000);
    if (!page) return page.error();
    auto per_page = c.qInt("per_page", 100, 1, 1000);
    if (!per_page) return per_page.error();
    f.limit = static_cast<int>(*per_page + 1);
    f.offset = static_cast<int>((*page - 1) * *per_page);
    auto entries = astore.listAudit(f);
    if (!entries) return entries.error();
    const bool more = static_cast<std::int64_t>(entries->size()) > *per_page;
    if (more) entries->resize(static_cast<std::size_t>(*per_page));
    w.beginObject().key("entries").beginArray();
    for (const auto& e : *entries) {
      w.beginObject()
          .field("id", e.id)
          .field("at", e.at)
          .field("admin", e.admin)
          .field("action", e.action)
          .field("target", e.target)
          .key("detail")
          .raw(e.detail.empty() ? std::string_view("{}") : std::string_view(e.detail))
          .endObject();
    }
    w.endArray().field("page", *page).field("per_page", *per_page).field("has_more", more).endObject();
    return out;
  }

  return not_found;
}

}  // namespace warung::api::admin
