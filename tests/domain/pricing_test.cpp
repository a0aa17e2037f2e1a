// Prices and charges: what an account pays (API-NOTES "Services", "Orders").
#include "domain/pricing.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace warung::domain {
namespace {

Service threeLevelService() {
  Service s;
  s.id = 7;
  s.prices = {Money{33500}, Money{32000}, Money{30500}};
  return s;
}

TEST(CurrentPrice, UsesTheAccountsLevelPrice) {
  const Service s = threeLevelService();
  Account a;
  a.level = Level::kStandar;
  EXPECT_EQ(currentPrice(s, a), Money{33500});
  a.level = Level::kPremium;
  EXPECT_EQ(currentPrice(s, a), Money{32000});
  a.level = Level::kSpesial;
  EXPECT_EQ(currentPrice(s, a), Money{30500});
}

TEST(CurrentPrice, PerAccountOverrideWinsOverLevel) {
  const Service s = threeLevelService();
  Account a;
  a.level = Level::kPremium;
  a.price_overrides[7] = Money{12500};
  EXPECT_EQ(currentPrice(s, a), Money{12500});
}

TEST(CurrentPrice, OverrideForAnotherServiceIsIgnored) {
  const Service s = threeLevelService();
  Account a;
  a.level = Level::kSpesial;
  a.price_overrides[8] = Money{1};
  EXPECT_EQ(currentPrice(s, a), Money{30500});
}

TEST(CurrentPrice, OverrideOfZeroIsStillAnOverride) {
  const Service s = threeLevelService();
  Account a;
  a.price_overrides[7] = Money{0};
  EXPECT_EQ(currentPrice(s, a), Money{0});
}

TEST(ChargeFor, SocialMediaExactMultipleOfThousand) {
  auto c = chargeFor(Kind::kSocialMedia, Money{12500}, 1000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{12500});
  c = chargeFor(Kind::kSocialMedia, Money{12500}, 2000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{25000});
  c = chargeFor(Kind::kSocialMedia, Money{33500}, 100);  // 3,350,000 / 1000 exactly
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{3350});
}

TEST(ChargeFor, SocialMediaRoundsUpByOneRupiah) {
  // 33500 * 101 / 1000 = 3383.5 -> 3384
  auto c = chargeFor(Kind::kSocialMedia, Money{33500}, 101);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{3384});
  // 1001 / 1000 = 1.001 -> 2: the smallest possible remainder still rounds up.
  c = chargeFor(Kind::kSocialMedia, Money{1001}, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{2});
  // 999 / 1000 -> 1
  c = chargeFor(Kind::kSocialMedia, Money{999}, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{1});
}

TEST(ChargeFor, SocialMediaQuantityOne) {
  auto c = chargeFor(Kind::kSocialMedia, Money{12500}, 1);  // 12.5 -> 13
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{13});
  c = chargeFor(Kind::kSocialMedia, Money{1000}, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{1});
}

TEST(ChargeFor, SocialMediaZeroPriceOrQuantityIsFree) {
  auto c = chargeFor(Kind::kSocialMedia, Money{0}, 500);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{0});
  c = chargeFor(Kind::kSocialMedia, Money{500}, 0);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{0});
}

TEST(ChargeFor, GameIsThePricePerOrderWhateverTheQuantity) {
  auto c = chargeFor(Kind::kGame, Money{41975}, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{41975});
  c = chargeFor(Kind::kGame, Money{41975}, 5000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, Money{41975});
}

TEST(ChargeFor, OverflowIsAnErrorNotAWrap) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  auto c = chargeFor(Kind::kSocialMedia, Money{kMax}, 2);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  c = chargeFor(Kind::kSocialMedia, Money{kMax / 1000}, 1001);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  // Largest product that fits still works, and is ceil'd correctly.
  c = chargeFor(Kind::kSocialMedia, Money{kMax}, 1);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->rupiah, kMax / 1000 + 1);
}

TEST(ChargeFor, NegativeInputsAreErrors) {
  auto c = chargeFor(Kind::kSocialMedia, Money{-12500}, 1000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  c = chargeFor(Kind::kSocialMedia, Money{12500}, -1000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  c = chargeFor(Kind::kSocialMedia, Money{-1}, -1);  // negative * negative must not pass
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
  c = chargeFor(Kind::kGame, Money{-1}, 1);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::kInvalidArgument);
}

TEST(PerThousand, CeilsAndDetectsOverflow) {
  EXPECT_EQ(perThousand(Money{33500}, 101), Money{3384});
  EXPECT_EQ(perThousand(Money{33500}, 100), Money{3350});
  EXPECT_EQ(perThousand(Money{0}, 0), Money{0});
  EXPECT_FALSE(perThousand(Money{std::numeric_limits<std::int64_t>::max()}, 2).has_value());
  EXPECT_FALSE(perThousand(Money{-1}, 1).has_value());
  EXPECT_FALSE(perThousand(Money{1}, -1).has_value());
}

}  // namespace
}  // namespace warung::domain
