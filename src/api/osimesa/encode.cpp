#include "api/osimesa/encode.hpp"

#include <fmt/format.h>

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

void appendOrder(std::string& out, const domain::Order& o, bool with_times) {
  JsonWriter w(out);
  w.beginObject();
  w.key("data").beginArray();
  for (const auto& d : o.data) w.string(d);
  w.endArray();
  w.field("note", o.note).field("price", o.charge.rupiah).field("ref_id", o.ref_id);
  if (o.kind == Kind::kSocialMedia) {
    w.key("detail")
        .beginObject()
        .field("start", o.start_count)
        .field("amount", o.quantity)
        .field("remain", o.remain)
        .endObject();
  }
  w.field("status", domain::toString(o.status));
  w.key("product").beginObject().field("code", o.service_code);
  w.field(o.kind == Kind::kSocialMedia ? "type" : "slug", o.category_key);
  w.field("service", o.service_name).endObject();
  if (o.kind == Kind::kGame) w.field("voucher", o.voucher);
  if (with_times) w.field("created_at", o.created_at).field("updated_at", o.updated_at);
  w.endObject();
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
