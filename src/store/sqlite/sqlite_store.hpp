#pragma once
// The Store on one SQLite file (WAL mode, synchronous=FULL, foreign keys on).
//
// Construction opens or creates the file and applies pending migrations; it throws
// std::runtime_error naming the path when the file cannot be opened, a migration fails,
// or the file was written by a newer warung (an unknown schema version). After that,
// every method returns its errors as values: the codes of store.hpp, and kInternal
// ("storage error") for any SQLite failure, whose cause is logged with spdlog.
//
// Threads: every method may be called from any thread. Writes share one connection
// behind a mutex (each in its own BEGIN IMMEDIATE transaction); reads take one of
// `read_connections` pooled connections, waiting when all are busy. New orders do not
// go through here but through SqliteOrderWriter (order_writer.hpp), which has its own
// connection. Another process (the `warung` CLI) may write the same file at the same
// time; busy_timeout_ms is how long a statement waits for its lock before failing.
//
// Versions: triggers in the schema bump 'catalog' on any change to services and
// 'accounts' on any change to accounts except their balance, and to price overrides.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace warung::store::sqlite {

namespace detail {
class Connection;
}

struct SqliteConfig {
  int busy_timeout_ms = 5000;  // how long to wait for another connection's lock
  int read_connections = 4;    // pooled read connections, at least 1
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteConfig cfg = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& path() const { return path_; }

  Result<Versions> versions() override;

  Result<domain::Account> createAccount(const NewAccount& a) override;
  Result<std::vector<domain::Account>> listAccounts() override;
  Result<domain::Account> findAccountByUserId(std::string_view user_id) override;
  Result<domain::Account> findAccountByKeyHash(std::string_view key_hash) override;
  Status setAccountStatus(std::int64_t account_id, domain::AccountStatus s) override;
  Status setAccountLevel(std::int64_t account_id, domain::Level l) override;
  Status setAccountKeyHash(std::int64_t account_id, std::string_view key_hash) override;
  // kNotFound when the account or the service does not exist (when setting).
  Status setPriceOverride(std::int64_t account_id, std::int64_t service_id,
                          std::optional<Money> price) override;
  // kInvalidArgument for a zero amount; kNotFound for an unknown account.
  Result<domain::LedgerEntry> adjustBalance(std::int64_t account_id, Money amount, std::string_view note,
                                            std::int64_t now) override;
  Result<std::vector<domain::LedgerEntry>> ledger(std::int64_t account_id, int limit) override;
  Result<Money> ledgerSum(std::int64_t account_id) override;

  Result<std::vector<domain::Service>> loadServices() override;
  Status upsertServices(const std::vector<domain::Service>& services) override;

  Result<domain::Order> findOrder(std::int64_t account_id, domain::Kind kind,
                                  std::string_view ref_id) override;
  Result<domain::Order> findOrderByRef(std::string_view ref_id) override;
  Result<domain::Order> findOrderByIdempotencyKey(std::int64_t account_id, std::string_view key) override;
  Result<std::vector<domain::Order>> latestOrders(std::int64_t account_id, domain::Kind kind,
                                                  int limit) override;
  // Newest first; f.limit is clamped to 1..10000.
  Result<std::vector<domain::Order>> listOrders(const OrderFilter& f) override;
  // kNotFound when the order does not exist; kConflict when it is no longer in t.from.
  Result<domain::Order> applyTransition(const domain::Transition& t) override;

 private:
  class ReadLease;  // a pooled read connection, returned to the pool on destruction

  ReadLease acquireReader();
  void releaseReader(std::unique_ptr<detail::Connection> c);

  std::string path_;
  SqliteConfig cfg_;

  std::mutex write_mutex_;
  std::unique_ptr<detail::Connection> writer_;  // guarded by write_mutex_

  std::mutex read_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<detail::Connection>> readers_;  // free ones; guarded by read_mutex_
};

}  // namespace warung::store::sqlite
