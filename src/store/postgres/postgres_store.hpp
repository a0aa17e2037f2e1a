#pragma once
// The Store and DispatchStore on PostgreSQL (libpq), for running many stateless nodes
// on one shared database. Same contracts as store/sqlite (sqlite_store.hpp lists what
// the implementation adds to store.hpp and dispatch_store.hpp: applyTransition's event,
// webhook and end of dispatch; claim ordering; the kNotFound/kConflict/kInvalidArgument
// cases); this header repeats only what differs or matters across nodes.
//
// Start-up: the constructor connects and applies pending migrations (migrations.hpp)
// under an advisory lock, so nodes starting together do not race. It throws
// std::runtime_error naming the URL (password redacted) when it cannot connect, a
// migration fails, or the database was written by a newer warung. After that every
// method returns its errors as values: the codes of store.hpp, and kInternal
// ("storage error") for any PostgreSQL failure, whose cause is logged with spdlog
// (never the URL's password, never row values).
//
// Transactions: every write runs in one READ COMMITTED transaction on a pooled
// connection; balances only move by guarded updates (balance = balance + x WHERE
// balance + x >= 0), never read-modify-write. A serialization failure (40001), a
// deadlock (40P01) or a connection lost before COMMIT rolls the transaction back, and
// the whole transaction is run again on a healthy connection, up to busy_retries
// times with a short growing pause. A connection lost while COMMIT was in flight leaves
// the outcome unknown: that is never retried (it could apply twice) and answers
// kInternal, logged as "outcome unknown". Multi-statement reads run in one read-only
// REPEATABLE READ snapshot.
//
// Threads: every method may be called from any thread; each takes one of pool_size
// pooled connections for its duration, waiting when all are in use. New orders go
// through PostgresOrderWriter (order_writer.hpp), which has its own connection.
//
// Across nodes:
//  - Claims (claimToSend, claimDue, claimDeliveries) lock their candidate rows with
//    FOR UPDATE SKIP LOCKED and move them in the same statement, so each row is
//    handed to one caller whichever node asks; the dispatch primary key settles the
//    last race of claimToSend (ON CONFLICT DO NOTHING). saveDispatch and the mark*
//    methods stay compare-and-set on the phase or status.
//  - Versions: triggers bump change_versions exactly as in SQLite, in the writing
//    transaction, so a node polling versions() (store::Directory, every
//    cache.refresh_ms) sees another node's catalog or account change at most one
//    refresh interval after it commits. Nothing is pushed (no LISTEN/NOTIFY).
//  - applyTransition with a refund locks the account row before the order row, the
//    order writer's lock order, so the two never deadlock on each other.
//  - Text PostgreSQL cannot store (invalid UTF-8, NUL bytes) is kInvalidArgument
//    "text is not valid UTF-8"; SQLite stored it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/admin_store.hpp"
#include "store/copy.hpp"
#include "store/dispatch_store.hpp"
#include "store/store.hpp"

namespace warung::store::postgres {

class Pool;

// `url` with any password replaced by "***", for logs and messages.
std::string redactedUrl(std::string_view url);

struct PostgresConfig {
  std::string url;       // "postgresql://user:password@host:port/dbname?..." (libpq syntax)
  int pool_size = 8;     // pooled connections of the store (the order writer has its own)
  int busy_retries = 5;  // extra attempts of a transaction after 40001, 40P01 or a lost connection
};

class PostgresStore final : public Store, public DispatchStore, public AdminStore {
 public:
  explicit PostgresStore(PostgresConfig cfg);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // The URL with its password replaced by "***", for logs.
  const std::string& displayUrl() const { return display_url_; }

  Result<Versions> versions() override;

  // The highest migration applied (after construction: latestSchemaVersion()).
  Result<int> schemaVersion();

  // `warung copy` into this database (copy.cpp): calls dump(sink) once, and writes what
  // it hands the sink with COPY, in one transaction. Refuses (kConflict, "... already
  // has ...", nothing written) unless every copied table is empty. Then moves the id
  // sequences past the copied ids and verifies, before committing: each table holds as
  // many rows as were handed over, and every account's balance equals its ledger's sum.
  // A failed dump, COPY or check rolls everything back (kInternal with the reason).
  // Not retried: run it again.
  Result<CopyReport> loadTables(const std::function<Status(RowSink&)>& dump);

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
  // Newest first; f.limit is clamped to 1..1000000.
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

  // --- AdminStore (admin_store.cpp); createSession also deletes expired sessions
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
  PostgresConfig cfg_;
  std::string display_url_;
  std::unique_ptr<Pool> pool_;

  // claimToSend's walk over new orders. Waiting orders that already have a dispatch row
  // (manual ones, ones still at a provider) would otherwise be walked again on every
  // claim. Unlike SQLite's, ids here can commit out of order (several writers), so the
  // walk starts kClaimMargin ids before where the last one ended, and from the first
  // order at least every kFullWalkEvery: an order committed that late is still claimed.
  static constexpr std::int64_t kClaimMargin = 10'000;
  static constexpr std::chrono::seconds kFullWalkEvery{30};
  std::mutex claim_mu_;
  std::int64_t walked_to_ = 0;                              // guarded by claim_mu_
  std::chrono::steady_clock::time_point last_full_walk_{};  // guarded by claim_mu_
};

}  // namespace warung::store::postgres
