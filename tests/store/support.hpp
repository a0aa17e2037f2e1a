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
#include <vector>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
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

}  // namespace warung::store::sqlite::testing
