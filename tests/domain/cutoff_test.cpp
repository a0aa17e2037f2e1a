// Cut-off windows (API-NOTES "Services": equal start and end mean none; may wrap midnight).
#include "domain/cutoff.hpp"

#include <gtest/gtest.h>

namespace warung::domain {
namespace {

constexpr int hm(int h, int m) { return h * 60 + m; }

TEST(InsideCutoff, EqualStartAndEndMeansNoCutoff) {
  const Cutoff none{hm(0, 0), hm(0, 0)};
  const Cutoff none2{hm(12, 0), hm(12, 0)};
  for (int m = 0; m < 24 * 60; ++m) {
    EXPECT_FALSE(insideCutoff(none, m)) << m;
    EXPECT_FALSE(insideCutoff(none2, m)) << m;
  }
}

TEST(InsideCutoff, NormalWindowIsHalfOpen) {
  const Cutoff c{hm(10, 0), hm(11, 30)};
  EXPECT_FALSE(insideCutoff(c, hm(9, 59)));
  EXPECT_TRUE(insideCutoff(c, hm(10, 0)));
  EXPECT_TRUE(insideCutoff(c, hm(10, 45)));
  EXPECT_TRUE(insideCutoff(c, hm(11, 29)));
  EXPECT_FALSE(insideCutoff(c, hm(11, 30)));
  EXPECT_FALSE(insideCutoff(c, hm(0, 0)));
  EXPECT_FALSE(insideCutoff(c, hm(23, 59)));
}

TEST(InsideCutoff, WindowWrappingMidnight) {
  const Cutoff c{hm(23, 30), hm(0, 15)};
  EXPECT_FALSE(insideCutoff(c, hm(23, 29)));
  EXPECT_TRUE(insideCutoff(c, hm(23, 30)));
  EXPECT_TRUE(insideCutoff(c, hm(23, 59)));
  EXPECT_TRUE(insideCutoff(c, hm(0, 0)));
  EXPECT_TRUE(insideCutoff(c, hm(0, 14)));
  EXPECT_FALSE(insideCutoff(c, hm(0, 15)));
  EXPECT_FALSE(insideCutoff(c, hm(12, 0)));
}

TEST(InsideCutoff, WindowEndingAtMidnight) {
  const Cutoff c{hm(23, 0), hm(0, 0)};
  EXPECT_FALSE(insideCutoff(c, hm(22, 59)));
  EXPECT_TRUE(insideCutoff(c, hm(23, 0)));
  EXPECT_TRUE(insideCutoff(c, hm(23, 59)));
  EXPECT_FALSE(insideCutoff(c, hm(0, 0)));
}

TEST(InsideCutoff, WindowStartingAtMidnight) {
  const Cutoff c{hm(0, 0), hm(1, 0)};
  EXPECT_TRUE(insideCutoff(c, hm(0, 0)));
  EXPECT_TRUE(insideCutoff(c, hm(0, 59)));
  EXPECT_FALSE(insideCutoff(c, hm(1, 0)));
  EXPECT_FALSE(insideCutoff(c, hm(23, 59)));
}

TEST(HhMm, ParsesValidTimes) {
  EXPECT_EQ(parseHhMm("00:00"), 0);
  EXPECT_EQ(parseHhMm("00:15"), 15);
  EXPECT_EQ(parseHhMm("07:05"), 425);
  EXPECT_EQ(parseHhMm("23:30"), 1410);
  EXPECT_EQ(parseHhMm("23:59"), 1439);
}

TEST(HhMm, FormatsWithLeadingZeros) {
  EXPECT_EQ(formatHhMm(0), "00:00");
  EXPECT_EQ(formatHhMm(15), "00:15");
  EXPECT_EQ(formatHhMm(425), "07:05");
  EXPECT_EQ(formatHhMm(1410), "23:30");
  EXPECT_EQ(formatHhMm(1439), "23:59");
}

TEST(HhMm, RoundTripsEveryMinuteOfTheDay) {
  for (int m = 0; m < 24 * 60; ++m) {
    const auto parsed = parseHhMm(formatHhMm(m));
    ASSERT_TRUE(parsed.has_value()) << formatHhMm(m);
    EXPECT_EQ(*parsed, m);
  }
}

TEST(HhMm, RejectsMalformed) {
  for (const char* bad : {"24:00", "7:00", "07:60", "ab:cd", "", "07:0", "0700", "07-00", "07:00 ", " 07:00",
                          "99:99", "-1:00", "07:0a", "07:000"}) {
    EXPECT_FALSE(parseHhMm(bad).has_value()) << '"' << bad << '"';
  }
}

}  // namespace
}  // namespace warung::domain
