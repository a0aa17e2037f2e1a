#pragma once
// Placing an order, up to the point where storage takes over: every check that
// needs no database (API-NOTES "Orders"), then a complete Order ready for the
// OrderWriter, which does the balance, duplicate and idempotency checks atomically.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/catalog.hpp"
#include "domain/time_zone.hpp"
#include "domain/types.hpp"
#include "domain/validation.hpp"

namespace warung::domain {

struct PlaceOrderInput {
  std::string_view service_code;
  OrderData data;
  std::string_view idempotency_key;  // empty: none
};

// Checks in order: service known and enabled for `kind` (kNotFound), fields
// (kUnprocessable), quantity (kUnprocessable), cut-off in `zone` (kUnavailable,
// message gives the window), stock (kUnavailable); then prices the order for
// `account` and fills ref_id, target, snapshot, timestamps and, with an idempotency
// key, the fingerprint (empty without one).
Result<Order> planOrder(Kind kind, const Account& account, const Catalog& catalog, const PlaceOrderInput& in,
                        const TimeZone& zone, std::int64_t now, IdGenerator& ids);

// What "a pending order for the same service and target" compares. Social media:
// the link (data1). Game: every non-`none` field, so one phone number or game
// account can have one pending top-up of a product at a time.
std::string targetOf(const Service& s, const OrderData& data);

// Identifies an order's parameters, so an idempotent retry with different ones is
// told apart (hex md5 of kind, service code and data1..3).
std::string fingerprintOf(Kind kind, std::string_view service_code, const OrderData& data);

}  // namespace warung::domain
