// The operator's time zone for cut-off windows (default Asia/Jakarta).
#include "domain/time_zone.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace warung::domain {
namespace {

// 1700000000 = 2023-11-14 22:13:20 UTC: 1700000000 / 60 = 28333333 whole minutes,
// 28333333 - 19675 * 1440 = 1333 = 22:13. Jakarta (UTC+7) is 05:13 the next day.
constexpr std::int64_t kT = 1700000000;
constexpr int kTUtcMinute = 22 * 60 + 13;
constexpr int kTJakartaMinute = 5 * 60 + 13;

std::shared_ptr<const TimeZone> load(const std::string& name) {
  auto z = loadTimeZone(name);
  EXPECT_TRUE(z.ok()) << name << ": " << (z.ok() ? "" : z.error().detail);
  return z.ok() ? *z : nullptr;
}

TEST(TimeZone, AsiaJakartaIsUtcPlusSeven) {
  auto z = load("Asia/Jakarta");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->name(), "Asia/Jakarta");
  EXPECT_EQ(z->minuteOfDay(0), 420);
  EXPECT_EQ(z->minuteOfDay(kT), kTJakartaMinute);
  // Local midnight in Jakarta is 17:00 UTC.
  EXPECT_EQ(z->minuteOfDay(17 * 3600), 0);
  EXPECT_EQ(z->minuteOfDay(17 * 3600 - 1), 1439);
  // 2024-06-01 16:30 UTC = 23:30 WIB.
  EXPECT_EQ(z->minuteOfDay(1717259400), 23 * 60 + 30);
}

TEST(TimeZone, Utc) {
  auto z = load("UTC");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->minuteOfDay(0), 0);
  EXPECT_EQ(z->minuteOfDay(59), 0);
  EXPECT_EQ(z->minuteOfDay(60), 1);
  EXPECT_EQ(z->minuteOfDay(kT), kTUtcMinute);
  EXPECT_EQ(z->minuteOfDay(-1), 1439);  // 1969-12-31 23:59:59
}

TEST(TimeZone, PositiveFixedOffset) {
  auto z = load("+07:00");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->minuteOfDay(0), 420);
  EXPECT_EQ(z->minuteOfDay(kT), kTJakartaMinute);
}

TEST(TimeZone, NegativeFixedOffsetWithNegativeTimes) {
  auto z = load("-03:30");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->minuteOfDay(0), 20 * 60 + 30);   // 1969-12-31 20:30
  EXPECT_EQ(z->minuteOfDay(-1), 20 * 60 + 29);  // 20:29:59 floors to 20:29
  EXPECT_EQ(z->minuteOfDay(-60), 20 * 60 + 29);
  EXPECT_EQ(z->minuteOfDay(-61), 20 * 60 + 28);
  EXPECT_EQ(z->minuteOfDay(-86400), 20 * 60 + 30);      // a day earlier, same time
  EXPECT_EQ(z->minuteOfDay(-21 * 3600), 23 * 60 + 30);  // 1969-12-30 23:30 local
  EXPECT_EQ(z->minuteOfDay(3 * 3600 + 30 * 60), 0);     // local midnight
  EXPECT_EQ(z->minuteOfDay(kT), kTUtcMinute - 210);
}

TEST(TimeZone, FixedOffsetZoneDirectly) {
  const FixedOffsetZone z(420, "WIB");
  EXPECT_EQ(z.name(), "WIB");
  EXPECT_EQ(z.minuteOfDay(0), 420);
  EXPECT_EQ(z.minuteOfDay(kT), kTJakartaMinute);
  for (std::int64_t t : {-1000000007LL, -1LL, 0LL, 86399LL, 4102444800LL}) {
    const int m = z.minuteOfDay(t);
    EXPECT_GE(m, 0) << t;
    EXPECT_LT(m, 1440) << t;
  }
}

TEST(TimeZone, UnknownOrUnsafeNamesAreRejected) {
  for (const char* bad : {"Mars/Olympus_Mons", "../etc/passwd", "Asia/../../etc/passwd", "/etc/passwd", "",
                          "+25:00", "+07:60", "07:00", "+7:00", "+07:0x"}) {
    auto z = loadTimeZone(bad);
    ASSERT_FALSE(z.ok()) << '"' << bad << '"';
    EXPECT_EQ(z.error().code, Errc::kInvalidArgument) << bad;
  }
}

TEST(TimeZone, DirectoryUnderZoneinfoIsRejectedNotThrown) {
  // A directory under zoneinfo is not a TZif file: a config naming "Asia" must get
  // an error that names the key, not an exception.
  std::optional<Result<std::shared_ptr<const TimeZone>>> z;
  EXPECT_NO_THROW(z.emplace(loadTimeZone("Asia")));
  ASSERT_TRUE(z.has_value());
  ASSERT_FALSE(z->ok());
  EXPECT_EQ(z->error().code, Errc::kInvalidArgument);
}

TEST(TimeZone, NonTzifFileIsRejected) {
  // A regular file under zoneinfo that is not TZif (tzdata ships text tables).
  for (const char* name : {"zone.tab", "iso3166.tab", "tzdata.zi", "zone1970.tab"}) {
    std::optional<Result<std::shared_ptr<const TimeZone>>> z;
    EXPECT_NO_THROW(z.emplace(loadTimeZone(name))) << name;
    ASSERT_TRUE(z.has_value());
    EXPECT_FALSE(z->ok()) << name;
  }
}

TEST(TimeZone, DstZoneDiffersBySixtyMinutesBetweenJanuaryAndJuly) {
  auto z = load("Europe/Berlin");
  ASSERT_NE(z, nullptr);
  const int jan = z->minuteOfDay(1705320000);  // 2024-01-15 12:00 UTC -> 13:00 CET
  const int jul = z->minuteOfDay(1721044800);  // 2024-07-15 12:00 UTC -> 14:00 CEST
  EXPECT_EQ(jan, 13 * 60);
  EXPECT_EQ(jul, 14 * 60);
  EXPECT_EQ(jul - jan, 60);
}

TEST(TimeZone, DstSwitchHappensAtTheRightSecond) {
  auto z = load("Europe/Berlin");
  ASSERT_NE(z, nullptr);
  // Spring forward: 2024-03-31 01:00:00 UTC; 01:59:59 CET becomes 03:00:00 CEST.
  EXPECT_EQ(z->minuteOfDay(1711846799), 1 * 60 + 59);
  EXPECT_EQ(z->minuteOfDay(1711846800), 3 * 60);
  // Fall back: 2024-10-27 01:00:00 UTC; 02:59:59 CEST becomes 02:00:00 CET.
  EXPECT_EQ(z->minuteOfDay(1729990799), 2 * 60 + 59);
  EXPECT_EQ(z->minuteOfDay(1729990800), 2 * 60);
}

// A date filter's day starts at the operator's local midnight: 2023-11-15 00:00 in
// Jakarta is 2023-11-14 17:00 UTC (1700000000 - 22:13:20 + 17:00:00 = 1699981200).
TEST(LocalMidnight, IsTheZonesMidnightOfThatDay) {
  FixedOffsetZone jakarta(7 * 60, "Asia/Jakarta");
  FixedOffsetZone utc(0, "UTC");
  FixedOffsetZone west(-3 * 60 - 30, "-03:30");
  EXPECT_EQ(localMidnight("2023-11-15", jakarta), 1699981200);
  EXPECT_EQ(localMidnight("2023-11-15", utc), 1700006400);
  EXPECT_EQ(localMidnight("2023-11-15", west), 1700006400 + 3 * 3600 + 1800);
  EXPECT_EQ(localMidnight("2024-03-01", utc), localMidnight("2024-02-29", utc).value() + 86400);  // leap day
  EXPECT_EQ(localMidnight("1970-01-01", utc), 0);
}

TEST(LocalMidnight, RefusesWhatIsNotADate) {
  FixedOffsetZone utc(0, "UTC");
  for (const char* bad : {"", "2023-1-15", "2023/11/15", "2023-13-01", "2023-11-32", "2023-11-00",
                          "2023-11-15x", "20231115", "yyyy-mm-dd", "2023-11-1 "}) {
    EXPECT_FALSE(localMidnight(bad, utc).has_value()) << bad;
  }
}

}  // namespace
}  // namespace warung::domain
