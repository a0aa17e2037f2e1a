#pragma once
// Store::visitLatestOrdersUnheld and visitOrderUnheld, the same scenario on both
// backends (tests/store and tests/store_pg): an order held in its current status is
// only offered, every other is read in full, and an order that has moved on is
// offered in its new status. And visitLatestOrdersSince: the list's version moves with
// every order placed or changed, and a list asked for at its version is not read.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
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

// `keeps_versions`: the store answers a version (SQLite); else it must answer none
// and read the list every time (PostgreSQL).
inline void expectLatestOrdersSince(store::Store& s, store::OrderWriter& w, std::int64_t account,
                                    bool keeps_versions) {
  using S = domain::OrderStatus;
  std::vector<std::string> read;
  auto visit = [&](std::optional<std::int64_t> known) {
    read.clear();
    auto v = s.visitLatestOrdersSince(
        account, domain::Kind::kSocialMedia, 15, known, [](std::int64_t, S) { return false; },
        [&](const domain::Order& o) { read.push_back(o.ref_id); });
    EXPECT_TRUE(v.ok()) << v.error().detail;
    return v.ok() ? *v : store::Store::LatestVisit{};
  };
  auto placeOne = [&](const std::string& ref) {
    auto p = store_orders::place(w, store_orders::makeOrder(account, ref, 7, "v-" + ref, 10));
    EXPECT_TRUE(p.ok()) << p.error().detail;
    return p.ok() ? p->order : domain::Order{};
  };
  const domain::Order v0 = placeOne("V0");
  const store::Store::LatestVisit first = visit(std::nullopt);
  EXPECT_FALSE(first.unchanged);
  EXPECT_EQ(read, std::vector<std::string>{"V0"});
  if (!keeps_versions) {
    EXPECT_FALSE(first.version.has_value());
    for (std::int64_t known : {0, 1, 2}) {
      const auto again = visit(known);
      EXPECT_FALSE(again.unchanged);
      EXPECT_EQ(read, std::vector<std::string>{"V0"}) << "read every time";
    }
    return;
  }
  ASSERT_TRUE(first.version.has_value());
  std::int64_t version = *first.version;
  // Asked at its version: nothing read. At any other: read.
  auto expectUnchanged = [&](const char* after) {
    SCOPED_TRACE(after);
    const auto same = visit(version);
    EXPECT_TRUE(same.unchanged);
    EXPECT_EQ(same.version, version);
    EXPECT_TRUE(read.empty());
  };
  auto expectMoved = [&](const char* after, const std::vector<std::string>& refs) {
    SCOPED_TRACE(after);
    const auto moved = visit(version);
    EXPECT_FALSE(moved.unchanged);
    ASSERT_TRUE(moved.version.has_value());
    EXPECT_NE(*moved.version, version);
    EXPECT_EQ(read, refs);
    version = *moved.version;
  };
  expectUnchanged("nothing changed");
  const auto future = visit(version + 1);
  EXPECT_FALSE(future.unchanged);
  EXPECT_EQ(future.version, version) << "a version not reached yet reads the list";

  const domain::Order v1 = placeOne("V1");
  expectMoved("an order placed", {"V1", "V0"});
  expectUnchanged("placed, then nothing");

  domain::Transition t;
  t.order_id = v1.id;
  t.account_id = account;
  t.ref_id = "V1";
  t.from = S::kWaiting;
  t.to = S::kProcessing;
  t.start_count = 5;
  t.remain = v1.remain;
  t.at = 1700000900;
  ASSERT_TRUE(s.applyTransition(t).ok());
  expectMoved("a transition without a refund", {"V1", "V0"});

  auto refused = s.applyTransition(t);  // no longer waiting
  ASSERT_FALSE(refused.ok());
  expectUnchanged("a refused transition");

  t.order_id = v0.id;
  t.ref_id = "V0";
  t.to = S::kError;
  t.refund = v0.charge;
  ASSERT_TRUE(s.applyTransition(t).ok());
  expectMoved("a transition with a refund", {"V1", "V0"});

  // Orders of the other kind are in the account's one version too.
  ASSERT_TRUE(
      store_orders::place(w, store_orders::makeOrder(account, "VG", 7, "v-game", 10, domain::Kind::kGame))
          .ok());
  expectMoved("an order of the other kind", {"V1", "V0"});
}

}  // namespace warung::testing
