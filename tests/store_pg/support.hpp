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

inline constexpr auto kDeadline = std::chrono::seconds(30);

inline NewAccount newAccount(const std::string& user_id) {
  NewAccount a;
  a.user_id = user_id;
  a.name = "Name of " + user_id;
  a.level = domain::Level::kStandar;
  a.key_hash = "hash-" + user_id;
  a.created_at = 1700000000;
  return a;
}

inline domain::Order makeOrder(std::int64_t account_id, const std::string& ref_id, std::int64_t service_id,
                               const std::string& target, std::int64_t charge,
                               domain::Kind kind = domain::Kind::kSocialMedia) {
  domain::Order o;
  o.ref_id = ref_id;
  o.account_id = account_id;
  o.kind = kind;
  o.service_id = service_id;
  o.service_code = "S" + std::to_string(service_id);
  o.service_name = "Service " + std::to_string(service_id);
  o.category_key = kind == domain::Kind::kSocialMedia ? "default" : "mobile-legends";
  o.data = {target, "1000", ""};
  o.target = target;
  o.quantity = 1000;
  o.unit_price = Money{charge};
  o.charge = Money{charge};
  o.remain = 1000;
  o.fingerprint = "fp-" + target + "-" + std::to_string(charge);
  o.created_at = 1700000100;
  o.updated_at = 1700000100;
  return o;
}

// Collects writer answers; wait() returns false if the deadline passes first.
class Collector {
 public:
  OrderWriter::Callback callback() {
    return [this](Result<Placed> r) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  bool wait(std::size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kDeadline, [&] { return results_.size() >= n; });
  }
  std::vector<Result<Placed>> take() {
    std::lock_guard lock(mutex_);
    return std::move(results_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Result<Placed>> results_;
};

// Submits one order and waits for its answer.
inline Result<Placed> place(OrderWriter& w, domain::Order o) {
  Collector c;
  w.submit(std::move(o), c.callback());
  if (!c.wait(1)) return makeError(Errc::kTimeout, "no answer before the deadline");
  return std::move(c.take().front());
}

}  // namespace warung::store::postgres::testing
