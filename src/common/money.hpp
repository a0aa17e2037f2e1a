#pragma once
// Money is a signed 64-bit count of whole rupiah. Never floating point.
#include <compare>
#include <cstdint>

namespace warung {

struct Money {
  std::int64_t rupiah = 0;

  constexpr Money() = default;
  constexpr explicit Money(std::int64_t r) : rupiah(r) {}

  constexpr auto operator<=>(const Money&) const = default;
  constexpr Money operator+(Money o) const { return Money{rupiah + o.rupiah}; }
  constexpr Money operator-(Money o) const { return Money{rupiah - o.rupiah}; }
  constexpr Money operator-() const { return Money{-rupiah}; }
  constexpr Money& operator+=(Money o) { rupiah += o.rupiah; return *this; }
  constexpr Money& operator-=(Money o) { rupiah -= o.rupiah; return *this; }
};

}  // namespace warung
