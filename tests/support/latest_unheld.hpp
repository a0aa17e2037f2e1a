#pragma once
// Store::visitLatestOrdersUnheld and visitOrderUnheld, the same scenario on both
// backends (tests/store and tests/store_pg): an order held in its current status is
// only offered, every other is read in full, and an order that has moved on is
// offered in its new status.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/store_orders.hpp"

namespace warung::testing {

inline void expectLatestOrdersUnheld(store::Store& s, store::OrderWriter& w, std::int64_t account) {
  using S = domain::OrderStatus;
  std::vector<domain::Order> placed;
  for (int i = 0; i < 4; ++i) {
    auto p = store_orders::place(
        w, store_orders::makeOrder(account, "U" + std::to_string(i), 7, "u" + std::to_string(i), 10));
    ASSERT_TRUE(p.ok()) << p.error().detail;
    placed.push_back(p->order);
  }
  std::vector<std::pair<std::int64_t, S>> offered;
  std::vector<domain::Order> read;
  auto visit = [&](const std::map<std::int64_t, S>& holding, int limit) {
    offered.clear();
    read.clear();
    Status st = s.visitLatestOrdersUnheld(
        account, domain::Kind::kSocialMedia, limit,
        [&](std::int64_t id, S status) {
          offered.emplace_back(id, status);
          auto it = holding.find(id);
          return it != holding.end() && it->second == status;
        },
        [&](const domain::Order& o) { read.push_back(o); });
    ASSERT_TRUE(st.ok()) << st.error().detail;
  };
  auto refs = [&] {
    std::vector<std::string> out;
    for (const auto& o : read) out.push_back(o.ref_id);
    return out;
  };
  const std::int64_t u0 = placed[0].id, u1 = placed[1].id, u2 = placed[2].id, u3 = placed[3].id;

  visit({{u1, S::kWaiting}, {u2, S::kWaiting}}, 15);
  EXPECT_EQ(offered, (std::vector<std::pair<std::int64_t, S>>{
                         {u3, S::kWaiting}, {u2, S::kWaiting}, {u1, S::kWaiting}, {u0, S::kWaiting}}));
  EXPECT_EQ(refs(), (std::vector<std::string>{"U3", "U0"}));
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[1].data, placed[0].data) << "read in full";
  EXPECT_EQ(read[1].charge, placed[0].charge);
  EXPECT_EQ(read[1].created_at, placed[0].created_at);

  visit({}, 2);
  EXPECT_EQ(refs(), (std::vector<std::string>{"U3", "U2"})) << "the limit counts offered orders";

  // U2 moves on: held as waiting, it is offered as processing and read again.
  domain::Transition t;
  t.order_id = u2;
  t.account_id = account;
  t.ref_id = "U2";
  t.from = S::kWaiting;
  t.to = S::kProcessing;
  t.start_count = 33;
  t.remain = placed[2].remain;
  t.at = 1700000900;
  ASSERT_TRUE(s.applyTransition(t).ok());
  visit({{u0, S::kWaiting}, {u1, S::kWaiting}, {u2, S::kWaiting}, {u3, S::kWaiting}}, 15);
  EXPECT_EQ(offered[1], (std::pair<std::int64_t, S>{u2, S::kProcessing}));
  ASSERT_EQ(refs(), std::vector<std::string>{"U2"});
  EXPECT_EQ(read[0].status, S::kProcessing);
  EXPECT_EQ(read[0].start_count, 33);
  EXPECT_EQ(read[0].updated_at, 1700000900);

  // One order by ref_id: offered, read only when not held; another account's or
  // kind's reads like a missing one.
  std::vector<std::pair<std::int64_t, S>> offered_one;
  std::vector<domain::Order> read_one;
  auto one = [&](std::int64_t acc, domain::Kind kind, const std::string& ref, bool hold) {
    offered_one.clear();
    read_one.clear();
    return s.visitOrderUnheld(
        acc, kind, ref,
        [&](std::int64_t id, S status) {
          offered_one.emplace_back(id, status);
          return hold;
        },
        [&](const domain::Order& o) { read_one.push_back(o); });
  };
  ASSERT_TRUE(one(account, domain::Kind::kSocialMedia, "U2", true).ok());
  EXPECT_EQ(offered_one, (std::vector<std::pair<std::int64_t, S>>{{u2, S::kProcessing}}));
  EXPECT_TRUE(read_one.empty());
  ASSERT_TRUE(one(account, domain::Kind::kSocialMedia, "U2", false).ok());
  ASSERT_EQ(read_one.size(), 1u);
  EXPECT_EQ(read_one[0].ref_id, "U2");
  EXPECT_EQ(read_one[0].start_count, 33);
  EXPECT_EQ(read_one[0].data, placed[2].data);
  for (auto [acc, kind, ref] : {std::tuple{account + 1000, domain::Kind::kSocialMedia, std::string("U2")},
                                std::tuple{account, domain::Kind::kGame, std::string("U2")},
                                std::tuple{account, domain::Kind::kSocialMedia, std::string("NOPE")}}) {
    SCOPED_TRACE(ref);
    Status st = one(acc, kind, ref, false);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, Errc::kNotFound);
    EXPECT_TRUE(offered_one.empty());
  }

  // A change that keeps the status would break the (id, status) key: refused.
  t.from = t.to = S::kProcessing;
  t.start_count = 44;
  auto same = s.applyTransition(t);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, Errc::kInvalidArgument);
  visit({}, 15);
  EXPECT_EQ(read[1].start_count, 33) << "the refused change left the order as it was";
}

}  // namespace warung::testing
