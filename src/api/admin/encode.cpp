#include "api/admin/encode.hpp"

#include "domain/cutoff.hpp"

namespace warung::api::admin {

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

namespace {

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

}  // namespace

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
      .field("cutoff",
             domain::formatHhMm(s.cutoff.start_minute) + "-" + domain::formatHhMm(s.cutoff.end_minute))
      .field("status", s.ready ? "ready" : "empty")
      .field("enabled", s.enabled)
      .field("fields_title", s.fields_title)
      .field("fields_info", s.fields_info)
      .key("fields")
      .beginArray();
  for (const auto& f : s.fields) writeField(w, f);
  w.endArray().field("updated_at", s.updated_at).endObject();
}

void writeProvider(JsonWriter& w, const domain::Provider& p, bool close) {
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

}  // namespace warung::api::admin
