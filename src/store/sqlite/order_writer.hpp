#pragma once
// SqliteOrderWriter: the OrderWriter on SQLite, with group commit.
//
// submit() queues the order (bounded); one background thread takes up to max_batch
// queued orders, places each inside its own savepoint of one BEGIN IMMEDIATE
// transaction, and commits the batch with a single fsync (synchronous=FULL). A failed
// order rolls back to its savepoint and leaves the others of its batch alone.
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
// The writer has its own connection, separate from SqliteStore's, and may share the
// file with other processes (the `warung` CLI); busy_timeout_ms bounds how long a batch
// waits for their write lock.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace warung::store::sqlite {

namespace detail {
class Connection;
}

struct WriterConfig {
  std::size_t queue_capacity = 20000;  // orders waiting for the writer thread
  std::size_t max_batch = 1024;        // orders per transaction (and per fsync)
  int busy_timeout_ms = 5000;
};

class SqliteOrderWriter final : public OrderWriter {
 public:
  // Opens the file (applying pending migrations, as SqliteStore does) and starts the
  // writer thread. Throws std::runtime_error naming the path on failure.
  SqliteOrderWriter(std::string path, WriterConfig cfg = {});
  ~SqliteOrderWriter() override;  // calls shutdown()
  SqliteOrderWriter(const SqliteOrderWriter&) = delete;
  SqliteOrderWriter& operator=(const SqliteOrderWriter&) = delete;

  void submit(domain::Order order, Callback done) override;
  // Stops accepting (later submits get kOverloaded "server is shutting down"), writes
  // everything already queued, then joins the thread. Idempotent.
  void shutdown() override;

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

  std::string path_;
  WriterConfig cfg_;
  std::unique_ptr<detail::Connection> conn_;  // used only by the writer thread after start

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_

  std::mutex shutdown_mutex_;  // makes concurrent shutdown() calls wait for the join
  std::thread thread_;
};

}  // namespace warung::store::sqlite
