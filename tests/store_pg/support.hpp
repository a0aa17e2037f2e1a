#pragma once
// Shared helpers for the PostgreSQL store tests: a real server, a fresh database per
// test, order builders, and waiting for writer callbacks with a deadline.
//
// The server, in order of preference:
//  1. $WARUNG_TEST_PG_URL (any database on it; each test creates its own beside it);
//  2. the one ctest's pg_server_start fixture started: its URL is in
//     WARUNG_PG_TEST_DIR/url (tests/CMakeLists.txt);
//  3. one this process starts with scripts/pg-test-server.sh in a temporary
//     directory and stops at exit (running the binary by hand).
// Without PostgreSQL server binaries every test is skipped, loudly.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/order_writer.hpp"
#include "store/postgres/pg.hpp"
#include "store/postgres/postgres_store.hpp"
#include "support/store_orders.hpp"

namespace warung::store::postgres::testing {

// The server's URL; "" when there is none (no binaries).
const std::string& serverUrl();
// True when the server came from $WARUNG_TEST_PG_URL (not a throwaway one).
bool serverIsExternal();

// `url` with its database name replaced by `db`.
std::string withDatabase(const std::string& url, const std::string& db);

// A database of its own (t_<random>), created on construction, so tests can run in
// parallel on one server. Dropped (WITH FORCE) on destruction on an external server;
// a throwaway server's are removed with the server (DROP DATABASE costs a checkpoint).
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }
  PostgresConfig config(int pool_size = 4) const {
    PostgresConfig c;
    c.url = url_;
    c.pool_size = pool_size;
    return c;
  }
  // Runs SQL (one or more statements; the last one's rows) on a connection of the
  // test's own, for setting up and inspecting.
  pg::Rows exec(const std::string& sql);
  std::int64_t count(const std::string& table);
  // Terminates every other connection to this database (a server restart, as the
  // store and the writer see it).
  int dropOtherConnections();

 private:
  std::string name_;
  std::string url_;
  std::unique_ptr<pg::Connection> conn_;
};

// The builders and waiters shared with the other backend's tests.
using ::warung::testing::store_orders::Collector;
using ::warung::testing::store_orders::kDeadline;
using ::warung::testing::store_orders::makeOrder;
using ::warung::testing::store_orders::newAccount;
using ::warung::testing::store_orders::place;

}  // namespace warung::store::postgres::testing
