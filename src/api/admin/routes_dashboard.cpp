// GET dashboard: the last 30 days in the operator's time zone, orders by status, the
// top services, the providers and the orders stuck in waiting or processing.
#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "api/admin/context.hpp"
#include "api/admin/encode.hpp"

namespace warung::api::admin {
namespace {

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

}  // namespace

Result<std::string> AdminApi::dashboard(Ctx& c) {
  auto& astore = deps_.admin;
  auto& dstore = deps_.dispatch;
  std::string out;
  JsonWriter w(out);

  if (!c.isGet()) return methodNotAllowed();
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
  for (auto s : {domain::OrderStatus::kWaiting, domain::OrderStatus::kProcessing,
                 domain::OrderStatus::kSuccess, domain::OrderStatus::kPartial, domain::OrderStatus::kError}) {
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
  w.key("providers");
  writeProviders(w, *providers, deps_.adapters, c.q("balances") == "1");
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

}  // namespace warung::api::admin
