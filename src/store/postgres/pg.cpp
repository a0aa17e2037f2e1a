#include "store/postgres/pg.hpp"

#include <charconv>
#include <string>

namespace warung::store::postgres::pg {
namespace {

std::string field(const PGresult* r, int code) {
  const char* v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
  return v != nullptr ? std::string(v) : std::string();
}

// libpq's own messages span lines and end in a newline: one line for the log.
std::string trimmed(std::string s) {
  for (char& ch : s) {
    if (ch == '\n' || ch == '\t') ch = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::string out;
  for (char ch : s) {
    if (ch == ' ' && !out.empty() && out.back() == ' ') continue;
    out += ch;
  }
  return out;
}

}  // namespace

std::string redactUrl(std::string_view url) {
  // postgresql://user:password@host/...: the password is between the first ':' after
  // the scheme and the '@' that ends the user info.
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    // key=value form: drop a password=... pair.
    std::string out(url);
    const std::size_t p = out.find("password=");
    if (p != std::string::npos) {
      std::size_t end = out.find(' ', p);
      out.replace(p, end == std::string::npos ? std::string::npos : end - p, "password=***");
    }
    return out;
  }
  const std::size_t start = scheme + 3;
  const std::size_t at = url.find('@', start);
  const std::size_t slash = url.find('/', start);
  std::string out(url);
  if (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) {
    const std::size_t colon = url.find(':', start);
    if (colon != std::string_view::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  const std::size_t q = out.find("password=");
  if (q != std::string::npos) {
    std::size_t end = out.find('&', q);
    out.replace(q, end == std::string::npos ? std::string::npos : end - q, "password=***");
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Params

Params& Params::add(std::int64_t v) {
  storage_.push_back(std::to_string(v));
  values_.push_back(storage_.back().c_str());
  return *this;
}

Params& Params::add(std::string_view v) {
  storage_.emplace_back(v);
  values_.push_back(storage_.back().c_str());
  return *this;
}

Params& Params::add(bool v) {
  values_.push_back(v ? "true" : "false");
  return *this;
}

Params& Params::addNull() {
  values_.push_back(nullptr);
  return *this;
}

Params& Params::addArray(const std::vector<std::int64_t>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(v[i]);
  }
  s += '}';
  storage_.push_back(std::move(s));
  values_.push_back(storage_.back().c_str());
  return *this;
}

// ---------------------------------------------------------------------------------
// Rows

std::int64_t Rows::int64(int row, int col) const {
  const std::string_view t = text(row, col);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size()) {
    throw std::runtime_error("column " + std::string(PQfname(r_.get(), col)) + " is not an integer: '" +
                             std::string(t) + "'");
  }
  return v;
}

std::int64_t Rows::affected() const {
  const char* n = PQcmdTuples(r_.get());
  if (n == nullptr || *n == '\0') return 0;
  return std::stoll(n);
}

// ---------------------------------------------------------------------------------
// Connection

Connection::Connection(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (conn_ == nullptr) throw Error("cannot connect to " + redactUrl(url) + ": out of memory", "", "", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error("cannot connect to " + redactUrl(url) + ": " + why, "", "", true);
  }
  // Notices (e.g. "relation already exists, skipping") are not worth a log line.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Rows Connection::check(PGresult* r, const char* what) {
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Rows(r);
  Rows owned(r);  // freed whatever happens next
  std::string sqlstate = field(r, PG_DIAG_SQLSTATE);
  std::string message = field(r, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  const bool lost = PQstatus(conn_) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate == "57P01" ||
                    sqlstate == "57P02" || sqlstate == "57P03";
  std::string text = std::string(what) + ": " + message;
  if (!sqlstate.empty()) text += " (SQLSTATE " + sqlstate + ")";
  throw Error(text, std::move(sqlstate), field(r, PG_DIAG_CONSTRAINT_NAME), lost);
}

Rows Connection::run(const char* sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "w" + std::to_string(prepared_.size());
    check(PQprepare(conn_, name.c_str(), sql, params.size(), nullptr), "prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  return check(PQexecPrepared(conn_, it->second.c_str(), params.size(), params.values(), nullptr, nullptr, 0),
               "statement");
}

Rows Connection::runText(const std::string& sql, const Params& params) {
  return check(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, params.values(), nullptr, nullptr, 0),
               "statement");
}

Rows Connection::exec(const char* sql) { return check(PQexec(conn_, sql), "statement"); }

void Connection::copyIn(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  if (r != nullptr && PQresultStatus(r) == PGRES_COPY_IN) {
    PQclear(r);
    return;
  }
  check(r, "copy");
  throw Error("copy: the server did not enter COPY mode", "", "", false);
}

void Connection::copyPut(std::string_view data) {
  if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    throw Error("copy: " + trimmed(PQerrorMessage(conn_)), "", "", PQstatus(conn_) != CONNECTION_OK);
  }
}

void Connection::copyEnd() {
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    throw Error("copy: " + trimmed(PQerrorMessage(conn_)), "", "", PQstatus(conn_) != CONNECTION_OK);
  }
  // The COPY's own result, then the end of results.
  PGresult* r = PQgetResult(conn_);
  Rows owned = check(r, "copy");
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
}

// ---------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Connection& c, const char* begin) : c_(c) { c_.exec(begin); }

Transaction::~Transaction() {
  if (done_ || !c_.ok()) return;
  try {
    c_.exec("ROLLBACK");
  } catch (...) {
    // The connection is unusable; the pool drops connections that are not idle.
  }
}

void Transaction::commit() {
  done_ = true;
  if (c_.inFailedTransaction()) {
    c_.exec("ROLLBACK");
    throw Error("commit: the transaction had already failed", "25P02", "", false);
  }
  try {
    c_.exec("COMMIT");
  } catch (const Error& e) {
    if (e.connectionLost()) throw CommitUnknown(std::string("commit outcome unknown: ") + e.what());
    throw;
  }
}

}  // namespace warung::store::postgres::pg
