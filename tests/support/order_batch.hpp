#pragma once
// Places orders as one batch of an order writer (SQLite or PostgreSQL): the writer's
// thread is held inside the answer of a first order until the others are queued, so
// the writer takes them all in its next batch. For the tests of what one order's
// failure does to the others of its batch.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "support/store_orders.hpp"

namespace warung::testing {

// Each order's answer by ref_id (the holder must be placed). Throws when the writer
// does not answer within kDeadline.
inline std::map<std::string, Result<store::Placed>> placeAsOneBatch(
    store::OrderWriter& w, domain::Order holder, const std::vector<domain::Order>& orders) {
  using store_orders::kDeadline;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<Result<store::Placed>> held;
  auto holding = held.get_future();
  w.submit(std::move(holder), [&held, released](Result<store::Placed> r) {
    held.set_value(std::move(r));
    released.wait();
  });
  if (holding.wait_for(kDeadline) != std::future_status::ready || !holding.get().ok()) {
    release.set_value();
    throw std::runtime_error("the holding order was not placed");
  }

  std::mutex m;
  std::map<std::string, std::optional<Result<store::Placed>>> answers;
  std::promise<void> all;
  std::size_t left = orders.size();
  for (const domain::Order& o : orders) {
    w.submit(o, [&, ref = o.ref_id](Result<store::Placed> r) {
      std::lock_guard lock(m);
      answers[ref] = std::move(r);
      if (--left == 0) all.set_value();
    });
  }
  release.set_value();
  if (!orders.empty() && all.get_future().wait_for(kDeadline) != std::future_status::ready) {
    throw std::runtime_error("the writer did not answer every order of the batch");
  }
  std::lock_guard lock(m);
  std::map<std::string, Result<store::Placed>> out;
  for (auto& [ref, r] : answers) out.emplace(ref, std::move(*r));
  return out;
}

// The batch of both backends' "one failed order does not affect the others" tests,
// with its answers checked: after a holder (100, from `rich`), A (1000, ok), B (poor:
// insufficient), C (A's service and target: duplicate pending), D (suspended), E (ok),
// F (idempotency key "k", ok) and G (F again under another ref_id: F's answer,
// replayed). The caller checks the books: rich paid 100 + 3000, the others nothing.
inline void placeMixedBatch(store::OrderWriter& w, std::int64_t rich, std::int64_t poor,
                            std::int64_t suspended) {
  using store_orders::makeOrder;
  auto keyed = makeOrder(rich, "F", 4, "y", 1000);
  keyed.idempotency_key = "k";
  auto keyed_again = keyed;
  keyed_again.ref_id = "G";  // same batch, same key: a replay of F
  auto answers = placeAsOneBatch(
      w, makeOrder(rich, "HOLD", 1, "hold", 100),
      {makeOrder(rich, "A", 2, "x", 1000), makeOrder(poor, "B", 2, "x", 1000),  // insufficient
       makeOrder(rich, "C", 2, "x", 1000),                                      // duplicate pending of A
       makeOrder(suspended, "D", 2, "x", 1000),                                 // suspended
       makeOrder(rich, "E", 3, "x", 1000), keyed, keyed_again});
  EXPECT_TRUE(answers.at("A").ok());
  EXPECT_EQ(answers.at("B").error().code, Errc::kInsufficientBalance);
  EXPECT_EQ(answers.at("C").error().code, Errc::kConflict);
  EXPECT_EQ(answers.at("D").error().code, Errc::kForbidden);
  EXPECT_TRUE(answers.at("E").ok());
  ASSERT_TRUE(answers.at("F").ok());
  ASSERT_TRUE(answers.at("G").ok());
  EXPECT_TRUE(answers.at("G").value().replayed);
  EXPECT_EQ(answers.at("G").value().order.ref_id, "F");
}

}  // namespace warung::testing
