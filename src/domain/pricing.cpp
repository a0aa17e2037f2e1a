#include "domain/pricing.hpp"

#include <optional>

namespace warung::domain {

Money currentPrice(const Service& s, const Account& a) {
  if (auto it = a.price_overrides.find(s.id); it != a.price_overrides.end()) return it->second;
  return s.priceFor(a.level);
}

std::optional<Money> perThousand(Money price, std::int64_t units) {
  if (price.rupiah < 0 || units < 0) return std::nullopt;
  std::int64_t product = 0;
  if (__builtin_mul_overflow(price.rupiah, units, &product)) return std::nullopt;
  return Money{product / 1000 + (product % 1000 != 0 ? 1 : 0)};
}

Result<Money> chargeFor(Kind kind, Money price, std::int64_t quantity) {
  if (kind == Kind::kGame) {
    if (price.rupiah < 0) return makeError(Errc::kInvalidArgument, "negative price");
    return price;
  }
  auto charge = perThousand(price, quantity);
  if (!charge) return makeError(Errc::kInvalidArgument, "quantity too large");
  return *charge;
}

}  // namespace warung::domain
