#include <gtest/gtest.h>

#include "dispatch/adapters/manual.hpp"
#include "dispatch/adapters/parse_util.hpp"

namespace warung::dispatch::adapters {
namespace {

TEST(ManualAdapter, LeavesEverythingToTheOperator) {
  ManualAdapter m;
  domain::Provider p;
  EXPECT_EQ(m.add(p, AddRequest{}).outcome, AddOutcome::kManual);
  auto s = m.status(p, {"a", "b"});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].provider_order_id, "b");
  EXPECT_EQ(s[1].state, domain::RemoteState::kUnknown);
  EXPECT_EQ(s[1].reason, "manual");
  EXPECT_FALSE(m.canLookupByReference());
  EXPECT_EQ(m.lookup(p, "x").state, domain::RemoteState::kUnknown);
  EXPECT_EQ(m.lookup(p, "x").reason, "manual");
  EXPECT_FALSE(m.balance(p).ok());
  EXPECT_NE(m.balance(p).error().detail.find("manual provider"), std::string::npos);
  EXPECT_FALSE(m.services(p).ok());
}

TEST(ParseDecimal, RoundsWithoutFloatingPoint) {
  using R = Rounding;
  EXPECT_EQ(parseDecimal("100.84292", R::kHalfUp), 101);
  EXPECT_EQ(parseDecimal("100.49999", R::kHalfUp), 100);
  EXPECT_EQ(parseDecimal("100.5", R::kHalfUp), 101);
  EXPECT_EQ(parseDecimal("-100.5", R::kHalfUp), -101);
  EXPECT_EQ(parseDecimal(" 157 ", R::kHalfUp), 157);
  EXPECT_EQ(parseDecimal("0.90", R::kCeil), 1);
  EXPECT_EQ(parseDecimal("2.000", R::kCeil), 2);
  EXPECT_EQ(parseDecimal("-0.9", R::kCeil), 0);
  EXPECT_EQ(parseDecimal(".5", R::kHalfUp), 1);
  EXPECT_EQ(parseDecimal("7.", R::kHalfUp), 7);
  EXPECT_EQ(parseDecimal("9223372036854775807", R::kHalfUp), INT64_MAX);
  for (const char* bad : {"", "-", ".", "1e3", "1,000", "abc", "12x", "9223372036854775808", "1.2.3"}) {
    EXPECT_FALSE(parseDecimal(bad, R::kHalfUp)) << bad;
  }
  EXPECT_FALSE(parseDecimal("9223372036854775807.9", R::kCeil));
}

TEST(JsonHelpers, NumbersAsStringsOrNumbers) {
  auto doc = parseJson(R"({"a":"12","b":12,"c":12.6,"d":null,"e":"x","f":18446744073709551615})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(jsonWhole(member(&*doc, "a")), 12);
  EXPECT_EQ(jsonWhole(member(&*doc, "b")), 12);
  EXPECT_EQ(jsonWhole(member(&*doc, "c")), 13);
  EXPECT_FALSE(jsonWhole(member(&*doc, "d")));
  EXPECT_FALSE(jsonWhole(member(&*doc, "e")));
  EXPECT_FALSE(jsonWhole(member(&*doc, "f")));
  EXPECT_FALSE(jsonWhole(member(&*doc, "missing")));
  EXPECT_EQ(jsonText(member(&*doc, "b")), "12");
  EXPECT_FALSE(jsonText(member(&*doc, "d")));
  EXPECT_FALSE(parseJson("{\"a\":1} trailing"));
  EXPECT_FALSE(parseJson(""));
  EXPECT_EQ(member(nullptr, "a"), nullptr);
}

}  // namespace
}  // namespace warung::dispatch::adapters
