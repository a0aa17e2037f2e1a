#pragma once
// PostgresOrderWriter: the OrderWriter on PostgreSQL, with group commit. Every node
// runs one; they may all write the same accounts at once.
//
// submit() queues the order (bounded); one background thread takes up to max_batch
// queued orders and writes them in one transaction on its own connection:
//   1. it locks the batch's accounts, in id order (SELECT ... ORDER BY id FOR NO KEY
//      UPDATE), so two nodes' batches that share accounts queue one behind the other
//      instead of deadlocking;
//   2. it places each order inside its own SAVEPOINT: the idempotency check, the
//      guarded debit (UPDATE accounts SET balance = balance - charge WHERE id = ? AND
//      status = 'active' AND balance >= charge: never read-modify-write), the insert
//      (the partial unique index orders_pending_target enforces "no duplicate pending
//      order" in the database), and the ledger row. A failed order rolls back to its
//      savepoint and leaves the others of its batch alone;
//   3. one COMMIT (synchronous_commit as the server has it: on by default, durable)
//      makes the batch durable at once. Callbacks run on the writer thread only after
//      COMMIT returned, so an accepted order is committed before anyone hears of it.
//
// Per order (see store.hpp): idempotency replay or kConflict (also when another node
// committed the same key first); kForbidden for a suspended account,
// kInsufficientBalance "balance Rp X is below the charge Rp Y", kNotFound for an
// unknown account; kConflict "an order for this service and target is still pending";
// kInvalidArgument for text PostgreSQL cannot store; ledger row reason 'order'. The
// Placed order carries its assigned id; its status is waiting.
//
// Failures of the batch as a whole: a deadlock (40P01), a serialization failure
// (40001) or a connection lost before COMMIT rolled everything back, so the batch is
// written again from the start (on a new connection when the old one is gone), up to
// busy_retries times; after that every order of the batch is answered kInternal and
// nothing was charged. If the connection drops while COMMIT is in flight, the batch may
// or may not have committed: it is NOT retried (that could charge twice); every order
// of the batch is answered kInternal and the event is logged as "outcome unknown". A
// client that sent an idempotency key retries safely: its retry finds the first order
// if it was committed, and places it if it was not.
//
// Threads: submit() and shutdown() may be called from any thread. A full queue answers
// kOverloaded on the caller's thread, inside submit(). Callbacks must not block and
// must not call submit() expecting it to be processed before they return.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_store.hpp"
#include "store/store.hpp"

namespace warung::store::postgres {

namespace pg {
class Connection;
}

struct WriterConfig {
  std::size_t queue_capacity = 20000;  // orders waiting for the writer thread
  std::size_t max_batch = 1024;        // orders per transaction (and per commit)
};

class PostgresOrderWriter final : public OrderWriter {
 public:
  // Connects (pg.url; pg.pool_size is not used: the writer has one connection of its
  // own), applies pending migrations as PostgresStore does, and starts the writer
  // thread. Throws std::runtime_error naming the redacted URL on failure.
  explicit PostgresOrderWriter(PostgresConfig pg, WriterConfig cfg = {});
  ~PostgresOrderWriter() override;  // calls shutdown()
  PostgresOrderWriter(const PostgresOrderWriter&) = delete;
  PostgresOrderWriter& operator=(const PostgresOrderWriter&) = delete;

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
  void writeBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results);
  void attemptBatch(std::vector<Pending>& batch, std::vector<Result<Placed>>& results);
  Result<Placed> placeOne(domain::Order& order);
  Result<Placed> replayOrConflict(const domain::Order& order);

  PostgresConfig pg_;
  WriterConfig cfg_;
  std::string display_url_;
  std::unique_ptr<pg::Connection> conn_;  // used only by the writer thread after start

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;  // guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_

  std::mutex shutdown_mutex_;  // makes concurrent shutdown() calls wait for the join
  std::thread thread_;
};

}  // namespace warung::store::postgres
