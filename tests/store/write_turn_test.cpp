#include "store/sqlite/write_turn.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::waitForWaiting;

TEST(WriteTurnTest, CallersGetTheTurnInTheOrderTheyAskedForIt) {
  WriteTurn turn;
  turn.lock();
  EXPECT_EQ(turn.waiting(), 0u);
  constexpr int kCallers = 8;
  std::mutex order_mutex;
  std::vector<int> order;
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      std::lock_guard held(turn);
      std::lock_guard l(order_mutex);
      order.push_back(i);
    });
    // The next caller starts only once this one is queued: the order they asked in.
    ASSERT_TRUE(waitForWaiting(turn, static_cast<std::size_t>(i + 1)));
  }
  turn.unlock();
  for (auto& c : callers) c.join();
  std::vector<int> expected;
  for (int i = 0; i < kCallers; ++i) expected.push_back(i);
  EXPECT_EQ(order, expected);
  EXPECT_EQ(turn.waiting(), 0u);
}

TEST(WriteTurnTest, AFreeTurnIsTakenAtOnceAndAgainAfterItIsGivenBack) {
  WriteTurn turn;
  for (int i = 0; i < 3; ++i) {
    turn.lock();
    EXPECT_EQ(turn.waiting(), 0u);
    turn.unlock();
  }
}

}  // namespace
}  // namespace warung::store::sqlite
