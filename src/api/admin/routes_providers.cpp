// GET providers, POST providers/{name}/{enable,disable,sync}; GET webhooks, POST
// webhooks/{id}/replay.
#include <charconv>
#include <vector>

#include "api/admin/context.hpp"
#include "api/admin/encode.hpp"
#include "api/admin/operations.hpp"

namespace warung::api::admin {
namespace {

namespace json = boost::json;

}  // namespace

void writeProviders(JsonWriter& w, const std::vector<domain::Provider>& providers,
                    const dispatch::AdapterRegistry& adapters, bool balances) {
  w.beginArray();
  for (const auto& p : providers) {
    writeProvider(w, p, false);
    if (balances) {
      auto b = providerBalance(adapters, p);
      if (b) {
        w.field("balance", b->rupiah);
      } else {
        w.key("balance").null().field("balance_error", b.error().detail);
      }
    }
    w.endObject();
  }
  w.endArray();
}

Result<std::string> AdminApi::providers(Ctx& c) {
  auto& store = deps_.store;
  auto& dstore = deps_.dispatch;
  const auto& seg = c.seg;
  std::string out;
  JsonWriter w(out);

  if (seg.size() == 1) {
    if (!c.isGet()) return methodNotAllowed();
    auto providers = dstore.listProviders();
    if (!providers) return providers.error();
    w.beginObject().key("providers");
    writeProviders(w, *providers, deps_.adapters, c.q("balance") == "1");
    w.endObject();
    return out;
  }
  if (seg.size() != 3) return noSuchPath();
  if (!c.isPost()) return methodNotAllowed();
  const std::string& name = seg[1];
  if (seg[2] == "enable" || seg[2] == "disable") {
    if (auto st = setProviderEnabled(dstore, name, seg[2] == "enable"); !st) return st.error();
    audit(c, "provider." + seg[2], name);
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
    audit(c, "provider.sync", name);
    w.beginObject()
        .field("imported", static_cast<std::int64_t>(r->imported))
        .field("routed", r->routed)
        .endObject();
    return out;
  }
  return noSuchPath();
}

Result<std::string> AdminApi::webhooks(Ctx& c) {
  auto& store = deps_.store;
  auto& dstore = deps_.dispatch;
  const auto& seg = c.seg;
  std::string out;
  JsonWriter w(out);

  if (seg.size() == 1) {
    if (!c.isGet()) return methodNotAllowed();
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
  if (seg.size() != 3 || seg[2] != "replay") return noSuchPath();
  if (!c.isPost()) return methodNotAllowed();
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(seg[1].data(), seg[1].data() + seg[1].size(), id);
  if (ec != std::errc{} || end != seg[1].data() + seg[1].size()) {
    return makeError(Errc::kNotFound, "no such delivery");
  }
  if (auto st = dstore.replayDelivery(id, c.now); !st) return st.error();
  audit(c, "webhook.replay", seg[1]);
  w.beginObject().field("id", id).field("status", "pending").endObject();
  return out;
}

}  // namespace warung::api::admin
