#include "domain/ordering.hpp"

#include <fmt/format.h>

#include "common/crypto.hpp"
#include "domain/cutoff.hpp"
#include "domain/pricing.hpp"

namespace warung::domain {

std::string targetOf(const Service& s, const OrderData& data) {
  if (s.kind == Kind::kSocialMedia) return std::string(data[0].value_or(""));
  std::string t;
  for (std::size_t i = 0; i < 3; ++i) {
    if (s.fields[i].type == FieldType::kNone) continue;
    if (!t.empty()) t += '\x1f';  // unit separator: cannot come from a form field by accident
    t += data[i].value_or("");
  }
  return t;
}

std::string fingerprintOf(Kind kind, std::string_view service_code, const OrderData& data) {
  std::string m(toString(kind));
  m += '\x1f';
  m += service_code;
  for (const auto& d : data) {
    m += '\x1f';
    if (d) {
      m += *d;
    } else {
      m += '\x1e';  // absent differs from empty
    }
  }
  return crypto::md5Hex(m);
}

Result<Order> planOrder(Kind kind, const Account& account, const Catalog& catalog, const PlaceOrderInput& in,
                        const TimeZone& zone, std::int64_t now, IdGenerator& ids) {
  if (in.service_code.empty()) return makeError(Errc::kInvalidArgument, "parameter 'service' is required");
  const Service* s = catalog.find(kind, in.service_code);
  if (s == nullptr || !s->enabled) {
    return makeError(Errc::kNotFound, fmt::format("service '{}' not found", in.service_code));
  }
  if (auto st = validateFields(*s, in.data); !st) return st.error();

  std::int64_t quantity = 1;
  if (kind == Kind::kSocialMedia) {
    auto q = parseQuantity(*s, in.data);
    if (!q) return q.error();
    quantity = *q;
  }
  if (insideCutoff(s->cutoff, zone.minuteOfDay(now))) {
    return makeError(Errc::kUnavailable, fmt::format("service '{}' is closed for cut-off from {} to {} ({})",
                                                     s->code, formatHhMm(s->cutoff.start_minute),
                                                     formatHhMm(s->cutoff.end_minute), zone.name()));
  }
  if (!s->ready) return makeError(Errc::kUnavailable, fmt::format("service '{}' is out of stock", s->code));

  const Money price = currentPrice(*s, account);
  auto charge = chargeFor(kind, price, quantity);
  if (!charge) return charge.error();

  Order o;
  o.ref_id = ids.newRefId();
  o.account_id = account.id;
  o.kind = kind;
  o.service_id = s->id;
  o.service_code = s->code;
  o.service_name = s->name;
  o.category_key = s->category_key;
  for (std::size_t i = 0; i < 3; ++i) {
    // Fields of type `none` are ignored, so they are not kept either.
    if (s->fields[i].type != FieldType::kNone) o.data[i] = std::string(in.data[i].value_or(""));
  }
  o.target = targetOf(*s, in.data);
  o.quantity = quantity;
  o.unit_price = price;
  o.charge = *charge;
  o.status = OrderStatus::kWaiting;
  o.remain = kind == Kind::kSocialMedia ? quantity : 0;
  o.idempotency_key = std::string(in.idempotency_key);
  // Compared only when a retry names the same key: an order without one needs none.
  if (!in.idempotency_key.empty()) o.fingerprint = fingerprintOf(kind, in.service_code, in.data);
  o.created_at = now;
  o.updated_at = now;
  return o;
}

}  // namespace warung::domain
