#pragma once
// The Store on one SQLite file (WAL mode, synchronous=FULL, foreign keys on).
//
// Construction opens or creates the file and applies pending migrations; it throws
// std::runtime_error naming the path when the file cannot be opened, a migration fails,
// or the file was written by a newer warung (an unknown schema version). After that,
// every method returns its errors as values: the codes of store.hpp, and kInternal
// ("storage error") for any SQLite failure, whose cause is logged with spdlog.
//
// Threads: every method may be called from any thread. Writes share one connection,
// each in its own BEGIN IMMEDIATE transaction, taken during the process's write turn
// for the file (write_turn.hpp); reads take one of `read_connections` pooled
// connections, waiting when all are busy. New orders do not go through here but
// through SqliteOrderWriter (order_writer.hpp), whose connection shares its page cache
// with this store's write connection (connection.hpp) and takes the same turn. Another
// process (the `warung` CLI) may write the same file at the same time. busy_timeout_ms
// is how long a write waits for its turn, and then a statement for SQLite's lock,
// before failing.
//
// Versions: triggers in the schema bump 'catalog' on any change to services and
// 'accounts' on any change to accounts except their balance (callback URL and webhook
// secret included), and to price overrides.
//
// SqliteStore is also the AdminStore (admin_store.hpp, defined in admin_store.cpp):
// createSession also deletes every session already expired at its created_at.
//
// SqliteStore is also the DispatchStore (dispatch_store.hpp), on the same connections;
// its methods are defined in dispatch_store.cpp. What the SQLite implementation adds
// to that contract:
//  - applyTransition, in the transaction that changes the order, also appends an
//    order event (kind "status", "waiting -> success by <actor>; refund Rp N; ..."),
//    queues a webhook delivery (pending, next_at = created_at = t.at) when
//    t.notify_payload is non-empty and the account has a callback URL, and moves the
//    order's dispatch row, if any, to kDone when t.to is final. A failed
//    compare-and-set writes none of them.
//  - claimToSend takes due kQueued rows first (they are older orders, already tried),
//    then fills the rest of `limit` with waiting orders that have no dispatch row,
//    filing route-less ones as kManual on the way (all in one transaction). Items come
//    back ordered by order id.
//  - claimDue: phase kQueued (claimToSend's job) and kDone are kInvalidArgument. A
//    kSending row is only reclaimed when its updated_at is at least lease_s old, as
//    well as due: a worker's send may still be in flight until then. Items come back
//    ordered by order id.
//  - saveDispatch: kNotFound when the order has no dispatch row; kConflict when it is
//    no longer in `expected`. Only the phase is compared: two holders of one row in
//    the same phase (a lease that ran out mid-work) can both save.
//  - appendEvent: kNotFound for an unknown order.
//  - setCallback: kNotFound for an unknown account; an empty url clears the secret too.
//  - claimDeliveries returns an account's current url even when it has become empty
//    since the delivery was queued (the caller marks it failed), ordered by id.
//  - markDelivered/markRetry/markFailed act on pending deliveries only: kNotFound when
//    no such id, kConflict when it is no longer pending (finished by another holder).
//  - listDeliveries fills `url` (the account's current one) but never `secret`;
//    f.limit is clamped to 1..1000000.
//  - createProvider: kConflict for a taken name, kInvalidArgument for an empty one.
//    updateProvider: kNotFound for an unknown id, kConflict for a taken name.
//  - setRoutes: kNotFound for an unknown service or provider; kInvalidArgument for a
//    negative cost, a provider listed twice, or a route naming another service (a
//    route's service_id 0 means "this service"). routes() of an unknown service is
//    an empty list.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/admin_store.hpp"
#include "store/copy.hpp"
#include "store/dispatch_store.hpp"
#include "store/sqlite/write_turn.hpp"
#include "store/store.hpp"

namespace warung::store::sqlite {

namespace detail {
class Connection;
}

struct SqliteConfig {
  int busy_timeout_ms = 5000;  // how long to wait for the write turn, and for another connection's lock
  int read_connections = 4;    // pooled read connections, at least 1
  int cache_mb = 16;           // page cache of each read connection and of the shared write one, at least 1
  // A write's COMMIT leaves its WAL sync owed and the write makes it after giving the
  // write turn back, before it returns (database.overlap_sync, as the order writer's):
  // the order writer's next batch does not wait for this write's fsync.
  bool overlap_sync = true;
  // How a write syncs the WAL it left owed: 0 or an errno. fdatasync when empty; tests
  // replace it to hold or fail a sync.
  std::function<int(int fd)> sync_file;
};

class SqliteStore final : public Store, public DispatchStore, public AdminStore {
 public:
  SqliteStore(std::string path, SqliteConfig cfg = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& path() const { return path_; }

  // The turn to write to this file in this process (processWriteTurn, write_turn.hpp),
  // taken by every write of this store and of the SqliteOrderWriter beside it.
  std::shared_ptr<WriteTurn> writeTurn() const { return write_turn_; }
  // Stops this store's connection from copying the WAL into the database after its
  // own commits (SQLite's autocheckpoint, past 1,000 frames), for a process whose
  // order writer checkpoints on a thread of its own (WriterConfig::checkpoint_pages >
  // 0). Left on, every dispatcher commit during a burst copied and synced the WAL
  // written since its last one (3-34 ms, on the dispatcher's thread).
  void leaveCheckpointsToOrderWriter();

  // The highest migration applied (after construction: the latest this build knows).
  Result<int> schemaVersion();
  // `warung copy` from this database (copy.cpp): hands every table of kCopyTables, in
  // that order, to `sink`, reading them all inside one read transaction (one snapshot:
  // writes committed after it began are not included). Stops at the sink's first
  // error and returns it; kInternal for an SQLite failure.
  Status dumpTables(RowSink& sink);

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
  Status visitLatestOrders(std::int64_t account_id, domain::Kind kind, int limit,
                           const std::function<void(const domain::Order&)>& each) override;
  Status visitOrderUnheld(std::int64_t account_id, domain::Kind kind, std::string_view ref_id,
                          const HeldOrder& held,
                          const std::function<void(const domain::Order&)>& each) override;
  Status visitLatestOrdersUnheld(std::int64_t account_id, domain::Kind kind, int limit, const HeldOrder& held,
                                 const std::function<void(const domain::Order&)>& each) override;
  // The version is accounts.order_version (migration 8), moved by the statements that
  // place and change orders (sql.hpp, kDebitForOrder).
  Result<LatestVisit> visitLatestOrdersSince(std::int64_t account_id, domain::Kind kind, int limit,
                                             std::optional<std::int64_t> known, const HeldOrder& held,
                                             const std::function<void(const domain::Order&)>& each) override;
  // Newest first; f.limit is clamped to 1..10000.
  Result<std::vector<domain::Order>> listOrders(const OrderFilter& f) override;
  // kNotFound when the order does not exist; kConflict when it is no longer in t.from.
  Result<domain::Order> applyTransition(const domain::Transition& t) override;

  // --- DispatchStore (dispatch_store.cpp)
  Result<domain::Provider> createProvider(const domain::Provider& p) override;
  Result<std::vector<domain::Provider>> listProviders() override;
  Result<domain::Provider> findProvider(std::string_view name) override;
  Result<domain::Provider> findProviderById(std::int64_t id) override;
  Status updateProvider(const domain::Provider& p) override;

  Status setRoutes(std::int64_t service_id, const std::vector<domain::Route>& routes) override;
  Result<std::vector<domain::Route>> routes(std::int64_t service_id) override;

  Result<SendClaim> claimToSend(std::int64_t now, int limit) override;
  Result<std::vector<DispatchItem>> claimDue(domain::DispatchPhase phase, std::int64_t now,
                                             std::int64_t lease_s, int limit) override;
  Status saveDispatch(const domain::Dispatch& d, domain::DispatchPhase expected) override;
  Result<domain::Dispatch> findDispatch(std::int64_t order_id) override;
  Result<DispatchItem> findByProviderOrder(std::int64_t provider_id,
                                           std::string_view provider_order_id) override;

  Status appendEvent(const domain::OrderEvent& e) override;
  Result<std::vector<domain::OrderEvent>> events(std::int64_t order_id) override;

  Status setCallback(std::int64_t account_id, std::string_view url, std::string_view secret) override;
  Result<std::vector<domain::WebhookDelivery>> claimDeliveries(std::int64_t now, std::int64_t lease_s,
                                                               int limit) override;
  Status markDelivered(std::int64_t id, std::int64_t now) override;
  Status markRetry(std::int64_t id, int attempts, std::int64_t next_at, std::string_view error) override;
  Status markFailed(std::int64_t id, int attempts, std::string_view error) override;
  Result<std::vector<domain::WebhookDelivery>> listDeliveries(const DeliveryFilter& f) override;
  Status replayDelivery(std::int64_t id, std::int64_t now) override;

  // --- AdminStore (admin_store.cpp)
  Result<Admin> createAdmin(std::string_view username, std::string_view password_hash,
                            std::int64_t now) override;
  Result<std::vector<Admin>> listAdmins() override;
  Result<Admin> findAdmin(std::string_view username) override;
  Status createSession(const AdminSession& s) override;
  Result<AdminSession> touchSession(std::string_view token_hash, std::int64_t now, std::int64_t ttl_s,
                                    std::int64_t absolute_limit_s) override;
  Status deleteSession(std::string_view token_hash) override;
  Status createToken(const AdminToken& t) override;
  Result<AdminToken> findToken(std::string_view token_hash) override;
  Status revokeToken(std::string_view name) override;
  Result<std::vector<AdminToken>> listTokens() override;
  Status appendAudit(const AuditEntry& e) override;
  Result<std::vector<AuditEntry>> listAudit(const AuditFilter& f) override;
  Result<OrderTotals> orderTotals(std::int64_t from, std::int64_t to) override;
  Result<std::vector<StatusCount>> ordersByStatus() override;
  Result<std::vector<TopService>> topServices(std::int64_t from, std::int64_t to, int limit) override;
  Result<std::vector<domain::Order>> stuckOrders(std::int64_t updated_before, int limit) override;

 private:
  class ReadLease;         // a pooled read connection, returned to the pool on destruction
  class WriteTransaction;  // the write turn, then BEGIN IMMEDIATE on writer_

  ReadLease acquireReader();
  void releaseReader(std::unique_ptr<detail::Connection> c);

  std::string path_;
  SqliteConfig cfg_;

  std::shared_ptr<WriteTurn> write_turn_;  // processWriteTurn(path_)
  // How long a write waits for its turn (busy_timeout_ms, as for another process's lock).
  std::chrono::milliseconds turn_wait_;
  std::unique_ptr<detail::Connection> writer_;  // used during write_turn_
  // claimToSend looks for new orders only after this id: every order up to it was already
  // given a dispatch row or was no longer waiting. Orders get their ids in commit order
  // (one writer at a time) and never become waiting again, so nothing can appear below
  // it; without it each claim re-walked every waiting order (manual ones, ones still at
  // a provider), a cost growing with them. 0 at start: the first claim walks them all once.
  std::int64_t new_orders_from_ = 0;  // used during write_turn_

  std::mutex read_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<detail::Connection>> readers_;  // free ones; guarded by read_mutex_
};

}  // namespace warung::store::sqlite
