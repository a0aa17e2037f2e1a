// `warung migrate` and `warung copy`: moving a business from an SQLite file to an
// empty PostgreSQL database keeps every account (its key keeps working), balance,
// ledger row and order with its id; refuses a target that has data; and the copied
// database serves orders right away. Postgres backend only (the target).
#include <gtest/gtest.h>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;

const char* const kCatalog = R"([{"kind": "game", "code": "CP1", "name": "Diamonds CP1", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 10000, "spesial": 10000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"}])";

class Copy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!postgresBackend())
      GTEST_SKIP() << "copies into PostgreSQL; runs as pg.Copy.* (WARUNG_TEST_BACKEND=postgres)";
  }
  TempDir dir_;
};

TEST_F(Copy, MigrateCreatesTheSchemaAndPrintsItsVersion) {
  const std::string target = testDatabase(dir_);
  auto j = runCliJson({"migrate", "--json", "--db", target}).as_object();
  const std::int64_t latest = j.at("schema_version").as_int64();
  EXPECT_GE(latest, 3);
  EXPECT_EQ(runCliJson({"migrate", "--json", "--db", target}).as_object().at("schema_version").as_int64(),
            latest)
      << "a second run finds nothing to do";
  auto sqlite = runCliJson({"migrate", "--json", "--db", dir_.file("local.db")}).as_object();
  EXPECT_EQ(sqlite.at("schema_version").as_int64(), latest);
}

TEST_F(Copy, MovesEverythingKeepingIdsKeysAndBooks) {
  const std::string source = dir_.file("shop.db");
  importCatalog(source, kCatalog, dir_);
  const Reseller a = createReseller(source, "Toko A", "premium", 55'000);
  const Reseller b = createReseller(source, "Toko B", "standar", 20'000);
  std::vector<std::string> refs;
  {
    ServerProcess server(source);
    HttpClient http(server.port());
    for (int i = 0; i < 3; ++i) {
      auto o = postOrder(http, a, "game", "CP1", std::to_string(7100 + i));
      ASSERT_TRUE(o.ok) << json::serialize(o.json);
      refs.push_back(o.ref_id);
    }
  }
  auto refunded = runCli({"order", "set-status", refs[0], "error", "--db", source});
  ASSERT_EQ(refunded.exit_code, 0) << refunded.err;
  const auto source_orders = listOrdersJson(source);

  const std::string target = testDatabase(dir_);
  auto copied = runCliJson({"copy", "--from", "sqlite:" + source, "--to", target, "--json"}).as_object();
  EXPECT_EQ(copied.at("tables").as_object().at("accounts").as_int64(), 2);
  EXPECT_EQ(copied.at("tables").as_object().at("orders").as_int64(), 3);
  EXPECT_EQ(copied.at("tables").as_object().at("ledger").as_int64(), 2 + 3 + 1);
  EXPECT_EQ(copied.at("accounts_balanced").as_int64(), 2);
  EXPECT_EQ(copied.at("total_balance").as_int64(), 55'000 - 3 * 10'000 + 10'000 + 20'000);

  // The same accounts, orders and books.
  EXPECT_EQ(json::serialize(listOrdersJson(target)), json::serialize(source_orders));
  for (const Reseller* r : {&a, &b}) {
    const Books before = books(source, r->user_id), after = books(target, r->user_id);
    EXPECT_EQ(after.balance, before.balance);
    EXPECT_EQ(after.ledger_sum, after.balance);
    EXPECT_EQ(after.entries, before.entries);
  }

  // A second copy finds data and writes nothing.
  auto again = runCli({"copy", "--from", source, "--to", target});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already has"), std::string::npos) << again.err;
  EXPECT_EQ(listOrdersJson(target).size(), 3u);

  // The copied database serves at once: old keys work, old orders answer, new ids follow.
  ServerProcess server(target);
  HttpClient http(server.port());
  const auto st = orderStatus(http, a, "game", refs[1]);
  ASSERT_TRUE(st.is_object()) << "the old key and order work on the copy";
  auto fresh = postOrder(http, a, "game", "CP1", "7200");
  ASSERT_TRUE(fresh.ok) << json::serialize(fresh.json);
  const auto orders = listOrdersJson(target);
  ASSERT_EQ(orders.size(), 4u);
  EXPECT_EQ(orders[0].as_object().at("ref_id").as_string(), fresh.ref_id);
  const Books after = books(target, a.user_id);
  EXPECT_EQ(after.balance, 55'000 - 3 * 10'000 + 10'000 - 10'000);
  EXPECT_EQ(after.ledger_sum, after.balance);
}

TEST_F(Copy, RefusesBadArguments) {
  const std::string target = testDatabase(dir_);
  auto missing = runCli({"copy", "--from", "sqlite:" + dir_.file("nope.db"), "--to", target});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.db"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_.file("nope.db"))) << "a missing source is not created";
  auto bad_to = runCli({"copy", "--from", dir_.file("x.db"), "--to", dir_.file("y.db")});
  EXPECT_NE(bad_to.exit_code, 0);
  EXPECT_NE(bad_to.err.find("--to"), std::string::npos) << bad_to.err;
}

}  // namespace
}  // namespace warung::testing
