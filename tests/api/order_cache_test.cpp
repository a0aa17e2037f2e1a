// type=status's encoded orders, kept per (id, status) (api/osimesa/order_cache.hpp),
// its whole latest lists, kept per version (api/osimesa/list_cache.hpp), and the
// bounded map both are kept in (api/osimesa/clock_cache.hpp).
#include "api/osimesa/order_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/osimesa/clock_cache.hpp"
#include "api/osimesa/list_cache.hpp"

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

TEST(ClockCache, DropsTheOldestEntryNotReadSinceItCameRound) {
  ClockCache<std::string> c(2, 1);  // one shard of two
  auto put = [&](std::int64_t key, const std::string& v) {
    c.put(key, [&](std::string& s, bool) { s = v; });
  };
  auto get = [&](std::int64_t key) {
    std::string out = "(none)";
    c.read(key, [&](const std::string& s) { return out = s, true; });
    return out;
  };
  put(1, "one");
  put(2, "two");
  EXPECT_EQ(get(1), "one");  // 1, the older, was read
  put(3, "three");
  EXPECT_EQ(get(2), "(none)") << "unread: it goes, though newer";
  EXPECT_EQ(get(1), "one");
  EXPECT_EQ(get(3), "three");
  // Both read now: their marks are cleared in turn and the oldest goes.
  put(4, "four");
  EXPECT_EQ(get(1), "(none)");
  EXPECT_EQ(get(3), "three");
  EXPECT_EQ(get(4), "four");
  EXPECT_EQ(c.size(), 2u);
}

TEST(ClockCache, AMissedReadLeavesTheEntryUnmarked) {
  ClockCache<std::string> c(2, 1);
  c.put(1, [](std::string& s, bool) { s = "one"; });
  c.put(2, [](std::string& s, bool) { s = "two"; });
  EXPECT_FALSE(c.read(1, [](const std::string&) { return false; })) << "the caller declined it";
  c.put(3, [](std::string& s, bool) { s = "three"; });
  EXPECT_FALSE(c.read(1, [](const std::string&) { return true; })) << "1 was not marked read: it went";
  EXPECT_TRUE(c.read(2, [](const std::string&) { return true; }));
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

std::shared_ptr<const std::string> text(const std::string& s) {
  return std::make_shared<const std::string>(s);
}

std::string heldList(ListJsonCache& c, std::int64_t account, domain::Kind kind, int limit) {
  auto h = c.get(account, kind, limit);
  return h ? std::to_string(h->version) + ":" + *h->answer : "(none)";
}

TEST(ListJsonCache, KeepsOneAnswerPerAccountKindAndLimitAtItsVersion) {
  using domain::Kind;
  ListJsonCache c(100);
  EXPECT_EQ(heldList(c, 1, Kind::kGame, 15), "(none)");
  c.put(1, Kind::kGame, 15, 7, text("g15"));
  c.put(1, Kind::kGame, 5, 7, text("g5"));
  c.put(1, Kind::kSocialMedia, 15, 7, text("s15"));
  c.put(2, Kind::kGame, 15, 3, text("b"));
  EXPECT_EQ(heldList(c, 1, Kind::kGame, 15), "7:g15");
  EXPECT_EQ(heldList(c, 1, Kind::kGame, 5), "7:g5");
  EXPECT_EQ(heldList(c, 1, Kind::kSocialMedia, 15), "7:s15");
  EXPECT_EQ(heldList(c, 2, Kind::kGame, 15), "3:b");
  EXPECT_EQ(heldList(c, 2, Kind::kGame, 14), "(none)");
  EXPECT_EQ(c.size(), 4u);

  c.put(1, Kind::kGame, 15, 9, text("g15 at 9"));
  EXPECT_EQ(heldList(c, 1, Kind::kGame, 15), "9:g15 at 9") << "a later version replaces";
  c.put(1, Kind::kGame, 15, 8, text("g15 at 8"));
  EXPECT_EQ(heldList(c, 1, Kind::kGame, 15), "9:g15 at 9") << "an earlier one, finished late, does not";
  EXPECT_EQ(c.size(), 4u);
}

TEST(ListJsonCache, KeepsNothingOutsideItsKeysRange) {
  ListJsonCache c(100);
  for (auto [account, limit] :
       {std::pair<std::int64_t, int>{-1, 15}, {std::int64_t{1} << 56, 15}, {1, 0}, {1, 16}}) {
    c.put(account, domain::Kind::kGame, limit, 1, text("x"));
    EXPECT_EQ(heldList(c, account, domain::Kind::kGame, limit), "(none)") << account << " " << limit;
  }
  EXPECT_EQ(c.size(), 0u);
  ListJsonCache none(0);
  none.put(1, domain::Kind::kGame, 15, 1, text("x"));
  EXPECT_EQ(none.size(), 0u);
}

TEST(ListJsonCache, ListsOfOneLimitSpreadOverTheShards) {
  // The keys of one limit differ only above their low bits: spread by those, these 32
  // lists would share one shard (a sixteenth of the capacity, 4) and push each other out.
  ListJsonCache c(64);
  for (std::int64_t account = 1; account <= 32; ++account) {
    c.put(account, domain::Kind::kSocialMedia, 15, 1, text(std::to_string(account)));
  }
  int held = 0;
  for (std::int64_t account = 1; account <= 32; ++account) {
    held += heldList(c, account, domain::Kind::kSocialMedia, 15) != "(none)";
  }
  EXPECT_GE(held, 28) << "a few shards may run over, not most";
}

}  // namespace
}  // namespace warung::api::osimesa
