// Order references: time-ordered prefix, random rest (common/crypto, common/clock).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto.hpp"

namespace warung {
namespace {

bool onlyLowerAlnum(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

TEST(TimeOrderedId, PrefixIsTheTimeInBase36AndSortsAsAString) {
  EXPECT_EQ(crypto::timeOrderedId(0, 0), "00000000");
  EXPECT_EQ(crypto::timeOrderedId(35, 0), "0000000z");
  EXPECT_EQ(crypto::timeOrderedId(36, 0), "00000010");
  // 2026-11-21 00:00:00 UTC in milliseconds.
  EXPECT_EQ(crypto::timeOrderedId(1'795'219'200'000, 0), "mwpn5s00");
  // Later milliseconds sort after earlier ones whatever the random part.
  std::vector<std::string> ids;
  for (std::int64_t ms : {1'795'219'200'000LL, 1'795'219'200'001LL, 1'795'219'200'036LL, 1'800'000'000'000LL,
                          2'800'000'000'000LL}) {
    ids.push_back(crypto::timeOrderedId(ms, 12));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(TimeOrderedId, TheRandomPartDiffersWithinOneMillisecond) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string id = crypto::timeOrderedId(1'795'219'200'000, 12);
    ASSERT_EQ(id.size(), 20u);
    ASSERT_TRUE(onlyLowerAlnum(id)) << id;
    ASSERT_EQ(id.substr(0, 8), "mwpn5s00");
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RandomIdGenerator, RefIdsAre20CharactersAndFollowTheClock) {
  RandomIdGenerator ids;
  const std::string a = ids.newRefId();
  ASSERT_EQ(a.size(), 20u);
  EXPECT_TRUE(onlyLowerAlnum(a)) << a;
  const std::string b = ids.newRefId();
  EXPECT_NE(a, b);
  EXPECT_LE(a.substr(0, 8), b.substr(0, 8));  // same or a later millisecond
}

}  // namespace
}  // namespace warung
