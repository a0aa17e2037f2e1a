// An account's ledger on SQLite is read from two places (migration 7): its rows other
// than order debits by their own index, its order debits through its orders. Read
// either way, it must be exactly the ledger table's rows of that account, newest
// first, whatever the limit, and sum to the same total.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::makeOrder;
using testing::newAccount;
using testing::place;
using testing::TempDir;

struct Row {
  std::int64_t id;
  std::int64_t amount;
  std::int64_t balance_after;
  std::string reason;
  std::int64_t order_id;
  std::string ref;
  bool operator==(const Row&) const = default;
};

// The account's rows as the table holds them, newest first, read without the store.
std::vector<Row> tableRows(const std::string& path, std::int64_t account_id) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT id, amount, balance_after, reason, COALESCE(order_id, 0), ref FROM ledger"
                      " WHERE account_id = ?1 ORDER BY id DESC");
  q.bind(1, account_id);
  std::vector<Row> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                   q.getColumn(3).getString(), q.getColumn(4).getInt64(), q.getColumn(5).getString()});
  }
  return out;
}

std::vector<Row> storeRows(SqliteStore& store, std::int64_t account_id, int limit) {
  auto entries = store.ledger(account_id, limit);
  EXPECT_TRUE(entries.ok());
  std::vector<Row> out;
  if (!entries.ok()) return out;
  for (const auto& e : *entries) {
    EXPECT_EQ(e.account_id, account_id);
    out.push_back({e.id, e.amount.rupiah, e.balance_after.rupiah, std::string(domain::toString(e.reason)),
                   e.order_id, e.ref});
  }
  return out;
}

TEST(SqliteLedger, AnAccountsLedgerIsItsRowsNewestFirstForEveryLimitAndSumsToItsBalance) {
  TempDir dir;
  const std::string path = dir.file("warung.db");
  SqliteStore store(path);
  std::vector<std::int64_t> accounts;
  for (const char* user : {"u1", "u2"}) {
    auto a = store.createAccount(newAccount(user));
    ASSERT_TRUE(a.ok());
    accounts.push_back(a->id);
    ASSERT_TRUE(store.adjustBalance(a->id, Money{1000000}, "seed", 1).ok());
  }
  {
    SqliteOrderWriter w(path);
    // Both accounts, both kinds, interleaved with credits, debits and refunds.
    for (int i = 0; i < 30; ++i) {
      const std::int64_t acc = accounts[static_cast<std::size_t>(i % 2)];
      const auto kind = (i / 2) % 3 == 0 ? domain::Kind::kGame : domain::Kind::kSocialMedia;
      const std::string ref = "L" + std::to_string(i);
      auto placed = place(w, makeOrder(acc, ref, 7 + i % 4, ref, 100 + i, kind));
      ASSERT_TRUE(placed.ok()) << placed.error().detail;
      if (i % 5 == 0) {
        ASSERT_TRUE(store.adjustBalance(acc, Money{50 + i}, "top-up", 2).ok());
      }
      if (i % 7 == 0) {
        ASSERT_TRUE(store.adjustBalance(acc, Money{-(10 + i)}, "correction", 3).ok());
      }
      if (i % 4 == 0) {
        domain::Transition t;
        t.order_id = placed->order.id;
        t.account_id = acc;
        t.ref_id = ref;
        t.from = domain::OrderStatus::kWaiting;
        t.to = domain::OrderStatus::kError;
        t.refund = placed->order.charge;
        t.at = 4;
        ASSERT_TRUE(store.applyTransition(t).ok());
      }
    }
  }
  for (const std::int64_t acc : accounts) {
    SCOPED_TRACE("account " + std::to_string(acc));
    const std::vector<Row> all = tableRows(path, acc);
    ASSERT_GT(all.size(), 20u);
    for (const int limit : {1, 2, 3, 5, 8, 13, 21, 1000}) {
      SCOPED_TRACE("limit " + std::to_string(limit));
      const std::size_t n = std::min(all.size(), static_cast<std::size_t>(limit));
      EXPECT_EQ(storeRows(store, acc, limit),
                std::vector<Row>(all.begin(), all.begin() + static_cast<long>(n)));
    }
    std::int64_t sum = 0;
    for (const Row& r : all) sum += r.amount;
    EXPECT_EQ(store.ledgerSum(acc).value(), Money{sum});
    EXPECT_EQ(store.findAccountByUserId(acc == accounts[0] ? "u1" : "u2")->balance, Money{sum});
  }
}

}  // namespace
}  // namespace warung::store::sqlite
