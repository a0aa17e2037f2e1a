#pragma once
// Internal to store/postgres: a thin RAII wrapper over libpq. A Connection owns a
// PGconn and its prepared statements; Rows owns a PGresult; Params holds the values
// of one statement. Every value travels as a bound parameter (PQexecPrepared /
// PQexecParams, text format); only constant SQL is ever sent as text.
//
// Failures throw pg::Error, which carries what the store edge needs to decide: the
// SQLSTATE, the constraint a violation names, and whether the connection was lost.
// Messages hold the server's primary message only (never DETAIL, which can quote row
// values) and never the connection URL's password.
//
// Threads: a Connection is used by one thread at a time (its owner serialises access).
#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace warung::store::postgres::pg {

// The URL with any password replaced by "***", for logs and error messages.
std::string redactUrl(std::string_view url);

class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate, std::string constraint, bool connection_lost)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)),
        connection_lost_(connection_lost) {}

  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }  // "" when none was named
  bool connectionLost() const { return connection_lost_; }

  bool uniqueViolation() const { return sqlstate_ == "23505"; }
  bool foreignKeyViolation() const { return sqlstate_ == "23503"; }
  // Text the server cannot store (invalid UTF-8, a NUL byte): the caller's input.
  bool badText() const { return sqlstate_ == "22021" || sqlstate_ == "22P05"; }
  // The server rolled the transaction back (serialization failure, deadlock) or the
  // connection dropped before COMMIT was sent: running the whole transaction again
  // on a healthy connection is safe.
  bool retryable() const { return connection_lost_ || sqlstate_ == "40001" || sqlstate_ == "40P01"; }

 private:
  std::string sqlstate_;
  std::string constraint_;
  bool connection_lost_;
};

// COMMIT was sent but its answer never came (the connection dropped): the transaction
// may or may not have committed. Never retried automatically.
class CommitUnknown : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The values of one statement, $1.. in the order added.
class Params {
 public:
  Params() = default;
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;

  Params& add(std::int64_t v);
  Params& add(int v) { return add(static_cast<std::int64_t>(v)); }
  Params& add(std::string_view v);
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(bool v);
  Params& addNull();
  // A bigint[] ("{1,2,3}").
  Params& addArray(const std::vector<std::int64_t>& v);

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }

 private:
  std::deque<std::string> storage_;  // a deque: pointers into it stay valid as it grows
  std::vector<const char*> values_;
};

// The rows (or command result) of one statement. Text format throughout.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  Rows(Rows&&) noexcept = default;
  Rows& operator=(Rows&&) noexcept = default;

  int size() const { return PQntuples(r_.get()); }
  bool empty() const { return size() == 0; }
  bool isNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string str(int row, int col) const { return std::string(text(row, col)); }
  // Throws std::runtime_error when the column is not an integer (a broken invariant).
  std::int64_t int64(int row, int col) const;
  bool boolean(int row, int col) const { return text(row, col) == "t"; }
  // Rows an INSERT/UPDATE/DELETE touched.
  std::int64_t affected() const;
  std::string_view commandStatus() const { return PQcmdStatus(r_.get()); }

 private:
  struct Free {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Free> r_;
};

class Connection {
 public:
  // Connects; throws pg::Error (connectionLost) naming the redacted URL on failure.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  // Idle: connected, and no transaction open or left failed.
  bool idle() const { return ok() && PQtransactionStatus(conn_) == PQTRANS_IDLE; }
  bool inFailedTransaction() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

  // Runs `sql`, one of the sql:: constants, prepared on first use on this connection
  // (keyed by address: should one text have two addresses, that costs a second prepare).
  Rows run(const char* sql, const Params& params);
  Rows run(const char* sql) { return run(sql, Params{}); }
  // Runs text built at run time (the fixed fragments of a filter), unprepared.
  Rows runText(const std::string& sql, const Params& params);
  // Runs one or more parameterless statements (schema, transaction control).
  Rows exec(const char* sql);

  // COPY ... FROM STDIN: copyIn starts it, copyPut sends rows in COPY's text format
  // (any chunking), copyEnd finishes it and throws pg::Error when the server refused
  // a row. Between copyIn and copyEnd nothing else may run on this connection.
  void copyIn(const std::string& sql);
  void copyPut(std::string_view data);
  void copyEnd();

 private:
  Rows check(PGresult* r, const char* what);

  PGconn* conn_ = nullptr;
  std::unordered_map<const char*, std::string> prepared_;  // sql -> statement name
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called. commit()
// throws pg::Error when the server refuses (retryable for serialization failures),
// CommitUnknown when the connection dropped while committing, and pg::Error when the
// transaction had already failed (COMMIT would silently roll back).
class Transaction {
 public:
  explicit Transaction(Connection& c, const char* begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace warung::store::postgres::pg
