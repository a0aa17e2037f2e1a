#include "store/sqlite/order_writer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "common/thread_name.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/wal_write_buffer.hpp"

namespace warung::store::sqlite {
namespace {

using detail::RawUse;
using detail::StatementError;

Error internalError() { return makeError(Errc::kInternal, "storage error"); }

}  // namespace

SqliteOrderWriter::SqliteOrderWriter(std::string path, WriterConfig cfg)
    : path_(std::move(path)), cfg_(cfg), turn_(processWriteTurn(path_)) {
  if (cfg_.queue_capacity == 0 || cfg_.max_batch == 0) {
    throw std::runtime_error("order writer: queue_capacity and max_batch must be positive");
  }
  if (cfg_.cache_mb < 1) throw std::runtime_error("order writer: cache_mb must be at least 1");
  lockOrdersOfFile();
  // Set up during the turn: the connection shares its page cache with the process's
  // other write connections to the file (connection.hpp), among them SqliteStore's,
  // which may be writing.
  std::lock_guard turn(*turn_);
  // The WAL write buffer (wal_write_buffer.hpp): one write per batch, not two per page.
  conn_ = std::make_unique<detail::Connection>(path_, cfg_.busy_timeout_ms, /*create=*/true,
                                               /*query_only=*/false, /*process_writer=*/true, cfg_.cache_mb);
  try {
    conn_->db().exec(sql::kPragmaWal);
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("database " + path_ + ": cannot enable WAL: " + e.what());
  }
  conn_->retryBusySoon();
  // Harmless when SqliteStore already did it; makes the writer usable on its own.
  migrate(conn_->db(), path_);
  // No foreign-key checks on this connection: each would be a lookup per order that
  // placeOne makes anyway. It reads the account before anything is written (no row:
  // the answer is "account not found"), and the ledger row refers to that account and
  // to the order just inserted. Every other connection keeps them.
  conn_->db().exec(sql::kPragmaForeignKeysOff);
  try {
    st_ = Statements{.begin = &conn_->raw(sql::kBeginImmediate),
                     .commit = &conn_->raw(sql::kCommit),
                     .by_idempotency_key = &conn_->raw(sql::kSelectOrderByIdempotencyKey),
                     .account = &conn_->raw(sql::kSelectAccountForOrder),
                     .insert_order = &conn_->raw(sql::kInsertOrder),
                     .debit = &conn_->raw(sql::kDebitForOrder),
                     .insert_ledger = &conn_->raw(sql::kInsertLedger),
                     .pending_key = &conn_->raw(sql::kSelectOrderPendingKey)};
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("database " + path_ + ": " + e.what());
  }
  try {
    loadPendingTargets();
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("database " + path_ + ": cannot read the pending orders: " + e.what());
  }
  if (cfg_.checkpoint_pages > 0) {
    if (cfg_.wal_max_pages < cfg_.checkpoint_pages) {
      throw std::runtime_error("order writer: wal_max_pages must not be below checkpoint_pages");
    }
    checkpoint_conn_ = std::make_unique<detail::Connection>(
        path_, cfg_.busy_timeout_ms, /*create=*/false, /*query_only=*/false, /*process_writer=*/false,
        sql::kDefaultCacheMib, /*through_vfs=*/cfg_.checkpoint_writeback_kb > 0);
    if (cfg_.checkpoint_writeback_kb > 0 &&
        !paceWriteback(checkpoint_conn_->db().getHandle(), cfg_.checkpoint_writeback_kb * 1024)) {
      throw std::runtime_error("order writer: " + path_ + ": cannot pace the checkpoints' writes");
    }
    // Replaces SQLite's autocheckpoint on the writer's connection.
    sqlite3_wal_hook(conn_->db().getHandle(), &SqliteOrderWriter::onWalCommit, this);
    checkpoint_thread_ = std::thread([this] {
      setThreadName("wal-checkpoint");
      checkpointLoop();
    });
  }
  if (!cfg_.sync_file) {
    cfg_.sync_file = syncWalFile;
  }
  if (cfg_.overlap_sync) {
    sync_thread_ = std::thread([this] {
      setThreadName("order-sync");
      syncLoop();
    });
  }
  thread_ = std::thread([this] {
    setThreadName("order-writer");
    run();
  });
}

SqliteOrderWriter::~SqliteOrderWriter() {
  shutdown();
  if (turn_->walSyncFailed()) {  // see keepWalOnClose; the threads are gone
    conn_->keepWalOnClose();
    if (checkpoint_conn_) checkpoint_conn_->keepWalOnClose();
  }
}

SqliteOrderWriter::LockFd::~LockFd() {
  if (fd >= 0) ::close(fd);  // lets the next writer (this process or another) in
}

// One order writer per file, in every process: the duplicate-pending rule is kept in
// its memory (pending_targets.hpp). flock, so the lock goes with the process.
void SqliteOrderWriter::lockOrdersOfFile() {
  const std::string lock_path = path_ + "-orders.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error("database " + path_ + ": cannot open " + lock_path + ": " +
                             std::strerror(errno));
  }
  lock_.fd = fd;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      throw std::runtime_error("database " + path_ +
                               ": another server is taking orders on it (one per SQLite file; lock " +
                               lock_path + ")");
    }
    throw std::runtime_error("database " + path_ + ": cannot lock " + lock_path + ": " + std::strerror(err));
  }
}

// Every pending order, from the file as it is now (during the turn).
void SqliteOrderWriter::loadPendingTargets() {
  PendingTargets& pending = turn_->pendingTargets();
  pending.clear();
  SQLite::Statement q(conn_->db(), sql::kSelectPendingOrderKeys);
  while (q.executeStep()) {
    pending.add(PendingTargets::keyOf(q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                                      detail::textOf(q.getColumn(3))),
                q.getColumn(0).getInt64());
  }
}

void SqliteOrderWriter::submit(domain::Order order, Callback done) {
  std::optional<Error> refused;
  {
    std::lock_guard lock(mutex_);
    if (turn_->walSyncFailed()) {
      refused = internalError();
    } else if (stopping_) {
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

void SqliteOrderWriter::shutdown() {
  std::lock_guard once(shutdown_mutex_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  // From a callback (the writer thread itself) we cannot join; run() still drains the
  // queue and exits, and the destructor's call joins it.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  // After the writer: it hands its last batches over, and this thread syncs and
  // answers them before it ends (from one of its own callbacks it cannot be joined;
  // the destructor's call does).
  {
    std::lock_guard lock(sync_mutex_);
    sync_stopping_ = true;
  }
  sync_wake_.notify_all();
  if (sync_thread_.joinable() && sync_thread_.get_id() != std::this_thread::get_id()) sync_thread_.join();
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_wake_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

CheckpointStats SqliteOrderWriter::checkpointStats() const {
  std::lock_guard lock(checkpoint_mutex_);
  return stats_;
}

// How the WAL starts over under a sustained burst. SQLite restarts it only when a
// transaction begins with every frame already copied, which never happens while the
// writer commits back to back and the checkpoint thread copies beside it. A copy
// that does not reach the end of the WAL also does not sync the database file (the
// frames stay in the WAL until one that does), so the copy that finally reaches the
// end syncs every page copied since the last one: tens of milliseconds of scattered
// writes, which every order in flight would wait for if the writer made that copy.
//
// So past wal_max_pages the WAL is drained: the checkpoint thread copies round after
// round, each catching the frames committed during the one before and followed by a
// sync of the database file, and once a round ends with at most a small tail left it
// stands aside and the writer copies that tail between two batches (a few
// milliseconds; the tail is a quarter of checkpoint_pages, 500 frames at most). The
// writer never waits for a background round. Past twice wal_max_pages (rounds do not
// get shorter: commits outpace the copy) the writer takes its turn after the round in
// progress, whatever is left.
std::size_t SqliteOrderWriter::tailPages() const {
  return std::clamp<std::size_t>(cfg_.checkpoint_pages / 4, 1, 500);
}

int SqliteOrderWriter::onWalCommit(void* self, sqlite3* /*db*/, const char* /*name*/, int wal_pages) {
  auto& w = *static_cast<SqliteOrderWriter*>(self);
  const auto pages = static_cast<std::size_t>(std::max(wal_pages, 0));
  bool due = false;
  {
    std::lock_guard lock(w.checkpoint_mutex_);
    if (pages < w.wal_pages_) {  // the WAL started over
      w.copied_ = w.last_run_at_ = 0;
      w.draining_ = w.tail_to_writer_ = w.tail_forced_ = false;
    }
    w.wal_pages_ = pages;
    if (pages >= w.cfg_.wal_max_pages) w.draining_ = true;
    if (pages >= 2 * w.cfg_.wal_max_pages && !w.tail_to_writer_) w.tail_to_writer_ = w.tail_forced_ = true;
    due = w.copyDue();
  }
  if (due) w.checkpoint_wake_.notify_one();
  return SQLITE_OK;
}

// Due: checkpoint_pages frames committed since the last copy (any, while draining),
// something new since the last try (readers can hold frames back; retrying would
// only spin), and not the writer's turn.
bool SqliteOrderWriter::copyDue() const {
  const std::size_t step = draining_ ? 1 : cfg_.checkpoint_pages;
  return !tail_to_writer_ && wal_pages_ >= copied_ + step && wal_pages_ != last_run_at_;
}

void SqliteOrderWriter::checkpointLoop() {
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_wake_.wait(lock, [&] { return checkpoint_stopping_ || copyDue(); });
    if (checkpoint_stopping_) return;
    last_run_at_ = wal_pages_;
    if (turn_->walSyncFailed()) continue;  // nothing is copied from a WAL that failed to sync
    const bool sync = draining_;
    lock.unlock();
    copyWal(checkpoint_conn_->db().getHandle(), &CheckpointStats::background, /*wait=*/true);
    if (sync) syncDatabaseFile();
    lock.lock();
    if (draining_ && wal_pages_ <= copied_ + tailPages()) tail_to_writer_ = true;
  }
}

// What SQLite does at the end of a copy that reaches the end of the WAL, done here
// after one that did not (on the checkpoint thread, while draining).
void SqliteOrderWriter::syncDatabaseFile() {
  sqlite3* db = checkpoint_conn_->db().getHandle();
  sqlite3_file* file = nullptr;
  int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
  if (rc == SQLITE_OK && (file == nullptr || file->pMethods == nullptr)) rc = SQLITE_MISUSE;
  if (rc == SQLITE_OK) rc = file->pMethods->xSync(file, SQLITE_SYNC_FULL);
  if (rc != SQLITE_OK) {
    // Not fatal: the copy that reaches the end of the WAL syncs the file again.
    spdlog::warn("order writer: {}: syncing the database file failed (code {})", path_, rc);
    return;
  }
  std::lock_guard lock(checkpoint_mutex_);
  ++stats_.synced;
}

// One passive checkpoint on `db`'s connection, never two at once in this process
// (copy_mutex_); counted in stats_.*counter, with how far it got. Without `wait`,
// returns false at once when the other thread is copying.
bool SqliteOrderWriter::copyWal(sqlite3* db, std::uint64_t CheckpointStats::*counter, bool wait) {
  int in_wal = 0;
  int copied = 0;
  int rc = SQLITE_OK;
  {
    std::unique_lock copying(copy_mutex_, std::defer_lock);
    if (wait) {
      copying.lock();
    } else if (!copying.try_lock()) {
      return false;
    }
    rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &in_wal, &copied);
  }
  if (rc == SQLITE_OK) {
    std::lock_guard lock(checkpoint_mutex_);
    ++(stats_.*counter);
    copied_ = static_cast<std::size_t>(std::max(copied, 0));
  } else if (rc != SQLITE_BUSY) {  // busy: another process is copying; it copies
    spdlog::warn("order writer: {}: checkpoint failed: {}", path_, sqlite3_errmsg(db));
  }
  return true;
}

// On the writer thread, between batches, taking the turn: nothing is being committed,
// so the copy reaches the end of the WAL (unless a reader still needs older frames)
// and the next BEGIN starts the WAL over; and no transaction is open on the
// connections that share the writer's page cache (a checkpoint through it would fail
// with SQLITE_LOCKED). A background round still running (the turn came past twice
// wal_max_pages) is not waited for: the writer tries again after its next batch.
void SqliteOrderWriter::copyTail() {
  std::size_t tail = 0;
  {
    std::lock_guard lock(checkpoint_mutex_);
    if (!tail_to_writer_ || turn_->walSyncFailed()) return;
    tail = wal_pages_ - std::min(copied_, wal_pages_);
  }
  std::lock_guard turn(*turn_);
  if (!copyWal(conn_->db().getHandle(), &CheckpointStats::by_writer, /*wait=*/false)) return;
  {
    std::lock_guard lock(checkpoint_mutex_);
    if (tail_forced_) {
      ++stats_.forced;
    } else {
      stats_.largest_tail = std::max(stats_.largest_tail, tail);
    }
    // If the WAL did not start over (a reader still needs older frames), the next
    // commit says what next.
    tail_to_writer_ = tail_forced_ = false;
  }
  checkpoint_wake_.notify_one();
}

void SqliteOrderWriter::run() {
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
    owed_fd_ = -1;
    {
      std::lock_guard turn(*turn_);
      if (turn_->walSyncFailed()) {
        results.assign(batch.size(), internalError());  // written nothing: see the header
      } else {
        writeBatch(batch, results);
      }
    }
    if (cfg_.overlap_sync) {
      {
        std::lock_guard lock(sync_mutex_);
        committed_.push_back(Committed{std::move(batch), std::move(results), owed_fd_});
      }
      sync_wake_.notify_one();
      batch = {};  // moved from: empty again, for the next batch
      results = {};
    } else {
      answer(batch, results, /*synced=*/true);
      batch.clear();
      results.clear();
    }
    copyTail();
  }
}

// The sync thread: takes every batch committed so far, makes them durable with one
// fdatasync of the WAL (all batches share its file), then answers them in order.
void SqliteOrderWriter::syncLoop() {
  std::deque<Committed> taken;
  std::unique_lock lock(sync_mutex_);
  for (;;) {
    sync_wake_.wait(lock, [&] { return sync_stopping_ || !committed_.empty(); });
    if (committed_.empty()) return;  // stopping, and the writer handed over its last batch
    taken.swap(committed_);
    lock.unlock();
    int fd = -1;
    for (const Committed& c : taken) {
      if (c.owed_fd >= 0) fd = c.owed_fd;
    }
    bool synced = !turn_->walSyncFailed();
    if (synced && fd >= 0) {
      deferred_syncs_.fetch_add(1, std::memory_order_relaxed);
      if (const int err = cfg_.sync_file(fd); err != 0) {
        turn_->markWalSyncFailed();
        synced = false;
        std::size_t orders = 0;
        for (const Committed& c : taken) orders += c.batch.size();
        spdlog::critical(
            "order writer: {}: syncing the WAL failed ({}): the last {} orders were answered with a storage "
            "error and may or may not be on disk; no order is taken until the server is restarted",
            path_, std::strerror(err), orders);
      }
    }
    for (Committed& c : taken) answer(c.batch, c.results, synced);
    taken.clear();
    lock.lock();
  }
}

void SqliteOrderWriter::answer(std::vector<Pending>& batch, std::vector<Result<Placed>>& results,
                               bool synced) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Result<Placed>& r = results[i];
    if (!synced) r = internalError();
    // A new order's answer is the batch's own Order (placeOne filled in its id and
    // status and left it there): moved, not copied.
    if (r && !r->replayed) r->order = std::move(batch[i].order);
    try {
      batch[i].done(std::move(r));
    } catch (const std::exception& e) {
      spdlog::error("order writer: an order's callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("order writer: an order's callback threw");
    }
  }
}

namespace {
// BEGIN IMMEDIATE tries before a batch is refused; each waits up to busy_timeout_ms.
constexpr int kBeginAttempts = 6;
}  // namespace

bool SqliteOrderWriter::begin(std::size_t orders) {
  // Another connection (the dispatcher, a CLI command, another process) may hold the
  // write lock longer than busy_timeout under a burst. Nothing has been done yet, so
  // waiting again is safe; only a lasting failure refuses the orders.
  for (int attempt = 1;; ++attempt) {
    try {
      RawUse(*st_.begin)->exec();
      return true;
    } catch (const StatementError& e) {
      const bool busy = e.code() == SQLITE_BUSY || e.code() == SQLITE_LOCKED;
      if (busy && attempt < kBeginAttempts) {
        spdlog::warn("order writer: {}: database busy, waiting again ({}/{})", path_, attempt,
                     kBeginAttempts);
        continue;
      }
      spdlog::error("order writer: {}: BEGIN failed, {} orders refused: {}", path_, orders, e.what());
      return false;
    }
  }
}

void SqliteOrderWriter::commit() {
  // Some errors (disk full, I/O) make SQLite roll the whole transaction back on its
  // own; committing then would "succeed" with nothing in it.
  if (sqlite3_get_autocommit(conn_->db().getHandle()) != 0) {
    throw std::runtime_error("the transaction was rolled back by SQLite");
  }
  if (!cfg_.overlap_sync) {
    RawUse(*st_.commit)->exec();
    return;
  }
  DeferWalSync defer;  // the sync thread syncs what this COMMIT leaves owed
  RawUse(*st_.commit)->exec();
  if (defer.owedFd() >= 0) owed_fd_ = defer.owedFd();
}

// The transaction's orders were never placed: nor are they pending.
void SqliteOrderWriter::rollback() {
  conn_->db().tryExec(sql::kRollback);
  for (const auto& [key, id] : added_) turn_->pendingTargets().remove(key, id);
  added_.clear();
}

// What the order `id`, remembered under o's key, is now (read in the open transaction).
SqliteOrderWriter::Remembered SqliteOrderWriter::remembered(std::int64_t id, const domain::Order& o) {
  RawUse q(*st_.pending_key);
  q->bind(1, id);
  if (!q->step() || q->int64(3) == 0) return Remembered::kNoLongerPending;
  const bool same_key = q->int64(0) == o.account_id && q->int64(1) == o.service_id && q->text(2) == o.target;
  return same_key ? Remembered::kPendingSameKey : Remembered::kPendingOtherKey;
}

void SqliteOrderWriter::writeBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results) {
  results.reserve(batch.size());  // an answer holds an Order: growing would move each again
  if (!begin(batch.size())) {
    for (std::size_t i = 0; i < batch.size(); ++i) results.push_back(internalError());
    return;
  }
  try {
    for (Pending& p : batch) results.push_back(placeOne(p.order));
    commit();
    added_.clear();
    return;
  } catch (const std::exception& e) {
    rollback();
    results.clear();
    if (batch.size() == 1) {
      spdlog::error("order writer: {}: placing {} failed, nothing charged: {}", path_,
                    batch.front().order.ref_id, e.what());
      results.push_back(internalError());
      return;
    }
    spdlog::error("order writer: {}: batch of {} failed, nothing charged; placing them one by one: {}", path_,
                  batch.size(), e.what());
  }
  // One transaction per order: an order that fails again fails alone.
  for (Pending& p : batch) {
    if (!begin(1)) {
      results.push_back(internalError());
      continue;
    }
    try {
      Result<Placed> r = placeOne(p.order);
      commit();
      added_.clear();
      results.push_back(std::move(r));
    } catch (const std::exception& e) {
      spdlog::error("order writer: {}: placing {} failed, nothing charged: {}", path_, p.order.ref_id,
                    e.what());
      rollback();
      results.push_back(internalError());
    }
  }
}

// Runs inside the batch transaction, without a savepoint of its own: in a batch, a
// savepoint per order made SQLite copy every page the order touched that the batch had
// already changed into its sub-journal, the writer's largest cost after the inserts.
// Instead each statement is atomic on its own and the steps are ordered so that a
// refusal leaves nothing behind: reads first (the account's status, balance and newest
// order of the kind among them: the order is refused there when the account cannot pay),
// then the order row (a unique-constraint refusal writes nothing), then the guarded
// debit, which also makes the order its account's newest of the kind (the chain of
// migration 10), then the ledger row. Returns the order's answer (for a new order
// without the Order itself, which stays in `o` with its id and status: run() moves it
// into the answer once committed, as the batch may still be placed again one by one);
// throws on anything unexpected, after which the batch is rolled back and its orders
// placed one by one.
Result<Placed> SqliteOrderWriter::placeOne(domain::Order& o) {
  if (o.charge.rupiah < 0) return makeError(Errc::kInvalidArgument, "charge must not be negative");

  // 1. Idempotent retry: answer with the first order, charge nothing.
  if (!o.idempotency_key.empty()) {
    std::optional<domain::Order> existing;
    {
      RawUse q(*st_.by_idempotency_key);
      q->bind(1, o.account_id);
      q->bindText(2, o.idempotency_key);
      if (q->step()) existing = detail::readOrderRow(*q);
    }
    if (existing) {
      if (existing->fingerprint == o.fingerprint) return Placed{std::move(*existing), true};
      return makeError(Errc::kConflict, "idempotency_key was already used with different parameters");
    }
  }

  // 2. One pending order per account, service and target (pending_targets.hpp).
  PendingTargets& pending = turn_->pendingTargets();
  const PendingTargets::Key key = PendingTargets::keyOf(o.account_id, o.service_id, o.target);
  const bool still_pending = pending.visit(key, [&](std::int64_t id) {
    switch (remembered(id, o)) {
      case Remembered::kPendingSameKey:
        return PendingTargets::Next::kStop;
      case Remembered::kPendingOtherKey:  // another key with the same hash
        return PendingTargets::Next::kKeep;
      case Remembered::kNoLongerPending:  // final (for good) or gone: forgotten
        break;
    }
    return PendingTargets::Next::kForget;
  });
  if (still_pending) {
    return makeError(Errc::kConflict, "an order for this service and target is still pending");
  }

  // 3. The account: refused here when it cannot pay, before anything is written. The
  // writer is the only one writing while its transaction is open, so what is read here
  // is what the guarded debit below finds (which still checks it).
  const std::string_view kind = domain::toString(o.kind);
  Money balance_before{0};
  std::int64_t prev_id = 0;
  {
    RawUse q(*st_.account);
    q->bind(1, o.account_id);
    q->bindText(2, kind);
    if (!q->step()) return makeError(Errc::kNotFound, "account not found");
    if (q->text(0) != domain::toString(domain::AccountStatus::kActive)) {
      return makeError(Errc::kForbidden, "account is suspended");
    }
    balance_before = Money{q->int64(1)};
    prev_id = q->int64(2);
  }
  if (balance_before.rupiah < o.charge.rupiah) {
    return makeError(Errc::kInsufficientBalance, "balance Rp " + std::to_string(balance_before.rupiah) +
                                                     " is below the charge Rp " +
                                                     std::to_string(o.charge.rupiah));
  }

  // 4. The order row, after the account's newest of its kind; a refused insert changes
  // nothing.
  o.status = domain::OrderStatus::kWaiting;
  try {
    // Every text is bound where it lies: `o` and the status strings outlive the use.
    RawUse q(*st_.insert_order);
    int i = 0;
    q->bindText(++i, o.ref_id);
    q->bind(++i, o.account_id);
    q->bindText(++i, kind);
    q->bind(++i, o.service_id);
    q->bindText(++i, o.service_code);
    q->bindText(++i, o.service_name);
    q->bindText(++i, o.category_key);
    for (const std::string& d : o.data) q->bindText(++i, d);
    q->bindText(++i, o.target);
    q->bind(++i, o.quantity);
    q->bind(++i, o.unit_price.rupiah);
    q->bind(++i, o.charge.rupiah);
    q->bindText(++i, domain::toString(o.status));
    q->bind(++i, o.start_count);
    q->bind(++i, o.remain);
    q->bindText(++i, o.voucher);
    q->bindText(++i, o.note);
    if (o.idempotency_key.empty()) {
      q->bindNull(++i);  // NULL: the idempotency index skips it
    } else {
      q->bindText(++i, o.idempotency_key);
    }
    q->bindText(++i, o.fingerprint);
    q->bind(++i, o.created_at);
    q->bind(++i, o.updated_at);
    q->bind(++i, prev_id);
    if (q->exec() != 1) throw std::runtime_error("order insert wrote no row");
    o.id = sqlite3_last_insert_rowid(conn_->db().getHandle());
  } catch (const StatementError& e) {
    if (e.extendedCode() != SQLITE_CONSTRAINT_UNIQUE) throw;
    const std::string_view what = e.what();
    if (what.find("orders.idempotency_key") != std::string_view::npos) {
      // Only reachable if the SELECT above missed it; same answer as there.
      return makeError(Errc::kConflict, "idempotency_key was already used with different parameters");
    }
    // ref_id clash: the id generator is broken; the client can retry with a new one.
    spdlog::error("order writer: insert of {} failed: {}", o.ref_id, what);
    return internalError();
  }

  // 5. Guarded debit: the database refuses to overdraw or to charge a suspended account;
  // as step 3 found neither, a refusal here means something else wrote (thrown: the
  // batch is rolled back, the order row with it).
  {
    RawUse q(*st_.debit);
    q->bind(1, o.charge.rupiah);
    q->bind(2, o.account_id);
    q->bindText(3, kind);
    q->bind(4, o.id);
    if (q->exec() != 1) {
      throw std::runtime_error("the debit of an account read in the same transaction was refused");
    }
  }
  const Money balance_after{balance_before.rupiah - o.charge.rupiah};

  // 6. The ledger row (its ref, the order's ref_id, bound where it lies).
  {
    RawUse q(*st_.insert_ledger);
    detail::bindLedger(*q, o.account_id, -o.charge, balance_after, domain::LedgerReason::kOrder, o.id,
                       o.ref_id, o.created_at);
    if (q->exec() != 1) throw std::runtime_error("ledger insert wrote no row");
  }
  pending.add(key, o.id);
  added_.emplace_back(key, o.id);
  return Placed{domain::Order{}, false};
}

}  // namespace warung::store::sqlite
