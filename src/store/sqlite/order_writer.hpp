#pragma once
// SqliteOrderWriter: the OrderWriter on SQLite, with group commit.
//
// submit() queues the order (bounded); one background thread takes up to max_batch
// queued orders, places them in one BEGIN IMMEDIATE transaction, and commits the batch
// with a single fsync (synchronous=FULL). An order refused for a business reason
// leaves nothing behind and the others of its batch alone (see placeOne); an
// unexpected failure rolls the batch back and places its orders one per transaction.
// Callbacks run on the writer thread only after COMMIT returned, so an accepted order
// is on disk before anyone hears of it; if BEGIN or COMMIT fails, every order of the
// batch is answered kInternal and nothing was charged.
//
// Per order (see store.hpp): idempotency replay or kConflict; guarded debit
// (kForbidden for a suspended account, kInsufficientBalance "balance Rp X is below the
// charge Rp Y", kNotFound for an unknown account); insert (kConflict "an order for
// this service and target is still pending"); ledger row reason 'order'. The Placed
// order carries its assigned id; its status is waiting.
//
// Threads: submit() and shutdown() may be called from any thread. A full queue answers
// kOverloaded on the caller's thread, inside submit(). Callbacks must not block and
// must not call submit() expecting it to be processed before they return.
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
// SQLite (1,000 pages, on the writer).
//
// The writer has its own connection beside SqliteStore's, sharing its page cache
// (connection.hpp); the two take turns through the process's WriteTurn for the file
// (write_turn.hpp), a batch at a time. It may share the file with other processes
// (the `warung` CLI); busy_timeout_ms bounds how long a batch waits for their write
// lock.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/write_turn.hpp"
#include "store/store.hpp"

struct sqlite3;

namespace warung::store::sqlite {

namespace detail {
class Connection;
}

struct WriterConfig {
  std::size_t queue_capacity = 20000;  // orders waiting for the writer thread
  std::size_t max_batch = 1024;        // orders per transaction (and per fsync)
  int busy_timeout_ms = 5000;
  std::size_t checkpoint_pages = 16000;  // background checkpoint per this many new WAL frames
  std::size_t wal_max_pages = 64000;     // past this the WAL is drained so that it starts over
  int cache_mb = 16;  // page cache shared with SqliteStore's write connection (its cache_mb: the same)
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

 private:
  struct Pending {
    domain::Order order;
    Callback done;
  };

  void run();
  // BEGIN IMMEDIATE, waiting again while the database is busy; false (logged) when it
  // cannot. commit() throws when the transaction is gone or COMMIT fails.
  bool begin(std::size_t orders);
  void commit();
  void writeBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results);
  Result<Placed> placeOne(domain::Order& order);

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

  std::mutex shutdown_mutex_;  // makes concurrent shutdown() calls wait for the join
  std::thread thread_;
};

}  // namespace warung::store::sqlite
