// Directory: accounts by API key, kept in memory with the sign their requests carry,
// and forgotten when any account changes (a rotated key, a suspension).
#include "store/directory.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto.hpp"
#include "domain/accounts.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support.hpp"

namespace warung::store::sqlite::testing {
namespace {

class DirectoryTest : public ::testing::Test {
 protected:
  std::int64_t addAccount(const std::string& user_id, const std::string& key) {
    NewAccount a = newAccount(user_id);
    a.key_hash = domain::keyHash(key);
    auto created = store_.createAccount(a);
    EXPECT_TRUE(created.ok());
    return created ? created->id : 0;
  }
  static void expectNotFound(Directory& directory, const std::string& key) {
    auto found = directory.accountByKey(key);
    ASSERT_FALSE(found.ok()) << "key '" << key << "' found " << (*found)->account->user_id;
    EXPECT_EQ(found.error().code, Errc::kNotFound);
  }

  TempDir dir_;
  SqliteStore store_{dir_.file("warung.db")};
};

TEST_F(DirectoryTest, AKeyFindsItsAccountWithTheSignItsRequestsCarry) {
  addAccount("U000000001", "key-one");
  Directory directory(store_, {});
  for (int i = 0; i < 2; ++i) {  // from the store, then from memory
    auto found = directory.accountByKey("key-one");
    ASSERT_TRUE(found.ok());
    EXPECT_EQ((*found)->account->user_id, "U000000001");
    EXPECT_EQ((*found)->sign, crypto::md5Hex("U000000001key-one"));
  }
}

TEST_F(DirectoryTest, OnlyTheWholeKeyFindsAKeptAccount) {
  addAccount("U000000001", "key-one");
  Directory directory(store_, {});
  ASSERT_TRUE(directory.accountByKey("key-one").ok());
  for (const std::string key : {"key-onf", "key-on", "key-one ", "KEY-ONE", "", "key-two"}) {
    expectNotFound(directory, key);
  }
  EXPECT_TRUE(directory.accountByKey("key-one").ok());
}

TEST_F(DirectoryTest, ARotatedKeyStopsFindingItsAccountAtTheNextRefresh) {
  const std::int64_t id = addAccount("U000000001", "key-one");
  Directory directory(store_, {});
  ASSERT_TRUE(directory.accountByKey("key-one").ok());
  ASSERT_TRUE(store_.setAccountKeyHash(id, domain::keyHash("key-new")).ok());
  directory.refresh();
  expectNotFound(directory, "key-one");
  auto found = directory.accountByKey("key-new");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->sign, crypto::md5Hex("U000000001key-new"));
}

TEST_F(DirectoryTest, ASuspensionReachesAKeptKeyAtTheNextRefresh) {
  const std::int64_t id = addAccount("U000000001", "key-one");
  Directory directory(store_, {});
  ASSERT_TRUE(directory.accountByKey("key-one").ok());
  ASSERT_TRUE(store_.setAccountStatus(id, domain::AccountStatus::kSuspended).ok());
  directory.refresh();
  auto found = directory.accountByKey("key-one");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->account->status, domain::AccountStatus::kSuspended);
}

// cache.max_accounts: past the cap a key's account is read from the store each time,
// so (until the refresh) a key rotated in the store stops working at once for an
// account not kept, and goes on working for one kept.
TEST_F(DirectoryTest, KeysPastTheCapAreLookedUpInTheStoreEachTime) {
  const std::int64_t first = addAccount("U000000001", "key-one");
  const std::int64_t second = addAccount("U000000002", "key-two");
  DirectoryConfig config;
  config.max_cached_accounts = 1;
  Directory directory(store_, config);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(directory.accountByKey("key-one").ok());
    ASSERT_TRUE(directory.accountByKey("key-two").ok());
  }
  ASSERT_TRUE(store_.setAccountKeyHash(first, domain::keyHash("key-one-new")).ok());
  ASSERT_TRUE(store_.setAccountKeyHash(second, domain::keyHash("key-two-new")).ok());
  EXPECT_TRUE(directory.accountByKey("key-one").ok()) << "the first key was not kept";
  expectNotFound(directory, "key-two");
  EXPECT_TRUE(directory.accountByKey("key-two-new").ok());
}

}  // namespace
}  // namespace warung::store::sqlite::testing
