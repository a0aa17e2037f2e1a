#include "store/postgres/order_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include "common/thread_name.hpp"
#include "store/postgres/migrations.hpp"
#include "store/postgres/pg.hpp"
#include "store/postgres/sql.hpp"
#include "store/postgres/store_internal.hpp"

namespace warung::store::postgres {
namespace {

using pg::Params;
using pg::Rows;

Error internalError() { return makeError(Errc::kInternal, "storage error"); }

Error idempotencyConflict() {
  return makeError(Errc::kConflict, "idempotency_key was already used with different parameters");
}

}  // namespace

PostgresOrderWriter::PostgresOrderWriter(PostgresConfig pg, WriterConfig cfg)
    : pg_(std::move(pg)), cfg_(cfg), display_url_(pg::redactUrl(pg_.url)) {
  if (cfg_.queue_capacity == 0 || cfg_.max_batch == 0) {
    throw std::runtime_error("order writer: queue_capacity and max_batch must be positive");
  }
  if (pg_.busy_retries < 0) throw std::runtime_error("postgres: busy_retries must not be negative");
  try {
    conn_ = std::make_unique<pg::Connection>(pg_.url);
  } catch (const pg::Error& e) {
    throw std::runtime_error(std::string("database: ") + e.what());
  }
  // Harmless when PostgresStore already did it; makes the writer usable on its own.
  migrate(*conn_, display_url_);
  thread_ = std::thread([this] {
    setThreadName("order-writer");
    run();
  });
}

PostgresOrderWriter::~PostgresOrderWriter() { shutdown(); }

void PostgresOrderWriter::submit(domain::Order order, Callback done) {
  std::optional<Error> refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused = makeError(Errc::kOverloaded, "server is shutting down");
    } else if (queue_.size() >= cfg_.queue_capacity) {
      refused = makeError(Errc::kOverloaded, "server busy, try again");
    } else {
      queue_.push_back(Pending{std::move(order), std::move(done)});
    }
  }
  if (refused) {
    done(std::move(*refused));  // outside the lock: the callback may do anything
    return;
  }
  wake_.notify_one();
}

void PostgresOrderWriter::shutdown() {
  std::lock_guard once(shutdown_mutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // From a callback (the writer thread itself) we cannot join; run() still drains the
  // queue and exits, and the destructor's call joins it.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PostgresOrderWriter::run() {
  std::vector<Pending> batch;
  std::vector<Result<Placed>> results;
  batch.reserve(std::min<std::size_t>(cfg_.max_batch, 4096));
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is written
      const std::size_t n = std::min(cfg_.max_batch, queue_.size());
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    writeBatch(batch, results);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        batch[i].done(std::move(results[i]));
      } catch (const std::exception& e) {
        spdlog::error("order writer: callback for {} threw: {}", batch[i].order.ref_id, e.what());
      } catch (...) {
        spdlog::error("order writer: callback for {} threw", batch[i].order.ref_id);
      }
    }
    batch.clear();
    results.clear();
  }
}

void PostgresOrderWriter::writeBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results) {
  auto failAll = [&] {
    results.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) results.push_back(internalError());
  };
  for (int attempt = 0;; ++attempt) {
    results.clear();
    try {
      if (!conn_ || !conn_->ok()) {
        conn_.reset();
        conn_ = std::make_unique<pg::Connection>(pg_.url);
      }
      attemptBatch(batch, results);
      return;
    } catch (const pg::CommitUnknown& e) {
      spdlog::error(
          "order writer: {}: the connection dropped during COMMIT of {} orders: outcome unknown, all "
          "answered as failed (a retry with the same idempotency key is safe): {}",
          display_url_, batch.size(), e.what());
      failAll();
      return;
    } catch (const pg::Error& e) {
      if (e.retryable() && attempt < pg_.busy_retries) {
        spdlog::warn("order writer: {}: batch of {} rolled back, writing it again (attempt {}): {}",
                     display_url_, batch.size(), attempt + 2, e.what());
        detail::backoff(attempt + 1);
        continue;
      }
      spdlog::error("order writer: {}: batch of {} failed, nothing charged: {}", display_url_, batch.size(),
                    e.what());
      failAll();
      return;
    } catch (const std::exception& e) {
      spdlog::error("order writer: {}: batch of {} failed, nothing charged: {}", display_url_, batch.size(),
                    e.what());
      failAll();
      return;
    }
  }
}

// One attempt at the whole batch. Throws when the batch as a whole failed (its
// transaction is rolled back by pg::Transaction), or CommitUnknown.
void PostgresOrderWriter::attemptBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results) {
  pg::Transaction tx(*conn_);
  // Lock order: accounts by id, before anything else of the batch.
  std::vector<std::int64_t> accounts;
  accounts.reserve(batch.size());
  for (const Pending& p : batch) accounts.push_back(p.order.account_id);
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  conn_->run(sql::kLockAccounts, Params().addArray(accounts));

  for (Pending& p : batch) results.push_back(placeOne(p.order));
  tx.commit();
}

// The order placed earlier with this order's idempotency key: the first order again
// when the fingerprint matches, else kConflict. kNotFound-free: called only after the
// key was seen taken.
Result<Placed> PostgresOrderWriter::replayOrConflict(const domain::Order& o) {
  const Rows r =
      conn_->run(sql::kSelectOrderByIdempotencyKey, Params().add(o.account_id).add(o.idempotency_key));
  if (r.empty()) throw std::runtime_error("idempotency key " + o.idempotency_key + " taken but not found");
  domain::Order existing = detail::readOrder(r, 0);
  if (existing.fingerprint == o.fingerprint) return Placed{std::move(existing), true};
  return idempotencyConflict();
}

// Runs inside the batch transaction. Returns the order's answer; throws when the batch
// itself has to go (a retryable failure, or a savepoint that could not be rolled back).
Result<Placed> PostgresOrderWriter::placeOne(domain::Order& o) {
  pg::Connection& c = *conn_;
  c.exec(sql::kSavepoint);
  // Everything below either completes the order or is undone by ROLLBACK TO o (once).
  bool open = true;
  auto undo = [&] {
    if (!open) return;
    open = false;
    c.exec(sql::kRollbackToSavepoint);
    c.exec(sql::kReleaseSavepoint);
  };
  try {
    if (o.charge.rupiah < 0) {
      undo();
      return makeError(Errc::kInvalidArgument, "charge must not be negative");
    }

    // 1. Idempotent retry: answer with the first order, charge nothing.
    if (!o.idempotency_key.empty()) {
      const Rows r =
          c.run(sql::kSelectOrderByIdempotencyKey, Params().add(o.account_id).add(o.idempotency_key));
      if (!r.empty()) {
        domain::Order existing = detail::readOrder(r, 0);
        undo();
        if (existing.fingerprint == o.fingerprint) return Placed{std::move(existing), true};
        return idempotencyConflict();
      }
    }

    // 2. Guarded debit: the database refuses to overdraw or to charge a suspended account.
    const Rows debit = c.run(sql::kDebitForOrder, Params().add(o.charge.rupiah).add(o.account_id));
    if (debit.empty()) {
      const Rows s = c.run(sql::kSelectAccountStatusBalance, Params().add(o.account_id));
      std::optional<Error> why;
      if (s.empty()) {
        why = makeError(Errc::kNotFound, "account not found");
      } else if (s.text(0, 0) != domain::toString(domain::AccountStatus::kActive)) {
        why = makeError(Errc::kForbidden, "account is suspended");
      } else {
        why = makeError(Errc::kInsufficientBalance, "balance Rp " + std::to_string(s.int64(0, 1)) +
                                                        " is below the charge Rp " +
                                                        std::to_string(o.charge.rupiah));
      }
      undo();
      return std::move(*why);
    }
    const Money balance_after{debit.int64(0, 0)};

    // 3. The order row. The partial unique index enforces "one pending order per
    // service and target"; ROLLBACK TO also undoes the debit above.
    o.status = domain::OrderStatus::kWaiting;
    try {
      Params p;
      p.add(o.ref_id).add(o.account_id).add(domain::toString(o.kind)).add(o.service_id).add(o.service_code);
      p.add(o.service_name).add(o.category_key);
      for (const std::string& d : o.data) p.add(d);
      p.add(o.target)
          .add(o.quantity)
          .add(o.unit_price.rupiah)
          .add(o.charge.rupiah)
          .add(domain::toString(o.status));
      p.add(o.start_count).add(o.remain).add(o.voucher).add(o.note);
      if (o.idempotency_key.empty()) {
        p.addNull();  // NULL: the idempotency index skips it
      } else {
        p.add(o.idempotency_key);
      }
      p.add(o.fingerprint).add(o.created_at).add(o.updated_at);
      const Rows r = c.run(sql::kInsertOrder, p);
      if (r.empty()) throw std::runtime_error("order insert returned no id");
      o.id = r.int64(0, 0);
    } catch (const pg::Error& e) {
      if (!e.uniqueViolation()) throw;
      undo();
      if (e.constraint() == "orders_pending_target") {
        return makeError(Errc::kConflict, "an order for this service and target is still pending");
      }
      if (e.constraint() == "orders_idempotency") {
        // Another transaction committed this key after our SELECT above (the index
        // waited for it): now the SELECT sees it.
        return replayOrConflict(o);
      }
      // ref_id clash: the id generator is broken; the client can retry with a new one.
      spdlog::error("order writer: insert of {} failed: {}", o.ref_id, e.what());
      return internalError();
    }

    // 4. The ledger row, in the same savepoint.
    {
      Params p;
      detail::addLedger(p, o.account_id, -o.charge, balance_after, domain::LedgerReason::kOrder, o.id,
                        o.ref_id, o.created_at);
      if (c.run(sql::kInsertLedger, p).empty()) throw std::runtime_error("ledger insert returned no id");
    }
    open = false;
    c.exec(sql::kReleaseSavepoint);
    return Placed{o, false};
  } catch (const pg::Error& e) {
    // The whole batch has to go again (or fail): nothing of it can be trusted.
    if (e.retryable()) throw;
    undo();
    if (e.badText()) return detail::badTextError();
    spdlog::error("order writer: placing {} failed: {}", o.ref_id, e.what());
    return internalError();
  } catch (const std::exception& e) {
    // An unexpected failure of this order alone; if undoing it fails too, the batch
    // transaction is unusable and the exception fails the whole batch.
    spdlog::error("order writer: placing {} failed: {}", o.ref_id, e.what());
    undo();
    return internalError();
  }
}

}  // namespace warung::store::postgres
