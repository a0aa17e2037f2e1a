#pragma once
// The turn to write to one database file, shared by the connections of one process
// that write to it: SqliteStore's (the dispatcher, the webhook sender, the console,
// order transitions) and the order writer's. First come, first served.
//
// SQLite alone gives no such order. A connection that finds the write lock taken
// sleeps in its busy handler and retries; one that asks again the moment it commits
// wins nearly every race against it. Under a burst the order writer, committing batch
// after batch, kept the dispatcher out for seconds (8,000 of 138,000 orders claimed
// in an 8 s run), and when the dispatcher got in, its claims back to back kept the
// writer out for up to 60 ms. Taking this turn before BEGIN makes each wait for at
// most the transactions that asked before it. Other processes (the CLI) still meet
// SQLite's lock and busy handler.
//
// The turn is also what keeps the process's write connections to one file apart:
// they share one page cache (connection.hpp), and connections sharing a cache do not
// wait for each other's locks, they fail (SQLITE_LOCKED). So there is one turn per file
// per process (processWriteTurn), and every transaction on those connections is
// taken during it.
//
// It also carries whether a deferred sync of the file's WAL failed (walSyncFailed):
// both connections commit without syncing in place (the order writer's sync thread,
// the store's commit after giving the turn back) and the flag stops both, and with
// them every copy of the WAL into the database file (the checkpoints; at close,
// Connection::keepWalOnClose).
//
// Threads: any. Not recursive: a holder that asks again waits for itself forever.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include "store/sqlite/pending_targets.hpp"

namespace warung::store::sqlite {

class WriteTurn {
 public:
  // Waits until every caller that came before has had its turn and given it back.
  void lock() {
    std::unique_lock l(mutex_);
    const std::uint64_t ticket = next_++;
    turn_.wait(l, [&] { return serving_ == ticket; });
  }
  // As lock(), but gives up after `timeout` (false): its place in the queue is then
  // skipped, and those behind it keep theirs.
  bool try_lock_for(std::chrono::milliseconds timeout) {
    std::unique_lock l(mutex_);
    const std::uint64_t ticket = next_++;
    if (turn_.wait_for(l, timeout, [&] { return serving_ == ticket; })) return true;
    given_up_.insert(ticket);
    return false;
  }
  void unlock() {
    {
      std::lock_guard l(mutex_);
      ++serving_;
      while (given_up_.erase(serving_) == 1) ++serving_;
    }
    turn_.notify_all();  // a few waiters at most: the one whose ticket it is goes
  }
  // The orders pending under each key, for the duplicate-pending rule
  // (pending_targets.hpp): one per file per process like the turn, and used only by
  // its holder (the order writer places orders, the store makes them final).
  PendingTargets& pendingTargets() { return pending_targets_; }

  // A sync of the WAL that a commit had left owed failed: the OS may have dropped pages
  // a committed transaction wrote, so nothing in this process writes to the file again
  // until a restart (the order writer refuses orders, the store's writes fail), as
  // PostgreSQL stops on a failed fsync. Set by whichever connection's sync failed.
  bool walSyncFailed() const { return wal_sync_failed_.load(std::memory_order_acquire); }
  void markWalSyncFailed() { wal_sync_failed_.store(true, std::memory_order_release); }

  // Callers waiting for the turn (the holder not counted), for tests.
  std::size_t waiting() const {
    std::lock_guard l(mutex_);
    const auto queued = static_cast<std::size_t>(next_ - serving_) - given_up_.size();
    return queued - (queued > 0 ? 1 : 0);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable turn_;
  std::uint64_t next_ = 0;            // the ticket the next caller gets
  std::uint64_t serving_ = 0;         // the ticket whose turn it is
  std::set<std::uint64_t> given_up_;  // tickets after serving_ whose callers left
  PendingTargets pending_targets_;    // used only by the turn's holder
  std::atomic<bool> wal_sync_failed_{false};
};

// The turn to write to the database file at `path` in this process, the same for every
// caller naming that file (by any path: the key is the file's canonical path). Kept
// while someone holds it; a later caller after the last one let go gets a new one.
std::shared_ptr<WriteTurn> processWriteTurn(const std::string& path);

// Holds a WriteTurn until its scope ends or release(), having waited at most `timeout`
// for it; throws std::runtime_error saying so when it was not free by then (at the
// store's edge: a storage error, as when SQLite's own busy timeout runs out), or when
// an earlier sync of the WAL failed (WriteTurn::walSyncFailed).
class WriteTurnHold {
 public:
  WriteTurnHold(WriteTurn& turn, std::chrono::milliseconds timeout) : turn_(turn) {
    if (!turn_.try_lock_for(timeout)) {
      throw std::runtime_error("database busy: no turn to write within " + std::to_string(timeout.count()) +
                               " ms");
    }
    if (turn_.walSyncFailed()) {
      turn_.unlock();
      throw std::runtime_error("an earlier sync of the WAL failed: no write is taken until a restart");
    }
  }
  ~WriteTurnHold() { release(); }
  WriteTurnHold(const WriteTurnHold&) = delete;
  WriteTurnHold& operator=(const WriteTurnHold&) = delete;

  void release() {
    if (held_) turn_.unlock();
    held_ = false;
  }

 private:
  WriteTurn& turn_;
  bool held_ = true;
};

}  // namespace warung::store::sqlite
