// type=status's encoded orders, kept per (id, status) (api/osimesa/order_cache.hpp).
#include "api/osimesa/order_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace warung::api::osimesa {
namespace {

using domain::OrderStatus;

std::string held(OrderJsonCache& c, std::int64_t id, OrderStatus s) {
  std::string out = "[";
  if (!c.appendTo(out, id, s)) return "(none)";
  return out.substr(1);
}

TEST(OrderJsonCache, AnswersOnlyForTheStatusItWasGiven) {
  OrderJsonCache c(100);
  EXPECT_EQ(held(c, 7, OrderStatus::kWaiting), "(none)");
  c.put(7, OrderStatus::kWaiting, R"({"ref_id":"A","status":"waiting"})");
  EXPECT_EQ(held(c, 7, OrderStatus::kWaiting), R"({"ref_id":"A","status":"waiting"})");
  std::string out = "[x";
  EXPECT_FALSE(c.appendTo(out, 7, OrderStatus::kProcessing)) << "the order has moved on";
  EXPECT_EQ(out, "[x") << "a miss leaves the answer as it was";
  EXPECT_EQ(held(c, 8, OrderStatus::kWaiting), "(none)");

  c.put(7, OrderStatus::kProcessing, R"({"ref_id":"A","status":"processing"})");
  EXPECT_EQ(held(c, 7, OrderStatus::kProcessing), R"({"ref_id":"A","status":"processing"})");
  EXPECT_EQ(held(c, 7, OrderStatus::kWaiting), "(none)") << "replaced, not kept beside";
  EXPECT_EQ(c.size(), 1u);
}

TEST(OrderJsonCache, HoldsAtMostItsCapacity) {
  for (std::size_t capacity : {1u, 5u, 16u, 37u, 1000u}) {
    SCOPED_TRACE(capacity);
    OrderJsonCache c(capacity);
    for (std::int64_t id = 1; id <= 5000; ++id) c.put(id, OrderStatus::kWaiting, std::to_string(id));
    EXPECT_EQ(c.size(), capacity);
    // The newest puts are the ones held.
    EXPECT_EQ(held(c, 5000, OrderStatus::kWaiting), "5000");
    EXPECT_EQ(held(c, 1, OrderStatus::kWaiting), "(none)");
  }
}

TEST(OrderJsonCache, DropsTheOldestEntryNotReadSinceItCameRound) {
  // 32 orders in 16 shards: ids 0, 16, 32 and 48 share shard 0, which holds two.
  OrderJsonCache c(32);
  c.put(0, OrderStatus::kWaiting, "zero");
  c.put(16, OrderStatus::kWaiting, "sixteen");
  EXPECT_EQ(held(c, 0, OrderStatus::kWaiting), "zero");  // 0, the older, was read
  c.put(32, OrderStatus::kWaiting, "thirty-two");
  EXPECT_EQ(held(c, 16, OrderStatus::kWaiting), "(none)") << "unread: it goes, though newer";
  EXPECT_EQ(held(c, 0, OrderStatus::kWaiting), "zero");
  EXPECT_EQ(held(c, 32, OrderStatus::kWaiting), "thirty-two");
  // Both read now: their marks are cleared in turn and the oldest goes.
  c.put(48, OrderStatus::kWaiting, "forty-eight");
  EXPECT_EQ(held(c, 0, OrderStatus::kWaiting), "(none)");
  EXPECT_EQ(held(c, 32, OrderStatus::kWaiting), "thirty-two");
  EXPECT_EQ(held(c, 48, OrderStatus::kWaiting), "forty-eight");
  EXPECT_EQ(c.size(), 2u) << "only shard 0 was used";
}

TEST(OrderJsonCache, CapacityZeroKeepsNothing) {
  OrderJsonCache c(0);
  c.put(1, OrderStatus::kSuccess, "one");
  EXPECT_EQ(held(c, 1, OrderStatus::kSuccess), "(none)");
  EXPECT_EQ(c.size(), 0u);
}

TEST(OrderJsonCache, ThreadsNeverSeeAnotherOrdersOrStatusesAnswer) {
  // Two writers and two readers over the same 64 ids in a cache of 40: whatever a
  // reader is given must be the answer put for exactly that id and status.
  OrderJsonCache c(40);
  const OrderStatus statuses[] = {OrderStatus::kWaiting, OrderStatus::kProcessing, OrderStatus::kSuccess};
  auto answer = [](std::int64_t id, int s) { return std::to_string(id) + "/" + std::to_string(s); };
  std::atomic<int> wrong{0};
  std::atomic<long> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50'000; ++i) {
        const std::int64_t id = (i * 7 + t) % 64;
        const int s = (i / 64 + t) % 3;
        if (t < 2) {
          c.put(id, statuses[s], answer(id, s));
        } else {
          std::string out;
          if (c.appendTo(out, id, statuses[s])) {
            ++hits;
            if (out != answer(id, s)) ++wrong;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(hits.load(), 0);
  EXPECT_LE(c.size(), 40u);
}

}  // namespace
}  // namespace warung::api::osimesa
