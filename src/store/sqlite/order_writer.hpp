#pragma once
// SqliteOrderWriter: the OrderWriter on SQLite, with group commit.
//
// submit() queues the order (bounded); one background thread takes up to max_batch
// queued orders, places them in one BEGIN IMMEDIATE transaction, and commits the batch,
// made durable by a single fsync (below). An order refused for a business reason
// leaves nothing behind and the others of its batch alone (see placeOne); an
// unexpected failure rolls the batch back and places its orders one per transaction.
// An accepted order is on disk before anyone hears of it; if BEGIN or COMMIT fails,
// every order of the batch is answered kInternal and nothing was charged.
//
// Pipelined sync (overlap_sync, the default). A batch's COMMIT writes its WAL frames
// but leaves their fdatasync to a second thread (DeferWalSync, wal_write_buffer.hpp),
// which syncs the WAL and only then runs the batch's callbacks, while the writer
// thread already writes the next batch: the fsync of one batch and the SQLite work of
// the next overlap, instead of taking turns (a third of the writer's time went to
// waiting for its fsync). One fdatasync covers every batch committed before it.
// Between COMMIT and that sync the batch is visible to other connections but not yet
// on disk; nothing acts on it in that window in a way a crash could betray: a reseller
// learns an order's ref_id from its answer (sent after the sync); every other write
// transaction (the dispatcher's claim before it sends an order to a provider, a
// transition, a credit) is followed by a sync of its own before its caller goes on
// (SqliteStore, with overlap_sync, makes it after giving the write turn back), which
// makes every frame before it durable first, and checkpoints sync the WAL before
// copying it. A status list may show an order up to one fsync before its answer is
// sent. If a deferred sync fails (this thread's or the store's), the batches it
// covered are answered kInternal (they may or may not be on disk: the OS may have
// dropped the pages) and the writer refuses every later order (kInternal) until the
// process is restarted and SQLite recovers the file, as PostgreSQL stops on a failed
// fsync (WriteTurn::walSyncFailed). With overlap_sync off, COMMIT syncs in place and
// callbacks run on the writer thread.
//
// Per order (see store.hpp): idempotency replay or kConflict; guarded debit
// (kForbidden for a suspended account, kInsufficientBalance "balance Rp X is below the
// charge Rp Y", kNotFound for an unknown account); insert (kConflict "an order for
// this service and target is still pending"); ledger row reason 'order'. The Placed
// order carries its assigned id; its status is waiting.
//
// Threads: submit() and shutdown() may be called from any thread. A full queue answers
// kOverloaded on the caller's thread, inside submit(). Other callbacks run on the sync
// thread (on the writer thread with overlap_sync off), in the order the orders were
// written; they must not block and must not call submit() expecting it to be
// processed before they return.
//
// WAL checkpoints (copying committed pages from the WAL back into the database file)
// run on a second thread with its own connection, so the writer does not stop taking
// orders while pages are copied and synced: a checkpoint starts each time
// checkpoint_pages new frames have been committed. Under a sustained burst that
// thread never sees the WAL fully copied at a moment the writer is between batches,
// and the WAL could only grow; past wal_max_pages that thread therefore copies round
// after round until at most min(checkpoint_pages / 4, 500) frames are left, and the writer
// copies those between two batches, so that its next transaction starts the WAL over
// (it never waits for a background round; past 2 x wal_max_pages it copies after the
// round in progress, whatever is left). checkpoint_pages = 0 leaves checkpoints to
// SQLite (1,000 pages, on the writer). The checkpoint thread's writes to the database
// file go to the disk a megabyte at a time as it copies (checkpoint_writeback_kb),
// not all at once at the file's next sync, where they held up the writer's WAL syncs.
//
// The writer has its own connection beside SqliteStore's, sharing its page cache
// (connection.hpp); the two take turns through the process's WriteTurn for the file
// (write_turn.hpp), a batch at a time. It may share the file with other processes
// (the `warung` CLI); busy_timeout_ms bounds how long a batch waits for their write
// lock. But only one order writer takes orders on a file at a time, in all processes:
// it keeps the duplicate-pending rule in memory (pending_targets.hpp), so the
// constructor takes an exclusive lock on `<path>-orders.lock` and throws when another
// writer holds it.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/sqlite/write_turn.hpp"
#include "store/store.hpp"

struct sqlite3;

namespace warung::store::sqlite {

namespace detail {
class Connection;
class RawStatement;
}  // namespace detail

struct WriterConfig {
  std::size_t queue_capacity = 20000;  // orders waiting for the writer thread
  std::size_t max_batch = 1024;        // orders per transaction (and per fsync)
  int busy_timeout_ms = 5000;
  std::size_t checkpoint_pages = 16000;  // background checkpoint per this many new WAL frames
  std::size_t wal_max_pages = 64000;     // past this the WAL is drained so that it starts over
  // The checkpoint thread hands its writes to the database file to the disk every this
  // many KiB and waits for them (paceWriteback in wal_write_buffer.hpp); 0: the page
  // cache keeps them until the file's next sync.
  std::size_t checkpoint_writeback_kb = 1024;
  int cache_mb = 16;         // page cache shared with SqliteStore's write connection (its cache_mb: the same)
  bool overlap_sync = true;  // a batch's fsync on the sync thread while the next is written (above)
  // How the sync thread syncs the WAL: 0 or an errno. fdatasync when empty; tests
  // replace it to hold or fail a sync.
  std::function<int(int fd)> sync_file;
};

// What the checkpoints did, for tests and operators.
struct CheckpointStats {
  std::uint64_t background = 0;  // checkpoints run by the checkpoint thread
  std::uint64_t by_writer = 0;   // tails copied by the writer past wal_max_pages
  std::uint64_t synced = 0;      // database file syncs after background copies (draining)
  std::uint64_t forced = 0;      // of those, taken past 2 x wal_max_pages (the drain fell behind)
  std::size_t largest_tail = 0;  // most WAL frames left for one of the others
};

class SqliteOrderWriter final : public OrderWriter {
 public:
  // Opens the file (applying pending migrations, as SqliteStore does) and starts the
  // writer thread. Each batch is written during the process's write turn for the
  // file (processWriteTurn), which a SqliteStore on it shares. Throws
  // std::runtime_error naming the path on failure.
  explicit SqliteOrderWriter(std::string path, WriterConfig cfg = {});
  ~SqliteOrderWriter() override;  // calls shutdown()
  SqliteOrderWriter(const SqliteOrderWriter&) = delete;
  SqliteOrderWriter& operator=(const SqliteOrderWriter&) = delete;

  void submit(domain::Order order, Callback done) override;
  // Stops accepting (later submits get kOverloaded "server is shutting down"), writes
  // everything already queued, then joins the thread. Idempotent.
  void shutdown() override;

  CheckpointStats checkpointStats() const;
  // fdatasyncs the sync thread made (each covers every batch committed before it).
  std::uint64_t deferredSyncs() const { return deferred_syncs_.load(std::memory_order_relaxed); }

 private:
  struct Pending {
    domain::Order order;
    Callback done;
  };
  // A committed batch waiting for the sync thread: its orders, their answers, and the
  // WAL descriptor its COMMIT left unsynced (-1: nothing owed).
  struct Committed {
    std::vector<Pending> batch;
    std::vector<Result<Placed>> results;
    int owed_fd = -1;
  };

  void run();
  void syncLoop();
  // Runs the callbacks of a written batch; `synced` false answers its orders kInternal.
  void answer(std::vector<Pending>& batch, std::vector<Result<Placed>>& results, bool synced);
  // BEGIN IMMEDIATE, waiting again while the database is busy; false (logged) when it
  // cannot. commit() throws when the transaction is gone or COMMIT fails.
  bool begin(std::size_t orders);
  void commit();
  void writeBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results);
  Result<Placed> placeOne(domain::Order& order);
  void rollback();
  enum class Remembered { kPendingSameKey, kPendingOtherKey, kNoLongerPending };
  Remembered remembered(std::int64_t id, const domain::Order& o);
  void lockOrdersOfFile();
  void loadPendingTargets();

  // sqlite3_wal_hook: after each commit, on the writer thread.
  static int onWalCommit(void* self, sqlite3* db, const char* name, int wal_pages);
  void checkpointLoop();
  bool copyDue() const;  // with checkpoint_mutex_ held
  std::size_t tailPages() const;
  void copyTail();
  void syncDatabaseFile();
  bool copyWal(sqlite3* db, std::uint64_t CheckpointStats::*counter, bool wait);

  std::string path_;
  WriterConfig cfg_;
  std::shared_ptr<WriteTurn> turn_;           // processWriteTurn(path_): around every use of conn_
  std::unique_ptr<detail::Connection> conn_;  // used only by the writer thread after start
  // Every statement the writer runs per batch and per order, prepared in the
  // constructor (a missing table fails at start-up, not on the first order) and used
  // through SQLite's C API (raw_statement.hpp: text bound where it lies, nothing
  // copied). Owned by conn_'s statement cache.
  struct Statements {
    detail::RawStatement* begin = nullptr;
    detail::RawStatement* commit = nullptr;
    detail::RawStatement* by_idempotency_key = nullptr;
    detail::RawStatement* account = nullptr;
    detail::RawStatement* insert_order = nullptr;
    detail::RawStatement* debit = nullptr;
    detail::RawStatement* insert_ledger = nullptr;
    detail::RawStatement* pending_key = nullptr;
  } st_;
  // The file's orders lock (lockOrdersOfFile), held until destruction, also when the
  // constructor throws after taking it.
  struct LockFd {
    int fd = -1;
    LockFd() = default;
    LockFd(const LockFd&) = delete;
    LockFd& operator=(const LockFd&) = delete;
    ~LockFd();
  } lock_;
  // The orders the open transaction added to the turn's PendingTargets (writer thread).
  std::vector<std::pair<PendingTargets::Key, std::int64_t>> added_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_

  // Checkpoints. wal_pages_ is what the last commit left in the WAL.
  std::unique_ptr<detail::Connection> checkpoint_conn_;  // the checkpoint thread's
  mutable std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  std::size_t wal_pages_ = 0;         // guarded by checkpoint_mutex_
  std::size_t copied_ = 0;            // frames known copied; guarded by checkpoint_mutex_
  std::size_t last_run_at_ = 0;       // wal_pages_ when the last checkpoint started; same
  bool draining_ = false;             // past wal_max_pages: copy round after round; same
  bool tail_to_writer_ = false;       // the writer copies the tail; same
  bool tail_forced_ = false;          // ... because the WAL passed 2 x wal_max_pages; same
  bool checkpoint_stopping_ = false;  // guarded by checkpoint_mutex_
  CheckpointStats stats_;             // guarded by checkpoint_mutex_
  std::mutex copy_mutex_;             // held while either thread runs a checkpoint
  std::thread checkpoint_thread_;

  // The sync thread (overlap_sync).
  int owed_fd_ = -1;  // the writer thread's: what the current batch's commits left unsynced
  std::mutex sync_mutex_;
  std::condition_variable sync_wake_;
  std::deque<Committed> committed_;  // guarded by sync_mutex_
  bool sync_stopping_ = false;       // guarded by sync_mutex_
  std::atomic<std::uint64_t> deferred_syncs_{0};
  std::thread sync_thread_;

  std::mutex shutdown_mutex_;  // makes concurrent shutdown() calls wait for the join
  std::thread thread_;
};

}  // namespace warung::store::sqlite
