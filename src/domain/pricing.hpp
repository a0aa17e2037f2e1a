#pragma once
// What an account pays for a service.
#include <cstdint>

#include "common/money.hpp"
#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::domain {

// price.current: the account's per-service override if the operator set one,
// else the price of the account's level.
Money currentPrice(const Service& s, const Account& a);

// The charge for one order. Social media: price per 1,000 units, so
// ceil(price * quantity / 1000); game: the price per order (quantity ignored).
// kInvalidArgument on overflow or a negative input (never silently wraps).
Result<Money> chargeFor(Kind kind, Money price, std::int64_t quantity);

// ceil(price * units / 1000) with overflow checking; nullopt on overflow.
std::optional<Money> perThousand(Money price, std::int64_t units);

}  // namespace warung::domain
