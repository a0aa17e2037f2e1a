// common/crypto: digests against known answers, and order references (time-ordered
// prefix, random rest).
#include "common/crypto.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"

namespace warung {
namespace {

bool onlyLowerAlnum(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

TEST(Digests, MatchKnownAnswersOnEveryThread) {
  const auto check = [] {
    EXPECT_EQ(crypto::md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(crypto::md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(crypto::sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // The per-thread context is reused: a second digest is not mixed with the first.
    EXPECT_EQ(crypto::md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(crypto::hmacSha256Hex("key", "The quick brown fox jumps over the lazy dog"),
              "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  };
  check();
  std::thread other(check);
  other.join();
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

// randomAlnum draws from a per-thread pool of CSPRNG bytes refilled 4 KiB at a time:
// 360,000 characters (about a hundred refills) come out uniform over the 36, which a
// pool handing out a wiped or repeated byte, or a draw without the rejection step
// (the first four characters 8/7 as likely), would not.
TEST(RandomAlnum, UniformOverTheAlphabetAcrossPoolRefills) {
  std::array<int, 128> count{};
  for (int i = 0; i < 9'000; ++i) {
    for (char c : crypto::randomAlnum(40)) ++count[static_cast<unsigned char>(c)];
  }
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  int total = 0;
  for (char c : alphabet) {
    total += count[static_cast<unsigned char>(c)];
    EXPECT_NEAR(count[static_cast<unsigned char>(c)], 10'000, 500) << "character " << c;
  }
  EXPECT_EQ(total, 360'000) << "characters outside the alphabet";
}

TEST(RandomAlnum, EveryThreadDrawsItsOwnValues) {
  constexpr int kThreads = 4;
  constexpr int kEach = 5'000;
  std::vector<std::vector<std::string>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&drawn, t] {
      for (int i = 0; i < kEach; ++i) drawn[t].push_back(crypto::randomAlnum(12));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> seen;
  for (const auto& v : drawn) seen.insert(v.begin(), v.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
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

TEST(EqualsConstantTime, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(crypto::equalsConstantTime("key-one", "key-one"));
  EXPECT_TRUE(crypto::equalsConstantTime("", ""));
  EXPECT_FALSE(crypto::equalsConstantTime("key-one", "key-onf"));
  EXPECT_FALSE(crypto::equalsConstantTime("key-one", "KEY-ONE"));  // keys are not hex: case counts
  EXPECT_FALSE(crypto::equalsConstantTime("key-one", "key-on"));
  EXPECT_FALSE(crypto::equalsConstantTime("key-on", "key-one"));
  EXPECT_FALSE(crypto::equalsConstantTime(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace warung
