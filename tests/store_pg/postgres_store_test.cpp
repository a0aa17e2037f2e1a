// PostgresStore as the Store: migrations (also several nodes starting at once),
// accounts, versions, balances and the ledger, the catalog, and retries after the
// server dropped the connections.
#include "store/postgres/postgres_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "store/postgres/migrations.hpp"
#include "store_pg/support.hpp"

namespace warung::store::postgres {
namespace {

using testing::newAccount;
using testing::TestDatabase;

class PostgresStoreTest : public ::testing::Test {
 protected:
  TestDatabase db_;
  PostgresStore store_{db_.config()};

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

std::vector<std::pair<int, std::int64_t>> appliedMigrations(TestDatabase& db) {
  const pg::Rows r = db.exec("SELECT version, applied_at FROM schema_migrations ORDER BY version");
  std::vector<std::pair<int, std::int64_t>> out;
  for (int i = 0; i < r.size(); ++i) out.emplace_back(static_cast<int>(r.int64(i, 0)), r.int64(i, 1));
  return out;
}

TEST(Migrations, ApplyOnceAndReopenIsANoOp) {
  TestDatabase db;
  { PostgresStore s(db.config()); }
  const auto first = appliedMigrations(db);
  ASSERT_EQ(first.size(), migrations().size());
  EXPECT_EQ(first.back().first, latestSchemaVersion());
  {
    PostgresStore s(db.config());
    auto v = s.versions();
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->catalog, 1);
    EXPECT_EQ(v->accounts, 1);
  }
  EXPECT_EQ(appliedMigrations(db), first);
}

TEST(Migrations, NodesStartingTogetherApplyEachMigrationOnce) {
  TestDatabase db;
  constexpr int kNodes = 3;
  std::atomic<int> ready{0}, failed{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&] {
      ++ready;
      while (ready.load() < kNodes) std::this_thread::yield();  // start as close together as we can
      try {
        if (i % 2 == 0) {
          PostgresStore s(db.config());
        } else {
          PostgresOrderWriter w(db.config());
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failed;
      }
    });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(failed.load(), 0);
  const auto applied = appliedMigrations(db);
  ASSERT_EQ(applied.size(), migrations().size());
  for (std::size_t i = 0; i < applied.size(); ++i) EXPECT_EQ(applied[i].first, migrations()[i].version);
  EXPECT_EQ(db.count("change_versions"), 2);
}

TEST(Migrations, FutureSchemaVersionRefusesToOpenNamingTheDatabase) {
  TestDatabase db;
  { PostgresStore s(db.config()); }
  db.exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)");
  try {
    PostgresStore s(db.config());
    FAIL() << "opened a database from a newer version";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(db.name()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("9999"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PostgresOrderWriter{db.config()}, std::runtime_error);
}

TEST(Migrations, UnreachableServerThrowsNamingItWithoutThePassword) {
  PostgresConfig cfg;
  cfg.url = "postgresql://warung:s3cretpw@127.0.0.1:1/nowhere?connect_timeout=5";
  try {
    PostgresStore s(cfg);
    FAIL() << "connected to " << cfg.url;
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:1/nowhere"), std::string::npos) << what;
    EXPECT_EQ(what.find("s3cretpw"), std::string::npos) << what;
  }
}

TEST(Migrations, RedactUrlHidesPasswords) {
  EXPECT_EQ(pg::redactUrl("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(pg::redactUrl("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(pg::redactUrl("postgres://h/db?password=pw&sslmode=require"),
            "postgres://h/db?password=***&sslmode=require");
  EXPECT_EQ(pg::redactUrl("host=h password=pw dbname=d"), "host=h password=*** dbname=d");
}

// ---------------------------------------------------------------- accounts

TEST_F(PostgresStoreTest, CreateAndFindAccount) {
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

TEST_F(PostgresStoreTest, DuplicateUserIdIsConflict) {
  create("u1");
  NewAccount again = newAccount("u1");
  again.key_hash = "other";
  auto r = store_.createAccount(again);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kConflict);
  EXPECT_EQ(r.error().detail, "user_id u1 is already taken");

  NewAccount same_key = newAccount("u2");
  same_key.key_hash = "hash-u1";
  auto k = store_.createAccount(same_key);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, Errc::kConflict);
  EXPECT_EQ(k.error().detail, "that key is already in use");
}

TEST_F(PostgresStoreTest, ListAccountsWithOverrides) {
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

TEST_F(PostgresStoreTest, AccountChangesBumpAccountsVersionButBalanceDoesNot) {
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

TEST_F(PostgresStoreTest, AccountUpdatesOnMissingAccountAreNotFound) {
  EXPECT_EQ(store_.setAccountStatus(42, domain::AccountStatus::kSuspended).error().code, Errc::kNotFound);
  EXPECT_EQ(store_.setAccountLevel(42, domain::Level::kPremium).error().code, Errc::kNotFound);
  EXPECT_EQ(store_.setAccountKeyHash(42, "x").error().code, Errc::kNotFound);
  EXPECT_EQ(store_.adjustBalance(42, Money{10}, "", 0).error().code, Errc::kNotFound);
  EXPECT_EQ(store_.setPriceOverride(42, 1, Money{10}).error().code, Errc::kNotFound);
}

TEST_F(PostgresStoreTest, KeyHashClashIsConflict) {
  const auto a = create("u1");
  create("u2");
  EXPECT_EQ(store_.setAccountKeyHash(a.id, "hash-u2").error().code, Errc::kConflict);
}

TEST_F(PostgresStoreTest, PriceOverridesRoundTripAndBumpAccounts) {
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
  EXPECT_EQ(store_.setPriceOverride(a.id, id1, Money{-1}).error().code, Errc::kInvalidArgument);
}

TEST_F(PostgresStoreTest, AnotherNodeSeesVersionChanges) {
  PostgresStore other(db_.config());  // another node on the same database
  const Versions before = versions();
  auto a = other.createAccount(newAccount("made-elsewhere"));
  ASSERT_TRUE(a.ok());
  EXPECT_GT(versions().accounts, before.accounts);
  EXPECT_TRUE(store_.findAccountByUserId("made-elsewhere").ok());

  domain::Service s;
  s.code = "N";
  s.name = "N";
  ASSERT_TRUE(other.upsertServices({s}).ok());
  EXPECT_GT(versions().catalog, before.catalog);
  EXPECT_EQ(store_.loadServices()->size(), 1u);
}

TEST_F(PostgresStoreTest, InvalidUtf8IsInvalidArgument) {
  NewAccount bad = newAccount("u1");
  bad.name = "bad \xff\xfe name";
  auto r = store_.createAccount(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(store_.listAccounts()->size(), 0u);
}

// ---------------------------------------------------------------- balance and ledger

TEST_F(PostgresStoreTest, AdjustBalanceCreditsDebitsAndRefusesOverdraft) {
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
  EXPECT_EQ(overdraft.error().detail, "balance Rp 7000 is below the debit Rp 7001");
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

TEST_F(PostgresStoreTest, ConcurrentDebitsFromTwoNodesNeverOverdraw) {
  const auto a = create("u1");
  ASSERT_TRUE(store_.adjustBalance(a.id, Money{10000}, "seed", 1).ok());
  PostgresStore other(db_.config());
  constexpr int kPerNode = 4;
  constexpr int kEach = 40;  // 2 nodes * 4 threads * 40 debits of 100 = 32000 asked, 10000 there
  std::atomic<int> paid{0}, refused{0}, other_errors{0};
  std::vector<std::thread> threads;
  for (PostgresStore* s : {&store_, &other}) {
    for (int t = 0; t < kPerNode; ++t) {
      threads.emplace_back([&, s] {
        for (int i = 0; i < kEach; ++i) {
          auto r = s->adjustBalance(a.id, Money{-100}, "debit", 2);
          if (r.ok()) {
            ++paid;
          } else if (r.error().code == Errc::kInsufficientBalance) {
            ++refused;
          } else {
            ++other_errors;
          }
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other_errors.load(), 0);
  EXPECT_EQ(paid.load(), 100);
  EXPECT_EQ(refused.load(), 2 * kPerNode * kEach - 100);
  EXPECT_EQ(store_.findAccountByUserId("u1")->balance, Money{0});
  EXPECT_EQ(store_.ledgerSum(a.id).value(), Money{0});
}

TEST_F(PostgresStoreTest, TheDatabaseRefusesANegativeBalanceItself) {
  const auto a = create("u1");
  EXPECT_THROW(db_.exec("UPDATE accounts SET balance = -1 WHERE id = " + std::to_string(a.id)), pg::Error);
}

// ---------------------------------------------------------------- dropped connections

TEST_F(PostgresStoreTest, DroppedConnectionsAreRetriedOnFreshOnes) {
  const auto a = create("u1");
  ASSERT_TRUE(store_.adjustBalance(a.id, Money{500}, "seed", 1).ok());
  // Every pooled connection is gone, as after a server restart or a failover.
  ASSERT_GE(db_.dropOtherConnections(), 1);
  auto v = store_.versions();
  ASSERT_TRUE(v.ok()) << v.error().detail;
  ASSERT_GE(db_.dropOtherConnections(), 1);
  auto credit = store_.adjustBalance(a.id, Money{100}, "after restart", 2);
  ASSERT_TRUE(credit.ok()) << credit.error().detail;
  EXPECT_EQ(credit->balance_after, Money{600});
  EXPECT_EQ(store_.ledger(a.id, 10)->size(), 2u);  // applied once
  EXPECT_EQ(store_.ledgerSum(a.id).value(), Money{600});
}

TEST(PostgresStoreRetries, NoRetriesMeansTheFailureIsAnswered) {
  TestDatabase db;
  PostgresConfig cfg = db.config(1);
  cfg.busy_retries = 0;
  PostgresStore store(cfg);
  ASSERT_TRUE(store.versions().ok());
  ASSERT_GE(db.dropOtherConnections(), 1);
  auto v = store.versions();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Errc::kInternal);
  EXPECT_EQ(v.error().detail, "storage error");
  EXPECT_TRUE(store.versions().ok());  // the broken connection was not put back
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

TEST_F(PostgresStoreTest, ServicesRoundTripEveryField) {
  const domain::Service want = fullService();
  ASSERT_TRUE(store_.upsertServices({want}).ok());
  auto got = store_.loadServices();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_GT((*got)[0].id, 0);
  expectSameService((*got)[0], want);
}

TEST_F(PostgresStoreTest, UpsertKeepsIdAndBumpsCatalog) {
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
  s.ready = true;
  s.id = 0;  // ignored: (kind, code) identifies the service
  ASSERT_TRUE(store_.upsertServices({s}).ok());
  EXPECT_GT(versions().catalog, v1.catalog);
  auto got = store_.loadServices();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, id);
  expectSameService((*got)[0], s);
}

TEST_F(PostgresStoreTest, LoadServicesOrdersByKindCategoryNameBytewise) {
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
                                   // Lower case sorts after upper case, as in SQLite.
                                   svc(Kind::kSocialMedia, "5", "instagram", "Alpha"),
                                   // Same code, other kind: a different service.
                                   svc(Kind::kGame, "1", "Arena", "Pass")})
                  .ok());
  auto got = store_.loadServices();
  ASSERT_TRUE(got.ok());
  std::vector<std::string> codes;
  for (const auto& s : *got) codes.push_back(std::string(domain::toString(s.kind)) + "/" + s.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"game/1", "game/2", "social-media/4", "social-media/3",
                                             "social-media/1", "social-media/5"}));
}

TEST_F(PostgresStoreTest, EmptyUpsertIsOk) { EXPECT_TRUE(store_.upsertServices({}).ok()); }

}  // namespace
}  // namespace warung::store::postgres
