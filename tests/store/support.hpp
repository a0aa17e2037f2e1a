#pragma once
// Shared helpers for the store tests: a real database file in a fresh temporary
// directory, order builders, and waiting for writer callbacks with a deadline.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
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
#include "store/sqlite/wal_write_buffer.hpp"
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

// Bytes in the WAL file beside `db_path` (0 when there is none).
inline std::uintmax_t walBytes(const std::string& db_path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(db_path + "-wal", ec);
  return ec ? 0 : n;
}
inline std::uintmax_t walFrames(const std::string& db_path) { return walBytes(db_path) / (4096 + 24); }

// `transactions` upserts of 400 services of 2 KB each (about 200 WAL frames per
// transaction), named after `*batch`, which each transaction advances.
inline bool writeBigServices(Store& store, int transactions, int* batch) {
  for (int t = 0; t < transactions; ++t, ++*batch) {
    std::vector<domain::Service> services(400);
    for (std::size_t i = 0; i < services.size(); ++i) {
      services[i].kind = domain::Kind::kGame;
      services[i].code = "S" + std::to_string(*batch) + "-" + std::to_string(i);
      services[i].name = std::string(2000, 'n');
      services[i].prices = {Money{10}, Money{9}, Money{8}};
    }
    if (!store.upsertServices(services).ok()) return false;
  }
  return true;
}

// A connection's page cache size, in KiB.
inline std::int64_t cacheKib(SQLite::Database& db) {
  SQLite::Statement q(db, "PRAGMA cache_size");
  return q.executeStep() ? -q.getColumn(0).getInt64() : 0;  // negative: KiB
}
// The size, in KiB, of the page cache this process's write connections to `db_path`
// share (connection.hpp): read through a connection that joins that cache without
// setting the size itself.
inline std::int64_t sharedWriteCacheKib(const std::string& db_path) {
  SQLite::Database joined(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_SHAREDCACHE, 0, walWriteBufferVfs());
  return cacheKib(joined);
}

// Polls `done` every millisecond until it holds (true) or kDeadline passes (false).
template <typename F>
bool pollUntil(F done) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Polls until `turn` has `n` callers waiting, or kDeadline passes (false).
inline bool waitForWaiting(const WriteTurn& turn, std::size_t n) {
  return pollUntil([&] { return turn.waiting() == n; });
}

}  // namespace warung::store::sqlite::testing
