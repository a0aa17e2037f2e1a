#pragma once
// Internal to store/postgres: a bounded pool of connections to one database.
//
// Connections are opened lazily, up to `size`; acquire() waits while all are in use.
// A lease hands its connection back when destroyed, unless the connection is no
// longer idle (dropped by the server, or left inside a transaction by an exception):
// such a connection is closed, and the next acquire() opens a fresh one. So a server
// restart costs each pooled connection one failed attempt, which the store's retry
// absorbs.
//
// Threads: acquire() may be called from any thread; a lease is used by one thread.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/pg.hpp"

namespace warung::store::postgres {

class Pool {
 public:
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<pg::Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), c_(std::move(o.c_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->release(std::move(c_));
    }
    pg::Connection& operator*() { return *c_; }
    pg::Connection* operator->() { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<pg::Connection> c_;
  };

  // Opens no connection yet. `size` at least 1.
  Pool(std::string url, int size);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection, opened now if none is idle and fewer than `size` are open.
  // Throws pg::Error (connectionLost) when opening fails.
  Lease acquire();
  // Adds an already open connection (the one start-up migrated with).
  void adopt(std::unique_ptr<pg::Connection> c);

  const std::string& url() const { return url_; }

 private:
  void release(std::unique_ptr<pg::Connection> c);

  std::string url_;
  int size_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pg::Connection>> idle_;  // guarded by mutex_
  int open_ = 0;                                       // guarded by mutex_: idle + leased
};

}  // namespace warung::store::postgres
