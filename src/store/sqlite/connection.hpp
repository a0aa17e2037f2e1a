#pragma once
// Internal to store/sqlite: what SqliteStore and SqliteOrderWriter share. A
// connection with its prepared-statement cache, the statement reset guard, and the
// readers that turn a row into a domain value. Not part of the storage interface.
//
// Threads: a Connection is used by one thread at a time (its owner serialises access).
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "domain/types.hpp"
#include "store/sqlite/malloc_cache.hpp"
#include "store/sqlite/page_cache.hpp"
#include "store/sqlite/raw_statement.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/wal_write_buffer.hpp"

namespace warung::store::sqlite::detail {

class Connection {
 public:
  // Opens (creating when `create`) and configures a connection. Throws
  // std::runtime_error naming `path` when SQLite refuses.
  //
  // A `process_writer` is one of this process's write connections to the file
  // (SqliteStore's and the order writer's). It goes through the WAL write buffer
  // (wal_write_buffer.hpp), and it shares one page cache with the process's other
  // write connections to the file (SQLite's shared-cache mode). A connection drops
  // its whole cache when it begins a transaction after another connection has
  // committed (SQLite cannot tell which pages changed); with a cache each, every
  // dispatcher commit during a burst of orders made the order writer read back each
  // page it touched next (75,000 reads in 7 s of an order run), and every batch of orders
  // did the same to the dispatcher. A shared cache has nothing to drop (about 1,000
  // reads). Connections sharing a cache fail with SQLITE_LOCKED where others would
  // wait; they never meet, as every transaction on them is taken during the
  // process's one write turn for the file (write_turn.hpp), and so is their set-up
  // (SQLite itself keeps them apart with the cache's mutex; closing one needs no turn).
  //
  // `cache_mib`: the page cache's size (shared write connections: the last one opened
  // sets it for all).
  // `through_vfs`: opened through the WAL write buffer VFS without being a process
  // writer (no shared cache), so that paceWriteback can pace its writes (the order
  // writer's checkpoint connection).
  Connection(const std::string& path, int busy_timeout_ms, bool create, bool query_only,
             bool process_writer = false, int cache_mib = sql::kDefaultCacheMib, bool through_vfs = false)
      : db_(open(path, create, busy_timeout_ms, process_writer, through_vfs)),
        busy_timeout_ms_(busy_timeout_ms) {
    try {
      db_.exec(sql::kPragmaSynchronousFull);
      db_.exec(sql::kPragmaForeignKeys);
      db_.exec("PRAGMA cache_size=-" + std::to_string(std::int64_t{cache_mib} * 1024));  // in KiB
      db_.exec(sql::kPragmaTempStoreMemory);
      if (query_only) db_.exec(sql::kPragmaQueryOnly);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("database " + path + ": " + e.what());
    }
  }

  Connection(const Connection&) = delete;  // SQLite holds `this` (retryBusySoon)
  Connection& operator=(const Connection&) = delete;

  SQLite::Database& db() { return db_; }

  // Closing this connection will not copy the WAL into the database file, as the last
  // connection to a file otherwise does. For after a failed sync of the WAL: the OS may
  // have dropped pages it never wrote, and a copy would read back older frames than
  // the WAL index names; the next start recovers from the WAL on disk, whose frames
  // carry checksums. Call only while no other thread uses the connection.
  void keepWalOnClose() { sqlite3_db_config(db_.getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr); }

  // Waiting for another connection's write lock in short steps instead of SQLite's.
  // Its own handler sleeps 1, 2, 5, 10, 15 ... 100 ms between tries: a writer that met
  // a 3 ms transaction slept 8 ms, and one that met several in a row (the dispatcher
  // claiming a backlog) slept through the gaps between them, up to 100 ms at a time.
  // After this call the connection tries again every 100 us (every millisecond once
  // it has waited 10 ms: then the holder is something slower, the CLI say), up to
  // busy_timeout_ms in all. For the order writer, whose every order waits with it.
  void retryBusySoon() { sqlite3_busy_handler(db_.getHandle(), &Connection::onBusy, this); }
  // Tries retryBusySoon's handler made, for tests.
  std::uint64_t busyRetries() const { return busy_retries_; }

  // Runs a statement without results (SAVEPOINT, RELEASE, BEGIN, COMMIT) through the
  // statement cache, so the hot path does not parse it again each time.
  void run(const char* query) {
    SQLite::Statement& s = statement(query);
    s.tryReset();
    s.exec();
    s.tryReset();
  }

  // The cached statement for `query` (one of the sql:: constants: the cache is keyed
  // by address; should one text ever have two addresses, that only costs a second
  // prepare), prepared on first use. Pair every use with a StatementUse.
  SQLite::Statement& statement(const char* query) {
    auto it = cache_.find(query);
    if (it == cache_.end()) {
      it = cache_.emplace(query, std::make_unique<SQLite::Statement>(db_, query)).first;
    }
    return *it->second;
  }

  // The same for a statement used through SQLite's C API (raw_statement.hpp), for the
  // reads on the reseller API's hot path. Pair every use with a RawUse.
  RawStatement& raw(const char* query) {
    auto it = raw_cache_.find(query);
    if (it == raw_cache_.end()) {
      it = raw_cache_.emplace(query, std::make_unique<RawStatement>(db_.getHandle(), query)).first;
    }
    return *it->second;
  }

 private:
  static SQLite::Database open(const std::string& path, bool create, int busy_timeout_ms, bool process_writer,
                               bool through_vfs) {
    configureLibraryOnce();
    const char* vfs = process_writer || through_vfs ? walWriteBufferVfs() : nullptr;
    try {
      // NOMUTEX: a connection is only ever used by one thread at a time (the writer
      // thread, the store's write turn, or a leased reader), so SQLite's per-call connection
      // lock is pure cost (about 15% of a status query's instructions).
      int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (create ? SQLite::OPEN_CREATE : 0);
      if (process_writer) flags |= SQLite::OPEN_SHAREDCACHE;
      return SQLite::Database(path.c_str(), flags, busy_timeout_ms, vfs);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("cannot open database " + path + ": " + e.what());
    }
  }

  // Process-wide settings, which SQLite accepts only before its first use. Memory
  // statistics off: with them on, every allocation SQLite makes takes one global
  // mutex (the order writer's and every reader's), for counters warung never reads.
  // If something opened a database first, SQLite refuses and keeps its defaults.
  // The allocator (malloc_cache.hpp) and the page cache wrapper (page_cache.hpp)
  // likewise.
  static void configureLibraryOnce() {
    static const bool configured = [] {
      sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
      installMallocCache();
      return installPageCache();
    }();
    (void)configured;
  }

  static int onBusy(void* self, int tries) {
    auto& c = *static_cast<Connection*>(self);
    const auto now = std::chrono::steady_clock::now();
    if (tries == 0) c.busy_since_ = now;
    const auto waited = now - c.busy_since_;
    if (waited >= std::chrono::milliseconds(c.busy_timeout_ms_)) return 0;
    ++c.busy_retries_;
    std::this_thread::sleep_for(waited < std::chrono::milliseconds(10) ? std::chrono::microseconds(100)
                                                                       : std::chrono::microseconds(1000));
    return 1;
  }

  SQLite::Database db_;  // declared first: destroyed after the statements below
  int busy_timeout_ms_;
  std::chrono::steady_clock::time_point busy_since_;  // onBusy's
  std::uint64_t busy_retries_ = 0;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> cache_;
  std::unordered_map<const char*, std::unique_ptr<RawStatement>> raw_cache_;
};

// Resets a cached statement and clears its bindings when the scope ends, whatever
// happened: a statement left mid-step would hold its read snapshot (or block COMMIT),
// and stale bindings would leak into its next use. tryReset because reset() rethrows
// the error of the last failed step.
class StatementUse {
 public:
  explicit StatementUse(SQLite::Statement& s) : s_(s) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() {
    s_.tryReset();
    try {
      s_.clearBindings();  // sqlite3_clear_bindings cannot fail; the wrapper may still throw
    } catch (...) {
    }
  }
  SQLite::Statement* operator->() { return &s_; }
  SQLite::Statement& operator*() { return s_; }

 private:
  SQLite::Statement& s_;
};

// SQLiteCpp binds std::string, not string_view.
inline void bindText(SQLite::Statement& s, int index, std::string_view v) { s.bind(index, std::string(v)); }
// A text column without a copy, valid until the statement steps or resets.
inline std::string_view textOf(const SQLite::Column& c) {
  return {c.getText(), static_cast<std::size_t>(c.size())};
}

// A value the schema should never hold (an unknown enum text): a broken invariant, so
// an exception that the store edge turns into kInternal.
template <class E>
E parsedOrThrow(std::optional<E> v, std::string_view column, std::string_view text) {
  if (!v) {
    throw std::runtime_error("unexpected value '" + std::string(text) + "' in column " + std::string(column));
  }
  return *v;
}

inline domain::LedgerReason parseLedgerReason(std::string_view s) {
  using domain::LedgerReason;
  for (LedgerReason r :
       {LedgerReason::kCredit, LedgerReason::kDebit, LedgerReason::kOrder, LedgerReason::kRefund}) {
    if (domain::toString(r) == s) return r;
  }
  throw std::runtime_error("unexpected value '" + std::string(s) + "' in column ledger.reason");
}

// The current row of a SQLiteCpp statement, read the way RawStatement reads one, so
// that one reader serves both (NULL reads as 0 and "").
class CppRow {
 public:
  explicit CppRow(SQLite::Statement& s) : s_(s) {}
  std::int64_t int64(int column) const { return s_.getColumn(column).getInt64(); }
  std::string text(int column) const { return s_.getColumn(column).getString(); }

 private:
  SQLite::Statement& s_;
};

// Reads a row laid out as WARUNG_ORDER_COLUMNS (sql.hpp) from a CppRow or a
// RawStatement. readOrderRowInto assigns every field of `o`, so one Order can be
// refilled row after row.
inline constexpr int kOrderIdColumn = 0;
inline constexpr int kOrderStatusColumn = 15;
// An order's status as the orders table holds it, in `column` of `r`; throws on a text
// no status has (a broken row).
template <class Row>
domain::OrderStatus readOrderStatus(const Row& r, int column = kOrderStatusColumn) {
  const auto text = r.text(column);
  return parsedOrThrow(domain::parseOrderStatus(text), "orders.status", text);
}
template <class Row>
void readOrderRowInto(const Row& r, domain::Order& o) {
  o.id = r.int64(kOrderIdColumn);
  o.ref_id = r.text(1);
  o.account_id = r.int64(2);
  const auto kind = r.text(3);
  o.kind = parsedOrThrow(domain::parseKind(kind), "orders.kind", kind);
  o.service_id = r.int64(4);
  o.service_code = r.text(5);
  o.service_name = r.text(6);
  o.category_key = r.text(7);
  o.data[0] = r.text(8);
  o.data[1] = r.text(9);
  o.data[2] = r.text(10);
  o.target = r.text(11);
  o.quantity = r.int64(12);
  o.unit_price = Money{r.int64(13)};
  o.charge = Money{r.int64(14)};
  o.status = readOrderStatus(r);
  o.start_count = r.int64(16);
  o.remain = r.int64(17);
  o.voucher = r.text(18);
  o.note = r.text(19);
  o.idempotency_key = r.text(20);
  o.fingerprint = r.text(21);
  o.created_at = r.int64(22);
  o.updated_at = r.int64(23);
}
template <class Row>
domain::Order readOrderRow(const Row& r) {
  domain::Order o;
  readOrderRowInto(r, o);
  return o;
}
inline domain::Order readOrder(SQLite::Statement& s) { return readOrderRow(CppRow(s)); }

// Text and NULL bound the same way through either statement type, for binders written
// once for both. Through SQLiteCpp the text is copied; through a RawStatement it is
// not, and must stay alive and unchanged until the statement is reset.
inline void bindTextAt(SQLite::Statement& s, int index, std::string_view v) { bindText(s, index, v); }
inline void bindTextAt(RawStatement& s, int index, std::string_view v) { s.bindText(index, v); }
inline void bindNullAt(SQLite::Statement& s, int index) { s.bind(index); }
inline void bindNullAt(RawStatement& s, int index) { s.bindNull(index); }

// Binds ?1..?7 of sql::kInsertLedger (through a RawStatement, `ref` is not copied).
template <class Statement>
void bindLedger(Statement& s, std::int64_t account_id, Money amount, Money balance_after,
                domain::LedgerReason reason, std::int64_t order_id, std::string_view ref, std::int64_t at) {
  s.bind(1, account_id);
  s.bind(2, amount.rupiah);
  s.bind(3, balance_after.rupiah);
  bindTextAt(s, 4, domain::toString(reason));
  if (order_id != 0) {
    s.bind(5, order_id);
  } else {
    bindNullAt(s, 5);  // NULL: not about an order
  }
  bindTextAt(s, 6, ref);
  s.bind(7, at);
}

}  // namespace warung::store::sqlite::detail
