#pragma once
// Internal to store/sqlite: what the translation units of SqliteStore share
// (sqlite_store.cpp for the Store, dispatch_store.cpp for the DispatchStore): the
// store edge that turns exceptions into kInternal, constraint checks, the pooled
// read connection lease and the write transaction. Not part of the storage interface.
#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <cstring>
#include <exception>
#include <memory>
#include <string_view>
#include <utility>

#include "common/result.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/wal_write_buffer.hpp"
#include "store/sqlite/write_turn.hpp"

namespace warung::store::sqlite {
namespace detail {

// The largest list any method returns (the CLI's largest --limit).
inline constexpr int kMaxListLimit = 1000000;

inline Error storageError() { return makeError(Errc::kInternal, "storage error"); }

// The store edge: anything SQLite (or a broken invariant) throws becomes kInternal,
// with the cause in the log and a generic detail for the client.
template <class F>
auto atEdge(const char* op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    spdlog::error("sqlite store: {} failed: {}", op, e.what());
    return storageError();
  }
}

inline bool isUniqueViolation(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE ||
         e.getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY;
}

inline bool isForeignKeyViolation(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_FOREIGNKEY;
}

inline bool mentions(const SQLite::Exception& e, std::string_view column) {
  return std::string_view(e.what()).find(column) != std::string_view::npos;
}

}  // namespace detail

// A pooled read connection, returned to the pool on destruction.
class SqliteStore::ReadLease {
 public:
  ReadLease(SqliteStore& store, std::unique_ptr<detail::Connection> c) : store_(&store), c_(std::move(c)) {}
  ReadLease(ReadLease&& o) noexcept : store_(o.store_), c_(std::move(o.c_)) {}
  ReadLease& operator=(ReadLease&&) = delete;
  ~ReadLease() {
    if (c_) store_->releaseReader(std::move(c_));
  }
  detail::Connection& operator*() { return *c_; }
  detail::Connection* operator->() { return c_.get(); }

 private:
  SqliteStore* store_;
  std::unique_ptr<detail::Connection> c_;
};

// A transaction on the store's write connection: the process's write turn for the
// file (write_turn.hpp), then BEGIN IMMEDIATE. Rolled back unless committed, and the
// turn released after that.
class SqliteStore::WriteTransaction {
 public:
  explicit WriteTransaction(SqliteStore& store)
      : store_(store),
        turn_(*store.write_turn_, store.turn_wait_),
        tx_(store.writer_->db(), SQLite::TransactionBehavior::IMMEDIATE) {}

  // Commits and returns once the commit is on disk. With overlap_sync the COMMIT leaves
  // its WAL sync owed and it is made after the turn is given back: the order writer's
  // next batch no longer waits for this write's fsync (a dispatcher claim held the
  // turn for about 1.4 ms, a third of it the fsync; bench/README.md). Meanwhile the
  // commit is visible and not yet durable, as a batch of orders is before its sync
  // (order_writer.hpp says why nothing acts on it); the caller acts only after this
  // returns. A failed sync stops every write to the file in this process
  // (WriteTurn::walSyncFailed) and throws.
  void commit() {
    if (!store_.cfg_.overlap_sync) {
      tx_.commit();
      return;
    }
    int owed_fd = -1;
    {
      DeferWalSync defer;
      tx_.commit();
      owed_fd = defer.owedFd();
    }
    turn_.release();
    if (owed_fd < 0) return;  // synced in place (nothing written, or SQLite's own header sync)
    if (const int err = store_.cfg_.sync_file(owed_fd); err != 0) {
      store_.write_turn_->markWalSyncFailed();
      spdlog::critical(
          "sqlite store: {}: syncing the WAL after a commit failed ({}): the write may or may not "
          "be on disk; no write is taken until the server is restarted",
          store_.path_, std::strerror(err));
      throw std::runtime_error("syncing the WAL failed");
    }
  }

 private:
  SqliteStore& store_;
  WriteTurnHold turn_;
  SQLite::Transaction tx_;
};

}  // namespace warung::store::sqlite
