// GET orders (search), GET orders/{ref_id} (its story), POST orders/{ref_id}/status.
#include <utility>
#include <vector>

#include "api/admin/context.hpp"
#include "api/admin/encode.hpp"
#include "domain/order_state.hpp"

namespace warung::api::admin {

Result<std::string> AdminApi::orders(Ctx& c) {
  auto& store = deps_.store;
  auto& dstore = deps_.dispatch;
  const auto& seg = c.seg;
  std::string out;
  JsonWriter w(out);

  if (seg.size() == 1) {
    if (!c.isGet()) return methodNotAllowed();
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
        auto kind = c.parseKind(*k, "kind");
        if (!kind) return kind.error();
        f.kind = *kind;
      }
      if (auto s = c.q("status")) {
        f.status = domain::parseOrderStatus(*s);
        if (!f.status) {
          return c.bad("status", "status must be waiting, processing, success, partial or error");
        }
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
    if (!c.isGet()) return methodNotAllowed();
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
    if (!c.isPost()) return methodNotAllowed();
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
    audit(c, "order.status", o->ref_id);
    auto ids = userIds();
    if (!ids) return ids.error();
    w.beginObject().key("order");
    writeOrder(w, changed->order, (*ids)[changed->order.account_id]);
    w.field("refund", changed->refund.rupiah).endObject();
    return out;
  }
  return noSuchPath();
}

}  // namespace warung::api::admin
