// GET services, PATCH services/{kind}/{code}, GET and PUT services/{kind}/{code}/routes.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "api/admin/context.hpp"
#include "api/admin/encode.hpp"
#include "api/admin/operations.hpp"

namespace warung::api::admin {
namespace {

namespace bhttp = boost::beast::http;
namespace json = boost::json;
using domain::Kind;

}  // namespace

Result<std::string> AdminApi::services(Ctx& c) {
  auto& store = deps_.store;
  auto& dstore = deps_.dispatch;
  const auto& seg = c.seg;
  std::string out;
  JsonWriter w(out);

  if (seg.size() == 1) {
    if (!c.isGet()) return methodNotAllowed();
    std::optional<Kind> kind;
    if (auto k = c.q("kind")) {
      auto parsed = c.parseKind(*k, "kind");
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
  if (seg.size() < 3 || seg.size() > 4) return noSuchPath();
  auto kind = c.parseKind(seg[1], "kind");
  if (!kind) return kind.error();
  const std::string& code = seg[2];
  const std::string target = seg[1] + "/" + code;
  if (seg.size() == 3) {
    if (c.method() != bhttp::verb::patch) return methodNotAllowed();
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
        if (!v.is_int64() || v.get_int64() < 0) {
          return c.bad(field, field + " must be a whole number of at least 0");
        }
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
          if (!v->is_string()) {
            return c.bad(at + "." + std::string(k), at + "." + std::string(k) + " must be a string");
          }
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
      if (s.error().code == Errc::kInvalidArgument) {
        c.field = s.error().detail.starts_with("name") ? "name" : "min";
      }
      return s.error();
    }
    audit(c, "service.update", target);
    w.beginObject().key("service");
    writeService(w, *s);
    w.endObject();
    return out;
  }
  if (seg[3] != "routes") return noSuchPath();
  auto providers = dstore.listProviders();
  if (!providers) return providers.error();
  auto providerName = [&](std::int64_t id) {
    for (const auto& p : *providers) {
      if (p.id == id) return p.name;
    }
    return std::string("?");
  };
  std::vector<domain::Route> routes;
  if (c.isGet()) {
    auto s = findService(store, *kind, code);
    if (!s) return s.error();
    auto r = dstore.routes(s->id);
    if (!r) return r.error();
    routes = std::move(*r);
  } else if (c.method() == bhttp::verb::put) {
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
      specs.push_back(
          {std::string(p->get_string()), std::string(sv->get_string()), Money{cost->get_int64()}});
    }
    auto r = setServiceRoutes(store, dstore, *kind, code, specs);
    if (!r) return r.error();
    routes = std::move(*r);
    audit(c, "service.routes", target);
  } else {
    return methodNotAllowed();
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

}  // namespace warung::api::admin
