#pragma once
// AdminStore::stuckOrders, the same scenario on both backends (tests/store and
// tests/store_pg): the waiting and processing orders last changed before a time,
// oldest change first (then by id), at most `limit`; final orders and newer changes
// left out. On SQLite the list is read from the one index of orders by status,
// (status, id, updated_at) (migration 9).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/admin_store.hpp"
#include "support/store_orders.hpp"

namespace warung::testing {

inline void expectStuckOrders(store::Store& s, store::AdminStore& admin, store::OrderWriter& w,
                              std::int64_t account) {
  using S = domain::OrderStatus;
  auto placeAt = [&](const std::string& ref, std::int64_t at) {
    domain::Order o = store_orders::makeOrder(account, ref, 7, "stuck-" + ref, 10);
    o.created_at = o.updated_at = at;
    auto p = store_orders::place(w, std::move(o));
    EXPECT_TRUE(p.ok()) << p.error().detail;
    return p.ok() ? p->order.id : 0;
  };
  auto move = [&](std::int64_t id, const std::string& ref, S from, S to, std::int64_t at) {
    domain::Transition t;
    t.order_id = id;
    t.account_id = account;
    t.ref_id = ref;
    t.from = from;
    t.to = to;
    t.remain = to == S::kSuccess ? 0 : 1000;
    t.at = at;
    auto r = s.applyTransition(t);
    ASSERT_TRUE(r.ok()) << r.error().detail;
  };
  auto stuck = [&](std::int64_t before, int limit) {
    std::vector<std::string> refs;
    auto r = admin.stuckOrders(before, limit);
    EXPECT_TRUE(r.ok()) << r.error().detail;
    if (r.ok()) {
      for (const auto& o : *r) refs.push_back(o.ref_id);
    }
    return refs;
  };

  const auto a = placeAt("A", 1000);
  const auto b = placeAt("B", 2000);
  const auto c = placeAt("C", 3000);
  placeAt("D", 1500);
  placeAt("E", 5000);
  placeAt("F", 1200);
  placeAt("G", 1200);
  move(b, "B", S::kWaiting, S::kProcessing, 2500);  // processing, last changed at 2500
  move(c, "C", S::kWaiting, S::kProcessing, 2600);
  move(c, "C", S::kProcessing, S::kSuccess, 2700);  // final: never stuck

  EXPECT_EQ(stuck(2600, 100), (std::vector<std::string>{"A", "F", "G", "D", "B"}));
  EXPECT_EQ(stuck(2500, 100), (std::vector<std::string>{"A", "F", "G", "D"})) << "before, not at";
  EXPECT_EQ(stuck(2600, 2), (std::vector<std::string>{"A", "F"}));
  EXPECT_EQ(stuck(6000, 100), (std::vector<std::string>{"A", "F", "G", "D", "B", "E"}));
  EXPECT_TRUE(stuck(1000, 100).empty());

  // Moved on: A is processing now, changed at 4000.
  move(a, "A", S::kWaiting, S::kProcessing, 4000);
  EXPECT_EQ(stuck(2600, 100), (std::vector<std::string>{"F", "G", "D", "B"}));
}

}  // namespace warung::testing
