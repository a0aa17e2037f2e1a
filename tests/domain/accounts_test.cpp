// Authentication rules (API-NOTES "Authentication").
#include "domain/accounts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace warung::domain {
namespace {

constexpr std::string_view kUserId = "U123456789";
constexpr std::string_view kKey = "k3yS3cret";
// md5("U123456789k3yS3cret"), computed with md5sum.
constexpr std::string_view kSign = "6f1a50f55aa7fc48f048c20766e20d66";

Account account(AccountStatus status = AccountStatus::kActive) {
  Account a;
  a.id = 1;
  a.user_id = std::string(kUserId);
  a.status = status;
  a.key_hash = keyHash(kKey);
  return a;
}

TEST(CheckCredentials, RightSignPasses) { EXPECT_TRUE(checkCredentials(account(), kKey, kSign).ok()); }

TEST(CheckCredentials, UpperCaseHexSignPasses) {
  std::string upper(kSign);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  EXPECT_TRUE(checkCredentials(account(), kKey, upper).ok());
}

TEST(CheckCredentials, WrongSignIsUnauthenticated) {
  std::string wrong(kSign);
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& bad : {wrong, std::string(), std::string(kSign.substr(0, 31)),
                                 std::string(kSign) + "0", std::string("md5(U123456789k3yS3cret)")}) {
    auto st = checkCredentials(account(), kKey, bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, Errc::kUnauthenticated);
    EXPECT_EQ(st.error().detail, "invalid key or sign");
    EXPECT_EQ(st.error().detail, kBadCredentials);
  }
}

TEST(CheckCredentials, SignIsOverUserIdThenKey) {
  // md5(key . user_id) = 4b2c... (md5sum): the wrong order must not pass.
  Account a = account();
  auto st = checkCredentials(a, kKey, "4b2cee1b9a4a4e26531cd14fa167d6fa");
  EXPECT_FALSE(st.ok());
  // Another key with the same user id: the sign no longer matches.
  st = checkCredentials(a, "otherKey", kSign);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kUnauthenticated);
  // Another user id with the same key: no match either.
  a.user_id = "U999999999";
  st = checkCredentials(a, kKey, kSign);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kUnauthenticated);
}

TEST(CheckCredentials, SuspendedIsForbidden) {
  auto st = checkCredentials(account(AccountStatus::kSuspended), kKey, kSign);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kForbidden);
}

TEST(CheckCredentials, SuspendedWithWrongSignDoesNotRevealSuspension) {
  auto st = checkCredentials(account(AccountStatus::kSuspended), kKey, "00000000000000000000000000000000");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kUnauthenticated);
}

// The request path checks against the sign worked out once per key (Directory).
TEST(CheckSign, TakesTheSignWorkedOutBeforeWithTheSameRules) {
  EXPECT_EQ(signFor(kUserId, kKey), kSign);
  EXPECT_TRUE(checkSign(account(), signFor(kUserId, kKey), kSign).ok());
  std::string upper(kSign);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  EXPECT_TRUE(checkSign(account(), kSign, upper).ok());
  auto st = checkSign(account(), kSign, "00000000000000000000000000000000");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kUnauthenticated);
  st = checkSign(account(AccountStatus::kSuspended), kSign, kSign);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Errc::kForbidden);
}

TEST(KeyHash, IsSha256HexAndDeterministic) {
  // sha256("k3yS3cret"), computed with sha256sum.
  EXPECT_EQ(keyHash(kKey), "e4dec671d2a0b8f660085f098a5f5cafbff708c3b78505e329b83d0610ce75ee");
  const std::string h = keyHash("another key");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(h, keyHash("another key"));
  EXPECT_NE(h, keyHash("another kez"));
  EXPECT_NE(keyHash(kKey), std::string(kKey));  // never the key itself
}

}  // namespace
}  // namespace warung::domain
