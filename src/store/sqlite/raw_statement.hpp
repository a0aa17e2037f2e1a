#pragma once
// Internal to store/sqlite: a prepared statement used through SQLite's C API, for the
// reads on the reseller API's hot path (status by ref_id, the latest orders) and the
// order writer's statements. Reading a value through SQLiteCpp builds a Column object
// that copies the statement's shared_ptr (two atomic operations) and returns text as a
// new std::string; a row of 24 columns read that way cost about as much as finding it.
// Here text is a string_view into SQLite's row, valid until the next step() or the
// reset, and text is bound where it lies, not copied.
//
// Threads: as its Connection (one thread at a time). Errors: the constructor throws
// std::runtime_error; bind(), step() and exec() throw a StatementError (a
// std::runtime_error) with SQLite's message and extended result code. The store edge
// turns either into kInternal.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace warung::store::sqlite::detail {

// What SQLite refused, with its extended result code (SQLITE_CONSTRAINT_UNIQUE, ...).
class StatementError : public std::runtime_error {
 public:
  StatementError(const std::string& what, int extended_code)
      : std::runtime_error(what), extended_code_(extended_code) {}
  int extendedCode() const { return extended_code_; }
  // The primary result code (SQLITE_BUSY, SQLITE_CONSTRAINT, ...).
  int code() const { return extended_code_ & 0xff; }

 private:
  int extended_code_;
};

class RawStatement {
 public:
  RawStatement(sqlite3* db, const char* query) : db_(db) {
    if (sqlite3_prepare_v3(db, query, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db);
      sqlite3_finalize(stmt_);
      throw std::runtime_error("cannot prepare '" + std::string(query) + "': " + message);
    }
  }
  ~RawStatement() { sqlite3_finalize(stmt_); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;

  void bind(int index, std::int64_t v) { check(sqlite3_bind_int64(stmt_, index, v)); }
  void bindNull(int index) { check(sqlite3_bind_null(stmt_, index)); }
  // Not copied: `v` must stay alive and unchanged until reset().
  void bindText(int index, std::string_view v) {
    check(sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }

  // True with a row to read, false when there are no more.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step failed: ");
  }

  // Runs a statement without a result row to its end; returns the rows it changed.
  int exec() {
    while (step()) {
    }
    return sqlite3_changes(db_);
  }

  // Column values of the current row; NULL reads as 0 and "".
  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string_view text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }

  // Readies the statement to run again with the same bindings (its read snapshot
  // released, unless another statement holds the transaction open).
  void rewind() { sqlite3_reset(stmt_); }  // the last step's error was reported by step()

  // Ends the current use: releases the read snapshot and every binding.
  void reset() {
    sqlite3_reset(stmt_);  // returns the last step's error, already reported by step()
    sqlite3_clear_bindings(stmt_);
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) fail("bind failed: ");
  }
  [[noreturn]] void fail(const char* what) const {
    std::string message(what);
    message += sqlite3_errmsg(db_);
    throw StatementError(message, sqlite3_extended_errcode(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a RawStatement when the scope ends, however it ends (see StatementUse).
class RawUse {
 public:
  explicit RawUse(RawStatement& s) : s_(s) {}
  RawUse(const RawUse&) = delete;
  RawUse& operator=(const RawUse&) = delete;
  ~RawUse() { s_.reset(); }
  RawStatement* operator->() { return &s_; }
  RawStatement& operator*() { return s_; }

 private:
  RawStatement& s_;
};

}  // namespace warung::store::sqlite::detail
