#include "store/sqlite/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "store/sqlite/migrations.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::newAccount;
using testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("warung.db");
  SqliteStore store_{path_};

  domain::Account create(const std::string& user_id) {
    auto a = store_.createAccount(newAccount(user_id));
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().detail);
    return a.value();
  }
  Versions versions() {
    auto v = store_.versions();
    EXPECT_TRUE(v.ok());
    return v.value();
  }
};

// ---------------------------------------------------------------- migrations

std::vector<std::pair<int, std::int64_t>> appliedMigrations(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
  std::vector<std::pair<int, std::int64_t>> out;
  while (q.executeStep()) out.emplace_back(q.getColumn(0).getInt(), q.getColumn(1).getInt64());
  return out;
}

TEST(Migrations, ApplyOnceAndReopenIsANoOp) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  { SqliteStore s(path); }
  const auto first = appliedMigrations(path);
  ASSERT_EQ(first.size(), migrations().size());
  EXPECT_EQ(first.back().first, latestSchemaVersion());
  {
    SqliteStore s(path);
    auto v = s.versions();
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->catalog, 1);
    EXPECT_EQ(v->accounts, 1);
  }
  EXPECT_EQ(appliedMigrations(path), first);
}

TEST(Migrations, OpensInWalMode) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  SqliteStore s(path);
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(Migrations, FutureSchemaVersionRefusesToOpen) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  { SqliteStore s(path); }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)");
  }
  try {
    SqliteStore s(path);
    FAIL() << "opened a database from a newer version";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("9999"), std::string::npos) << e.what();
  }
  EXPECT_THROW(SqliteOrderWriter{path}, std::runtime_error);
}

TEST(Migrations, UnopenablePathThrowsNamingIt) {
  const std::string path = "/nonexistent-dir-for-warung-test/x.db";
  try {
    SqliteStore s(path);
    FAIL() << "opened " << path;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------- accounts

TEST_F(SqliteStoreTest, CreateAndFindAccount) {
  const domain::Account a = create("u1");
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.user_id, "u1");
  EXPECT_EQ(a.name, "Name of u1");
  EXPECT_EQ(a.status, domain::AccountStatus::kActive);
  EXPECT_EQ(a.balance, Money{0});
  EXPECT_EQ(a.created_at, 1700000000);

  auto by_key = store_.findAccountByKeyHash("hash-u1");
  ASSERT_TRUE(by_key.ok());
  EXPECT_EQ(by_key->id, a.id);
  auto by_user = store_.findAccountByUserId("u1");
  ASSERT_TRUE(by_user.ok());
  EXPECT_EQ(by_user->key_hash, "hash-u1");

  EXPECT_EQ(store_.findAccountByKeyHash("nope").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.findAccountByUserId("nope").error().code, Errc::kNotFound);
}

TEST_F(SqliteStoreTest, DuplicateUserIdIsConflict) {
  create("u1");
  NewAccount again = newAccount("u1");
  again.key_hash = "other";
  auto r = store_.createAccount(again);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kConflict);

  NewAccount same_key = newAccount("u2");
  same_key.key_hash = "hash-u1";
  EXPECT_EQ(store_.createAccount(same_key).error().code, Errc::kConflict);
}

TEST_F(SqliteStoreTest, ListAccountsWithOverrides) {
  const auto a = create("u1");
  const auto b = create("u2");
  domain::Service svc;
  svc.code = "X";
  svc.name = "X";
  ASSERT_TRUE(store_.upsertServices({svc}).ok());
  const auto sid = store_.loadServices()->front().id;
  ASSERT_TRUE(store_.setPriceOverride(b.id, sid, Money{77}).ok());
  auto all = store_.listAccounts();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, a.id);
  EXPECT_TRUE((*all)[0].price_overrides.empty());
  EXPECT_EQ((*all)[1].price_overrides.at(sid), Money{77});
}

TEST_F(SqliteStoreTest, AccountChangesBumpAccountsVersionButBalanceDoesNot) {
  const Versions v0 = versions();
  const auto a = create("u1");
  const Versions v1 = versions();
  EXPECT_GT(v1.accounts, v0.accounts);
  EXPECT_EQ(v1.catalog, v0.catalog);

  ASSERT_TRUE(store_.setAccountStatus(a.id, domain::AccountStatus::kSuspended).ok());
  const Versions v2 = versions();
  EXPECT_GT(v2.accounts, v1.accounts);
  EXPECT_EQ(store_.findAccountByUserId("u1")->status, domain::AccountStatus::kSuspended);

  ASSERT_TRUE(store_.setAccountLevel(a.id, domain::Level::kSpesial).ok());
  const Versions v3 = versions();
  EXPECT_GT(v3.accounts, v2.accounts);
  EXPECT_EQ(store_.findAccountByUserId("u1")->level, domain::Level::kSpesial);

  ASSERT_TRUE(store_.setAccountKeyHash(a.id, "new-hash").ok());
  const Versions v4 = versions();
  EXPECT_GT(v4.accounts, v3.accounts);
  EXPECT_EQ(store_.findAccountByKeyHash("new-hash")->id, a.id);
  EXPECT_EQ(store_.findAccountByKeyHash("hash-u1").error().code, Errc::kNotFound);

  ASSERT_TRUE(store_.adjustBalance(a.id, Money{5000}, "top-up", 1).ok());
  ASSERT_TRUE(store_.adjustBalance(a.id, Money{-100}, "fix", 2).ok());
  EXPECT_EQ(versions(), v4);
}

TEST_F(SqliteStoreTest, AccountUpdatesOnMissingAccountAreNotFound) {
  EXPECT_EQ(store_.setAccountStatus(42, domain::AccountStatus::kSuspended).error().code, Errc::kNotFound);
  EXPECT_EQ(store_.setAccountLevel(42, domain::Level::kPremium).error().code, Errc::kNotFound);
  EXPECT_EQ(store_.setAccountKeyHash(42, "x").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.adjustBalance(42, Money{10}, "", 0).error().code, Errc::kNotFound);
  EXPECT_EQ(store_.setPriceOverride(42, 1, Money{10}).error().code, Errc::kNotFound);
}

TEST_F(SqliteStoreTest, KeyHashClashIsConflict) {
  const auto a = create("u1");
  create("u2");
  EXPECT_EQ(store_.setAccountKeyHash(a.id, "hash-u2").error().code, Errc::kConflict);
}

TEST_F(SqliteStoreTest, PriceOverridesRoundTripAndBumpAccounts) {
  const auto a = create("u1");
  domain::Service s1, s2;
  s1.code = "A";
  s1.name = "A";
  s2.code = "B";
  s2.name = "B";
  ASSERT_TRUE(store_.upsertServices({s1, s2}).ok());
  const auto services = store_.loadServices().value();
  const std::int64_t id1 = services[0].id, id2 = services[1].id;

  Versions v = versions();
  ASSERT_TRUE(store_.setPriceOverride(a.id, id1, Money{1500}).ok());
  ASSERT_TRUE(store_.setPriceOverride(a.id, id2, Money{2500}).ok());
  EXPECT_GT(versions().accounts, v.accounts);
  auto found = store_.findAccountByKeyHash("hash-u1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->price_overrides, (std::map<std::int64_t, Money>{{id1, Money{1500}}, {id2, Money{2500}}}));

  v = versions();
  ASSERT_TRUE(store_.setPriceOverride(a.id, id1, Money{1400}).ok());
  EXPECT_GT(versions().accounts, v.accounts);
  v = versions();
  ASSERT_TRUE(store_.setPriceOverride(a.id, id2, std::nullopt).ok());
  EXPECT_GT(versions().accounts, v.accounts);
  found = store_.findAccountByUserId("u1");
  EXPECT_EQ(found->price_overrides, (std::map<std::int64_t, Money>{{id1, Money{1400}}}));

  EXPECT_EQ(store_.setPriceOverride(a.id, 9999, Money{1}).error().code, Errc::kNotFound);
}

TEST_F(SqliteStoreTest, AnotherConnectionSeesVersionChanges) {
  // Stands in for the CLI writing from another process.
  SqliteStore other(path_);
  const Versions before = versions();
  auto a = other.createAccount(newAccount("cli-made"));
  ASSERT_TRUE(a.ok());
  EXPECT_GT(versions().accounts, before.accounts);
  EXPECT_TRUE(store_.findAccountByUserId("cli-made").ok());
}

// ---------------------------------------------------------------- balance and ledger

TEST_F(SqliteStoreTest, AdjustBalanceCreditsDebitsAndRefusesOverdraft) {
  const auto a = create("u1");
  auto credit = store_.adjustBalance(a.id, Money{10000}, "transfer BCA", 100);
  ASSERT_TRUE(credit.ok());
  EXPECT_EQ(credit->balance_after, Money{10000});
  EXPECT_EQ(credit->reason, domain::LedgerReason::kCredit);
  EXPECT_EQ(credit->ref, "transfer BCA");
  EXPECT_GT(credit->id, 0);

  auto debit = store_.adjustBalance(a.id, Money{-3000}, "correction", 101);
  ASSERT_TRUE(debit.ok());
  EXPECT_EQ(debit->balance_after, Money{7000});
  EXPECT_EQ(debit->reason, domain::LedgerReason::kDebit);

  auto overdraft = store_.adjustBalance(a.id, Money{-7001}, "too much", 102);
  ASSERT_FALSE(overdraft.ok());
  EXPECT_EQ(overdraft.error().code, Errc::kInsufficientBalance);
  EXPECT_EQ(store_.findAccountByUserId("u1")->balance, Money{7000});

  auto to_zero = store_.adjustBalance(a.id, Money{-7000}, "all", 103);
  ASSERT_TRUE(to_zero.ok());
  EXPECT_EQ(to_zero->balance_after, Money{0});

  EXPECT_EQ(store_.adjustBalance(a.id, Money{0}, "", 104).error().code, Errc::kInvalidArgument);

  auto rows = store_.ledger(a.id, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);  // newest first; the refused debit left no row
  EXPECT_EQ((*rows)[0].amount, Money{-7000});
  EXPECT_EQ((*rows)[1].amount, Money{-3000});
  EXPECT_EQ((*rows)[2].amount, Money{10000});
  EXPECT_EQ((*rows)[2].created_at, 100);
  EXPECT_EQ((*rows)[2].order_id, 0);
  EXPECT_EQ(store_.ledger(a.id, 1)->size(), 1u);

  EXPECT_EQ(store_.ledgerSum(a.id).value(), store_.findAccountByUserId("u1")->balance);
  ASSERT_TRUE(store_.adjustBalance(a.id, Money{123}, "", 105).ok());
  EXPECT_EQ(store_.ledgerSum(a.id).value(), Money{123});
  EXPECT_EQ(store_.ledgerSum(9999).value(), Money{0});
}

// ---------------------------------------------------------------- catalog

domain::Service fullService() {
  domain::Service s;
  s.kind = domain::Kind::kGame;
  s.code = "ML86";
  s.name = "86 Diamonds";
  s.note = "Masukkan ID dan Server";
  s.category = "Mobile Legends";
  s.category_key = "mobile-legends";
  s.fields_title = "Data Akun";
  s.fields_info = "Cek ID di profil";
  s.fields[0] =
      domain::FieldSpec{domain::FieldType::kInput, "number", "User ID", 3, 20, "12345678", "", {}, ""};
  s.fields[1] = domain::FieldSpec{
      domain::FieldType::kSelect,           "text",       "Server", 0, 0, "", "Pilih server",
      {"Asia", "Eropa", "Amerika Serikat"}, "-- pilih --"};
  s.fields[2] = domain::FieldSpec{domain::FieldType::kNone, "tel", "", 0, 0, "", "", {}, ""};
  s.min_quantity = 1;
  s.max_quantity = 1;
  s.prices = {Money{20000}, Money{19500}, Money{19000}};
  s.cutoff = domain::Cutoff{23 * 60 + 30, 15};
  s.ready = false;
  s.enabled = true;
  s.updated_at = 1700000000;
  return s;
}

void expectSameService(const domain::Service& got, const domain::Service& want) {
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.code, want.code);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.note, want.note);
  EXPECT_EQ(got.category, want.category);
  EXPECT_EQ(got.category_key, want.category_key);
  EXPECT_EQ(got.fields_title, want.fields_title);
  EXPECT_EQ(got.fields_info, want.fields_info);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const auto& g = got.fields[i];
    const auto& w = want.fields[i];
    EXPECT_EQ(g.type, w.type);
    EXPECT_EQ(g.input_type, w.input_type);
    EXPECT_EQ(g.label, w.label);
    EXPECT_EQ(g.minlength, w.minlength);
    EXPECT_EQ(g.maxlength, w.maxlength);
    EXPECT_EQ(g.placeholder, w.placeholder);
    EXPECT_EQ(g.select_label, w.select_label);
    EXPECT_EQ(g.options, w.options);
    EXPECT_EQ(g.select_placeholder, w.select_placeholder);
  }
  EXPECT_EQ(got.min_quantity, want.min_quantity);
  EXPECT_EQ(got.max_quantity, want.max_quantity);
  EXPECT_EQ(got.prices, want.prices);
  EXPECT_EQ(got.cutoff.start_minute, want.cutoff.start_minute);
  EXPECT_EQ(got.cutoff.end_minute, want.cutoff.end_minute);
  EXPECT_EQ(got.ready, want.ready);
  EXPECT_EQ(got.enabled, want.enabled);
  EXPECT_EQ(got.updated_at, want.updated_at);
}

TEST_F(SqliteStoreTest, ServicesRoundTripEveryField) {
  const domain::Service want = fullService();
  ASSERT_TRUE(store_.upsertServices({want}).ok());
  auto got = store_.loadServices();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_GT((*got)[0].id, 0);
  expectSameService((*got)[0], want);
}

TEST_F(SqliteStoreTest, UpsertKeepsIdAndBumpsCatalog) {
  const Versions v0 = versions();
  domain::Service s = fullService();
  ASSERT_TRUE(store_.upsertServices({s}).ok());
  const Versions v1 = versions();
  EXPECT_GT(v1.catalog, v0.catalog);
  EXPECT_EQ(v1.accounts, v0.accounts);
  const std::int64_t id = store_.loadServices()->front().id;

  s.name = "86 Diamonds (promo)";
  s.prices[0] = Money{18000};
  s.fields[1].options = {"Asia"};
  s.enabled = false;
  s.id = 0;  // ignored: (kind, code) identifies the service
  ASSERT_TRUE(store_.upsertServices({s}).ok());
  EXPECT_GT(versions().catalog, v1.catalog);
  auto got = store_.loadServices();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, id);
  expectSameService((*got)[0], s);
}

TEST_F(SqliteStoreTest, LoadServicesOrdersByKindCategoryName) {
  auto svc = [](domain::Kind k, std::string code, std::string category, std::string name) {
    domain::Service s;
    s.kind = k;
    s.code = std::move(code);
    s.category = std::move(category);
    s.name = std::move(name);
    return s;
  };
  using domain::Kind;
  ASSERT_TRUE(store_
                  .upsertServices({svc(Kind::kSocialMedia, "1", "Instagram", "Likes"),
                                   svc(Kind::kGame, "2", "Free Fire", "100 DM"),
                                   svc(Kind::kSocialMedia, "3", "Instagram", "Followers"),
                                   svc(Kind::kSocialMedia, "4", "Gameish", "Zed"),
                                   // Same code, other kind: a different service.
                                   svc(Kind::kGame, "1", "Arena", "Pass")})
                  .ok());
  auto got = store_.loadServices();
  ASSERT_TRUE(got.ok());
  std::vector<std::string> codes;
  for (const auto& s : *got) codes.push_back(std::string(domain::toString(s.kind)) + "/" + s.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"game/1", "game/2", "social-media/4", "social-media/3",
                                             "social-media/1"}));
}

TEST_F(SqliteStoreTest, EmptyUpsertIsOk) { EXPECT_TRUE(store_.upsertServices({}).ok()); }

}  // namespace
}  // namespace warung::store::sqlite
