#pragma once
// Shared helpers for the store tests: a real database file in a fresh temporary
// directory, order builders, and waiting for writer callbacks with a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/write_turn.hpp"
#include "support/store_orders.hpp"
#include "support/temp_dir.hpp"

namespace warung::store::sqlite::testing {

using ::warung::testing::TempDir;

// The builders and waiters shared with the other backend's tests.
using ::warung::testing::store_orders::Collector;
using ::warung::testing::store_orders::kDeadline;
using ::warung::testing::store_orders::makeOrder;
using ::warung::testing::store_orders::newAccount;
using ::warung::testing::store_orders::place;

// Polls until `turn` has `n` callers waiting, or kDeadline passes (false).
inline bool waitForWaiting(const WriteTurn& turn, std::size_t n) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (turn.waiting() != n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace warung::store::sqlite::testing
