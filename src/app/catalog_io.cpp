#include "app/catalog_io.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

#include "domain/cutoff.hpp"

namespace warung::app {
namespace {

namespace json = boost::json;
using domain::FieldType;
using domain::Kind;

// Reads one entry; `at` names it in errors. Each reader fails with the path it read.
class EntryReader {
 public:
  EntryReader(const json::object& o, std::string at) : o_(o), at_(std::move(at)) {}

  const json::object* object(std::string_view key, bool required = true) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) {
      if (required) fail(key, "is required");
      return nullptr;
    }
    if (!v->is_object()) fail(key, "must be an object");
    return &v->get_object();
  }

  std::string str(std::string_view key, std::string fallback = {}, bool required = false) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) fail(key, "is required");
      return fallback;
    }
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_int64()) return std::to_string(v->get_int64());
    fail(key, "must be a string");
    return {};
  }

  std::int64_t integer(std::string_view key, std::int64_t fallback, bool required = false) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) {
      if (required) fail(key, "is required");
      return fallback;
    }
    if (v->is_int64() && v->get_int64() >= 0) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_string()) {  // order.min/max are strings in the social media document
      const auto& s = v->get_string();
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (!s.empty() && ec == std::errc{} && end == s.data() + s.size() && n >= 0) return n;
    }
    fail(key, "must be a non-negative integer");
    return 0;
  }

  bool boolean(std::string_view key, bool fallback) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) return fallback;
    if (!v->is_bool()) fail(key, "must be true or false");
    return v->get_bool();
  }

  std::vector<std::string> options(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    std::vector<std::string> out;
    if (v == nullptr) return out;
    if (v->is_array()) {
      for (const auto& e : v->get_array()) {
        if (!e.is_string()) fail(key, "must hold strings");
        out.emplace_back(e.get_string());
      }
    } else if (v->is_string()) {  // social media document: "a,b,c"
      std::string_view s = v->get_string();
      while (!s.empty()) {
        auto comma = s.find(',');
        out.emplace_back(s.substr(0, comma));
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
      }
    } else {
      fail(key, "must be an array or a comma-separated string");
    }
    return out;
  }

  EntryReader child(std::string_view key, bool required = true) {
    const json::object* o = object(key, required);
    static const json::object kEmpty;
    return EntryReader(o ? *o : kEmpty, at_ + "." + std::string(key));
  }

  [[noreturn]] void fail(std::string_view key, std::string_view what) const {
    throw std::invalid_argument(fmt::format("{}.{} {}", at_, key, what));
  }
  const std::string& at() const { return at_; }

 private:
  const json::object& o_;
  std::string at_;
};

domain::Service readService(const json::object& o, const std::string& at, std::int64_t now) {
  EntryReader r(o, at);
  domain::Service s;
  const std::string kind = r.str("kind", "", true);
  auto k = domain::parseKind(kind);
  if (!k) r.fail("kind", "must be \"social-media\" or \"game\"");
  s.kind = *k;
  s.code = r.str("code", "", true);
  if (s.code.empty()) r.fail("code", "must not be empty");
  s.name = r.str("name", "", true);
  s.note = r.str("note");
  s.enabled = r.boolean("enabled", true);
  s.updated_at = r.integer("updated_at", now);

  EntryReader cat = r.child("category");
  s.category = cat.str("main", "", true);
  s.category_key = cat.str(s.kind == Kind::kGame ? "slug" : "type", s.kind == Kind::kGame ? "" : "default");

  EntryReader fields = r.child("fields", false);
  s.fields_title = fields.str("title");
  s.fields_info = fields.str("info");
  for (int i = 0; i < 3; ++i) {
    const std::string name = fmt::format("field{}", i + 1);
    EntryReader fr = fields.child(name, false);
    domain::FieldSpec& f = s.fields[static_cast<std::size_t>(i)];
    const std::string type = fr.str("type", "none");
    auto t = domain::parseFieldType(type);
    if (!t) fr.fail("type", "must be input, select or none");
    f.type = *t;
    EntryReader in = fr.child("input", false);
    f.input_type = in.str("type", "text");
    f.label = in.str("label");
    f.minlength = in.integer("minlength", 0);
    f.maxlength = in.integer("maxlength", 0);
    f.placeholder = in.str("placeholder");
    EntryReader sel = fr.child("select", false);
    f.select_label = sel.str("label");
    f.options = sel.options("options");
    f.select_placeholder = sel.str("placeholder");
    if (f.type == FieldType::kSelect && f.options.empty()) sel.fail("options", "must not be empty for a select");
    if (f.maxlength > 0 && f.minlength > f.maxlength) in.fail("minlength", "must not exceed maxlength");
  }
  if (s.kind == Kind::kSocialMedia) {
    EntryReader ord = r.child("order");
    s.min_quantity = ord.integer("min", 0, true);
    s.max_quantity = ord.integer("max", 0, true);
    if (s.min_quantity < 1) ord.fail("min", "must be at least 1");
    if (s.max_quantity < s.min_quantity) ord.fail("max", "must not be below order.min");
    if (s.fields[1].type != FieldType::kInput) {
      fields.fail("field2.type", "must be input: it carries the quantity of a social media order");
    }
  }
  EntryReader list = r.child("price").child("list");
  s.prices[0] = Money{list.integer("standar", 0, true)};
  s.prices[1] = Money{list.integer("premium", 0, true)};
  s.prices[2] = Money{list.integer("spesial", 0, true)};

  EntryReader cut = r.child("cutoff", false);
  for (auto [key, target] : {std::pair{"start", &s.cutoff.start_minute}, std::pair{"end", &s.cutoff.end_minute}}) {
    const std::string v = cut.str(key, "00:00");
    auto m = domain::parseHhMm(v);
    if (!m) cut.fail(key, "must be HH:MM from 00:00 to 23:59");
    *target = *m;
  }
  const std::string status = r.str("status", "ready");
  if (status != "ready" && status != "empty") r.fail("status", "must be \"ready\" or \"empty\"");
  s.ready = status == "ready";
  return s;
}

json::object fieldJson(const domain::FieldSpec& f, Kind kind) {
  json::array opts;
  for (const auto& o : f.options) opts.emplace_back(o);
  json::value options = kind == Kind::kGame ? json::value(opts) : json::value(fmt::format("{}", fmt::join(f.options, ",")));
  return {{"type", domain::toString(f.type)},
          {"input", {{"type", f.input_type}, {"label", f.label}, {"minlength", f.minlength},
                     {"maxlength", f.maxlength}, {"placeholder", f.placeholder}}},
          {"select", {{"label", f.select_label}, {"options", options}, {"placeholder", f.select_placeholder}}}};
}

void pretty(std::string& out, const json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) { out += "{}"; return; }
    out += "{\n";
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out += ",\n";
      first = false;
      out += pad + "  " + json::serialize(json::value(kv.key())) + ": ";
      pretty(out, kv.value(), indent + 1);
    }
    out += "\n" + pad + "}";
  } else if (v.is_array() && !v.get_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ",\n";
      first = false;
      out += pad + "  ";
      pretty(out, e, indent + 1);
    }
    out += "\n" + pad + "]";
  } else {
    out += json::serialize(v);
  }
}

}  // namespace

Result<std::vector<domain::Service>> parseCatalog(std::string_view text, std::int64_t now) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return makeError(Errc::kInvalidArgument, "catalog is not valid JSON: " + ec.message());
  const json::array* entries = root.if_array();
  if (entries == nullptr && root.is_object()) {
    if (const json::value* s = root.get_object().if_contains("services")) entries = s->if_array();
  }
  if (entries == nullptr) return makeError(Errc::kInvalidArgument, "catalog must be a JSON array of services");
  std::vector<domain::Service> out;
  out.reserve(entries->size());
  try {
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const std::string at = fmt::format("services[{}]", i);
      if (!(*entries)[i].is_object()) return makeError(Errc::kInvalidArgument, at + " must be an object");
      out.push_back(readService((*entries)[i].get_object(), at, now));
      for (std::size_t j = 0; j + 1 < out.size(); ++j) {
        if (out[j].kind == out.back().kind && out[j].code == out.back().code) {
          return makeError(Errc::kInvalidArgument, fmt::format("{}.code '{}' repeats services[{}]", at, out.back().code, j));
        }
      }
    }
  } catch (const std::invalid_argument& e) {
    return makeError(Errc::kInvalidArgument, e.what());
  }
  return out;
}

std::string exportCatalog(const std::vector<domain::Service>& services) {
  json::array arr;
  for (const auto& s : services) {
    const bool social = s.kind == Kind::kSocialMedia;
    json::object fields;
    if (!social) fields["title"] = s.fields_title;
    fields["info"] = s.fields_info;
    for (int i = 0; i < 3; ++i) fields[fmt::format("field{}", i + 1)] = fieldJson(s.fields[static_cast<std::size_t>(i)], s.kind);
    json::object e;
    e["kind"] = domain::toString(s.kind);
    e["category"] = {{"main", s.category}, {social ? "type" : "slug", s.category_key}};
    e["fields"] = std::move(fields);
    if (social) e["order"] = {{"min", std::to_string(s.min_quantity)}, {"max", std::to_string(s.max_quantity)}};
    e["name"] = s.name;
    e["note"] = s.note;
    e["code"] = s.code;
    e["price"] = {{"list", {{"standar", s.prices[0].rupiah}, {"premium", s.prices[1].rupiah}, {"spesial", s.prices[2].rupiah}}}};
    e["cutoff"] = {{"start", domain::formatHhMm(s.cutoff.start_minute)}, {"end", domain::formatHhMm(s.cutoff.end_minute)}};
    e["status"] = s.ready ? "ready" : "empty";
    e["enabled"] = s.enabled;
    e["updated_at"] = s.updated_at;
    arr.emplace_back(std::move(e));
  }
  std::string out;
  pretty(out, arr, 0);
  out += '\n';
  return out;
}

}  // namespace warung::app
