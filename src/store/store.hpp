#pragma once
// The storage interface. All SQL lives behind it (store/sqlite, later store/postgres).
//
// Errors come back as values: kNotFound for a missing row, kConflict for a failed
// compare-and-set or a uniqueness clash, kInsufficientBalance for a guarded debit
// that would go negative, kInternal for anything the database itself failed at (the
// cause is logged, never shown to clients).
//
// Threads: every method may be called from any thread concurrently; implementations
// serialise writes internally and give readers their own connections.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/order_state.hpp"
#include "domain/types.hpp"

namespace warung::store {

// Bumped by the database whenever the catalog or any account's non-balance data
// (level, status, key, price overrides) changes, whichever process changed it.
// Caches compare these to know when to reload.
struct Versions {
  std::int64_t catalog = 0;
  std::int64_t accounts = 0;
  bool operator==(const Versions&) const = default;
};

struct NewAccount {
  std::string user_id;
  std::string name;
  domain::Level level = domain::Level::kStandar;
  std::string key_hash;
  std::int64_t created_at = 0;
};

struct OrderFilter {
  std::optional<std::int64_t> account_id;
  std::optional<domain::Kind> kind;
  std::optional<domain::OrderStatus> status;
  std::optional<std::string> service_code;
  std::optional<std::string> target;
  std::optional<std::int64_t> created_from;  // inclusive, Unix seconds
  std::optional<std::int64_t> created_to;    // exclusive
  int limit = 100;
  int offset = 0;  // rows skipped before the first returned (paging)
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<Versions> versions() = 0;

  // --- accounts
  virtual Result<domain::Account> createAccount(const NewAccount& a) = 0;  // kConflict: user_id taken
  virtual Result<std::vector<domain::Account>> listAccounts() = 0;
  // With price overrides filled in.
  virtual Result<domain::Account> findAccountByUserId(std::string_view user_id) = 0;
  virtual Result<domain::Account> findAccountByKeyHash(std::string_view key_hash) = 0;
  virtual Status setAccountStatus(std::int64_t account_id, domain::AccountStatus s) = 0;
  virtual Status setAccountLevel(std::int64_t account_id, domain::Level l) = 0;
  virtual Status setAccountKeyHash(std::int64_t account_id, std::string_view key_hash) = 0;
  // `price` nullopt removes the override.
  virtual Status setPriceOverride(std::int64_t account_id, std::int64_t service_id,
                                  std::optional<Money> price) = 0;
  // Credit (amount > 0) or debit (amount < 0) with a ledger row in one transaction.
  // A debit that would make the balance negative is kInsufficientBalance.
  virtual Result<domain::LedgerEntry> adjustBalance(std::int64_t account_id, Money amount,
                                                    std::string_view note, std::int64_t now) = 0;
  // Newest first.
  virtual Result<std::vector<domain::LedgerEntry>> ledger(std::int64_t account_id, int limit) = 0;
  // Sum of all ledger amounts of the account (for audits and tests).
  virtual Result<Money> ledgerSum(std::int64_t account_id) = 0;

  // --- catalog
  // Every service, enabled or not, ordered by kind, category, name.
  virtual Result<std::vector<domain::Service>> loadServices() = 0;
  // Inserts or replaces by (kind, code); keeps ids of existing services.
  virtual Status upsertServices(const std::vector<domain::Service>& services) = 0;

  // --- orders
  virtual Result<domain::Order> findOrder(std::int64_t account_id, domain::Kind kind,
                                          std::string_view ref_id) = 0;
  virtual Result<domain::Order> findOrderByRef(std::string_view ref_id) = 0;
  // The account's order placed with this idempotency key (kNotFound when none).
  virtual Result<domain::Order> findOrderByIdempotencyKey(std::int64_t account_id, std::string_view key) = 0;
  // Newest first.
  virtual Result<std::vector<domain::Order>> latestOrders(std::int64_t account_id, domain::Kind kind,
                                                          int limit) = 0;
  // The same orders handed to `each` one at a time, newest first, for an answer
  // written straight from the rows. `each` may be given one Order refilled row after
  // row (so reading 15 rows allocates like reading one): it copies what it keeps and
  // calls nothing on this store. This default visits latestOrders' vector; SQLite
  // reads each row into the one Order.
  virtual Status visitLatestOrders(std::int64_t account_id, domain::Kind kind, int limit,
                                   const std::function<void(const domain::Order&)>& each) {
    auto orders = latestOrders(account_id, kind, limit);
    if (!orders) return orders.error();
    for (const domain::Order& o : *orders) each(o);
    return okStatus();
  }
  // For answers kept per order (the status list, api/osimesa/order_cache.hpp): the
  // same orders, newest first, each offered first to `held` as (id, status); only
  // those `held` answers false for are read in full and handed to `each`. An order's
  // status is its version: applyTransition is the one change to an order's row, it
  // moves the status on, and no order enters a status twice (domain::canTransition),
  // so whatever was made from a row stays true while the order has that status. This
  // default reads every row; SQLite finds (id, status) in an index and reads only
  // the rows `held` lacks.
  using HeldOrder = std::function<bool(std::int64_t id, domain::OrderStatus status)>;
  virtual Status visitLatestOrdersUnheld(std::int64_t account_id, domain::Kind kind, int limit,
                                         const HeldOrder& held,
                                         const std::function<void(const domain::Order&)>& each) {
    return visitLatestOrders(account_id, kind, limit, [&](const domain::Order& o) {
      if (!held(o.id, o.status)) each(o);
    });
  }
  // For answers kept per list (the status list, api/osimesa/list_cache.hpp): an
  // account's order-list version changes in the same transaction as anything that
  // changes what a list of its orders shows (an order placed, changed or deleted), so
  // a list made while it was v is still the list while it is v. This reads it first,
  // in the snapshot the list is read from: when it equals `known`, nothing is visited
  // and the answer says `unchanged`; otherwise it visits as visitLatestOrdersUnheld
  // and answers the version the list was read at. `version` is nullopt where the store
  // keeps none (this default, PostgreSQL): then no list may be kept.
  struct LatestVisit {
    bool unchanged = false;
    std::optional<std::int64_t> version;
  };
  virtual Result<LatestVisit> visitLatestOrdersSince(std::int64_t account_id, domain::Kind kind, int limit,
                                                     std::optional<std::int64_t> known, const HeldOrder& held,
                                                     const std::function<void(const domain::Order&)>& each) {
    (void)known;
    Status s = visitLatestOrdersUnheld(account_id, kind, limit, held, each);
    if (!s) return s.error();
    return LatestVisit{};
  }
  // findOrder for the same kept answers: the order's (id, status) is offered to
  // `held`, and the order is handed to `each` only when `held` answers false.
  // kNotFound as findOrder. This default reads the order first; SQLite decodes the row
  // only for `each`.
  virtual Status visitOrderUnheld(std::int64_t account_id, domain::Kind kind, std::string_view ref_id,
                                  const HeldOrder& held,
                                  const std::function<void(const domain::Order&)>& each) {
    auto o = findOrder(account_id, kind, ref_id);
    if (!o) return o.error();
    if (!held(o->id, o->status)) each(*o);
    return okStatus();
  }
  virtual Result<std::vector<domain::Order>> listOrders(const OrderFilter& f) = 0;
  // Compare-and-set on t.from; applies the refund and its ledger row in the same
  // transaction. kConflict when the order is no longer in t.from.
  virtual Result<domain::Order> applyTransition(const domain::Transition& t) = 0;
};

// The outcome of placing an order.
struct Placed {
  domain::Order order;
  bool replayed = false;  // true: an idempotent retry answered with the first order
};

// The write path for new orders. Implementations may batch many orders into one
// durable commit; the callback runs only after the order is on disk (or failed),
// exactly once, on an implementation thread: callers must not block in it.
//
// For each order, atomically: the idempotency check (same account and key: return
// the first order when the fingerprint matches, else kConflict), the guarded debit
// (kInsufficientBalance; kForbidden if the account is suspended), the insert
// (kConflict if the account has a pending order for the same service and target),
// and the ledger row. Nothing is charged when anything fails.
// When the queue is full the callback gets kOverloaded at once.
class OrderWriter {
 public:
  using Callback = std::function<void(Result<Placed>)>;
  virtual ~OrderWriter() = default;
  virtual void submit(domain::Order order, Callback done) = 0;
  // Finishes queued work and stops accepting; safe to call twice.
  virtual void shutdown() = 0;
};

}  // namespace warung::store
