#include "api/osimesa/encode.hpp"

#include <fmt/format.h>

#include <string_view>

#include "api/errors.hpp"
#include "common/json_writer.hpp"
#include "domain/cutoff.hpp"
#include "domain/pricing.hpp"
#include "http/gzip.hpp"

namespace warung::api::osimesa {
namespace {

using domain::Kind;

void writeField(JsonWriter& w, const domain::FieldSpec& f, Kind kind) {
  w.beginObject().field("type", domain::toString(f.type));
  w.key("input")
      .beginObject()
      .field("type", f.input_type)
      .field("label", f.label)
      .field("minlength", f.minlength)
      .field("maxlength", f.maxlength)
      .field("placeholder", f.placeholder)
      .endObject();
  w.key("select").beginObject().field("label", f.select_label);
  if (kind == Kind::kGame) {
    w.key("options").beginArray();
    for (const auto& o : f.options) w.string(o);
    w.endArray();
  } else {
    w.field("options", fmt::format("{}", fmt::join(f.options, ",")));
  }
  w.field("placeholder", f.select_placeholder).endObject();
  w.endObject();
}

}  // namespace

// The hottest encoder (every status row, every placed order): its layout is fixed,
// so the keys and punctuation between two values are one literal each, appended
// without JsonWriter's separator bookkeeping or its check of every key (a third
// fewer instructions for a status of 15 orders). encode_test.cpp holds it to the
// same bytes as the JsonWriter form.
void appendOrder(std::string& out, const domain::Order& o, bool with_times) {
  using namespace std::string_view_literals;
  const bool social = o.kind == Kind::kSocialMedia;
  out += "{\"data\":["sv;
  for (std::size_t i = 0; i < o.data.size(); ++i) {
    if (i > 0) out += ',';
    appendJsonString(out, o.data[i]);
  }
  out += "],\"note\":"sv;
  appendJsonString(out, o.note);
  out += ",\"price\":"sv;
  appendJsonInteger(out, o.charge.rupiah);
  out += ",\"ref_id\":"sv;
  appendJsonString(out, o.ref_id);
  if (social) {
    out += ",\"detail\":{\"start\":"sv;
    appendJsonInteger(out, o.start_count);
    out += ",\"amount\":"sv;
    appendJsonInteger(out, o.quantity);
    out += ",\"remain\":"sv;
    appendJsonInteger(out, o.remain);
    out += '}';
  }
  out += ",\"status\":"sv;
  appendJsonString(out, domain::toString(o.status));
  out += ",\"product\":{\"code\":"sv;
  appendJsonString(out, o.service_code);
  out += social ? ",\"type\":"sv : ",\"slug\":"sv;
  appendJsonString(out, o.category_key);
  out += ",\"service\":"sv;
  appendJsonString(out, o.service_name);
  out += '}';
  if (!social) {
    out += ",\"voucher\":"sv;
    appendJsonString(out, o.voucher);
  }
  if (with_times) {
    out += ",\"created_at\":"sv;
    appendJsonInteger(out, o.created_at);
    out += ",\"updated_at\":"sv;
    appendJsonInteger(out, o.updated_at);
  }
  out += '}';
}

void appendService(std::string& out, const domain::Service& s, Money current) {
  JsonWriter w(out);
  const bool social = s.kind == Kind::kSocialMedia;
  w.beginObject();
  w.key("category")
      .beginObject()
      .field("main", s.category)
      .field(social ? "type" : "slug", s.category_key)
      .endObject();
  w.key("fields").beginObject();
  if (!social) w.field("title", s.fields_title);
  w.field("info", s.fields_info);
  static constexpr const char* kNames[] = {"field1", "field2", "field3"};
  for (std::size_t i = 0; i < 3; ++i) {
    w.key(kNames[i]);
    writeField(w, s.fields[i], s.kind);
  }
  w.endObject();
  if (social) {
    w.key("order")
        .beginObject()
        .field("min", std::to_string(s.min_quantity))
        .field("max", std::to_string(s.max_quantity))
        .endObject();
  }
  w.field("name", s.name).field("note", s.note).field("code", s.code);
  w.key("price").beginObject();
  w.key("list")
      .beginObject()
      .field("standar", s.prices[0].rupiah)
      .field("premium", s.prices[1].rupiah)
      .field("spesial", s.prices[2].rupiah)
      .endObject();
  w.field("current", current.rupiah).endObject();
  w.key("cutoff")
      .beginObject()
      .field("start", domain::formatHhMm(s.cutoff.start_minute))
      .field("end", domain::formatHhMm(s.cutoff.end_minute))
      .endObject();
  w.field("status", s.ready ? "ready" : "empty").field("updated_at", s.updated_at);
  w.endObject();
}

std::string serviceList(const domain::Catalog& c, Kind kind, const domain::Account& a) {
  std::string out;
  out.reserve(c.services().size() * 1100);
  out += '[';
  bool first = true;
  for (const auto& s : c.services()) {
    if (s.kind != kind || !s.enabled) continue;
    if (!first) out += ',';
    first = false;
    appendService(out, s, domain::currentPrice(s, a));
  }
  out += ']';
  return out;
}

namespace {

ServiceListCache::Entry makeEntry(std::string data, bool with_gzip) {
  ServiceListCache::Entry e;
  auto answer = std::make_shared<std::string>();
  answer->reserve(data.size() + 64);
  appendSuccessEnvelope(*answer, data, "Success.");
  e.data = std::make_shared<const std::string>(std::move(data));
  if (with_gzip) e.answer_gzip = std::make_shared<const std::string>(http::gzipCompress(*answer));
  e.answer = std::move(answer);
  return e;
}

}  // namespace

ServiceListCache::Entry ServiceListCache::entry(const std::shared_ptr<const domain::Catalog>& catalog,
                                                Kind kind, const domain::Account& a) {
  if (!a.price_overrides.empty()) return makeEntry(serviceList(*catalog, kind, a), false);
  const auto k = static_cast<int>(kind);
  const auto l = static_cast<int>(a.level);
  std::lock_guard lock(mu_);
  if (built_for_ != catalog.get()) {
    for (auto& per_kind : lists_) {
      for (auto& list : per_kind) list = {};
    }
    built_for_ = catalog.get();
    keep_ = catalog;
  }
  if (!lists_[k][l].data) {
    // Built under the lock: a burst of the first requests builds it once.
    lists_[k][l] = makeEntry(serviceList(*catalog, kind, a), true);
  }
  return lists_[k][l];
}

}  // namespace warung::api::osimesa
