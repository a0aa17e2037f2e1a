#pragma once
// Internal to store/sqlite: what SqliteStore and SqliteOrderWriter share. A
// connection with its prepared-statement cache, the statement reset guard, and the
// readers that turn a row into a domain value. Not part of the storage interface.
//
// Threads: a Connection is used by one thread at a time (its owner serialises access).
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/types.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/wal_write_buffer.hpp"

namespace warung::store::sqlite::detail {

class Connection {
 public:
  // Opens (creating when `create`) and configures a connection; `buffer_wal_writes`
  // opens it through the WAL write buffer (wal_write_buffer.hpp). Throws
  // std::runtime_error naming `path` when SQLite refuses.
  Connection(const std::string& path, int busy_timeout_ms, bool create, bool query_only,
             bool buffer_wal_writes = false)
      : db_(open(path, create, busy_timeout_ms, buffer_wal_writes)) {
    try {
      db_.exec(sql::kPragmaSynchronousFull);
      db_.exec(sql::kPragmaForeignKeys);
      db_.exec(sql::kPragmaCacheSize);
      db_.exec(sql::kPragmaTempStoreMemory);
      if (query_only) db_.exec(sql::kPragmaQueryOnly);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("database " + path + ": " + e.what());
    }
  }

  SQLite::Database& db() { return db_; }

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

 private:
  static SQLite::Database open(const std::string& path, bool create, int busy_timeout_ms,
                               bool buffer_wal_writes) {
    configureLibraryOnce();
    const char* vfs = buffer_wal_writes ? walWriteBufferVfs() : nullptr;
    try {
      // NOMUTEX: a connection is only ever used by one thread at a time (the writer
      // thread, the write mutex, or a leased reader), so SQLite's per-call connection
      // lock is pure cost (about 15% of a status query's instructions).
      const int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (create ? SQLite::OPEN_CREATE : 0);
      return SQLite::Database(path.c_str(), flags, busy_timeout_ms, vfs);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("cannot open database " + path + ": " + e.what());
    }
  }

  // Process-wide settings, which SQLite accepts only before its first use. Memory
  // statistics off: with them on, every allocation SQLite makes takes one global
  // mutex (the order writer's and every reader's), for counters warung never reads.
  // If something opened a database first, SQLite refuses and keeps its defaults.
  static void configureLibraryOnce() {
    static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)configured;
  }

  SQLite::Database db_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> cache_;
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

// Binds text that SQLite reads where it is (SQLITE_STATIC) instead of copying it twice
// (into a std::string for SQLiteCpp, then SQLite's own copy): `v` must stay alive and
// unchanged until the statement is reset, as the fields of an order being inserted do.
inline void bindTextInPlace(SQLite::Statement& s, int index, const std::string& v) { s.bindNoCopy(index, v); }

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

// Reads a row laid out as WARUNG_ORDER_COLUMNS (sql.hpp).
inline domain::Order readOrder(SQLite::Statement& s) {
  domain::Order o;
  o.id = s.getColumn(0).getInt64();
  o.ref_id = s.getColumn(1).getString();
  o.account_id = s.getColumn(2).getInt64();
  const std::string kind = s.getColumn(3).getString();
  o.kind = parsedOrThrow(domain::parseKind(kind), "orders.kind", kind);
  o.service_id = s.getColumn(4).getInt64();
  o.service_code = s.getColumn(5).getString();
  o.service_name = s.getColumn(6).getString();
  o.category_key = s.getColumn(7).getString();
  o.data[0] = s.getColumn(8).getString();
  o.data[1] = s.getColumn(9).getString();
  o.data[2] = s.getColumn(10).getString();
  o.target = s.getColumn(11).getString();
  o.quantity = s.getColumn(12).getInt64();
  o.unit_price = Money{s.getColumn(13).getInt64()};
  o.charge = Money{s.getColumn(14).getInt64()};
  const std::string status = s.getColumn(15).getString();
  o.status = parsedOrThrow(domain::parseOrderStatus(status), "orders.status", status);
  o.start_count = s.getColumn(16).getInt64();
  o.remain = s.getColumn(17).getInt64();
  o.voucher = s.getColumn(18).getString();
  o.note = s.getColumn(19).getString();
  o.idempotency_key = s.getColumn(20).getString();  // NULL reads as ""
  o.fingerprint = s.getColumn(21).getString();
  o.created_at = s.getColumn(22).getInt64();
  o.updated_at = s.getColumn(23).getInt64();
  return o;
}

// Binds ?1..?7 of sql::kInsertLedger.
inline void bindLedger(SQLite::Statement& s, std::int64_t account_id, Money amount, Money balance_after,
                       domain::LedgerReason reason, std::int64_t order_id, std::string_view ref,
                       std::int64_t at) {
  s.bind(1, account_id);
  s.bind(2, amount.rupiah);
  s.bind(3, balance_after.rupiah);
  bindText(s, 4, domain::toString(reason));
  if (order_id != 0) {
    s.bind(5, order_id);
  } else {
    s.bind(5);  // NULL: not about an order
  }
  bindText(s, 6, ref);
  s.bind(7, at);
}

}  // namespace warung::store::sqlite::detail
