// PostgresStore::loadTables and schemaVersion: the target side of `warung copy`.
#include <fmt/format.h>

#include "store/postgres/pg.hpp"
#include "store/postgres/pool.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/sql.hpp"
#include "store/postgres/store_internal.hpp"

namespace warung::store::postgres {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

// COPY's text format: tab-separated, \N for NULL, backslash escapes.
void appendField(std::string& out, const std::optional<std::string>& v) {
  if (!v) {
    out += "\\N";
    return;
  }
  for (char ch : *v) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += ch;
    }
  }
}

// Streams each table's rows into COPY ... FROM STDIN on the transaction's connection.
class Loader final : public RowSink {
 public:
  explicit Loader(pg::Connection& c) : c_(c) {}

  Status begin(const CopyTable& t) override {
    return guarded([&] {
      finish();
      if (std::string_view(t.name) == "change_versions") c_.exec(sql::kCopyClearVersions);
      c_.copyIn(fmt::format(sql::kCopyInFormat, t.name, t.columns));
      open_ = true;
      counts_.push_back({t.name, 0});
    });
  }

  Status row(const CopyRow& r) override {
    return guarded([&] {
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (i > 0) buf_ += '\t';
        appendField(buf_, r[i]);
      }
      buf_ += '\n';
      ++counts_.back().rows;
      if (buf_.size() >= kFlushBytes) flush();
    });
  }

  // Ends the COPY in progress, if any. Throws pg::Error.
  void finish() {
    if (!open_) return;
    flush();
    open_ = false;
    c_.copyEnd();
  }

  const std::vector<CopyReport::Table>& counts() const { return counts_; }

 private:
  template <class F>
  Status guarded(F&& f) {
    try {
      f();
      return okStatus();
    } catch (const std::exception& e) {
      // The server's primary message only (pg.hpp): no row values.
      return makeError(Errc::kInternal, std::string("target: ") + e.what());
    }
  }

  void flush() {
    if (buf_.empty()) return;
    c_.copyPut(buf_);
    buf_.clear();
  }

  pg::Connection& c_;
  std::string buf_;
  bool open_ = false;
  std::vector<CopyReport::Table> counts_;
};

Error copyError(const std::string& why) { return makeError(Errc::kInternal, why); }

}  // namespace

Result<int> PostgresStore::schemaVersion() {
  return detail::atEdge("schemaVersion", [&]() -> Result<int> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "schemaVersion",
                               [&](pg::Connection& c) -> Result<int> {
                                 return static_cast<int>(c.run(sql::kSelectSchemaVersion).int64(0, 0));
                               });
  });
}

Result<CopyReport> PostgresStore::loadTables(const std::function<Status(RowSink&)>& dump) {
  try {
    Pool::Lease c = pool_->acquire();
    pg::Transaction tx(*c);
    c->exec(sql::kCopyLockTables);

    std::string not_empty;
    for (const CopyTable& t : kCopyTables) {
      if (std::string_view(t.name) == "change_versions") continue;
      const std::int64_t n = c->runText(fmt::format(sql::kCopyCountFormat, t.name), pg::Params()).int64(0, 0);
      if (n > 0) not_empty += fmt::format("{}{} {}", not_empty.empty() ? "" : ", ", n, t.name);
    }
    if (!not_empty.empty()) {
      return makeError(Errc::kConflict, "the target database already has accounts or orders or other data (" +
                                            not_empty + "); warung copy only fills an empty database");
    }

    Loader loader(*c);
    if (auto st = dump(loader); !st) return st.error();
    loader.finish();

    for (const CopyTable& t : kCopyTables) {
      if (t.identity) c->runText(fmt::format(sql::kCopyMoveSequenceFormat, t.name), pg::Params());
    }
    c->exec(sql::kCopyBumpVersions);

    CopyReport report;
    for (const CopyReport::Table& sent : loader.counts()) {
      const std::int64_t n =
          c->runText(fmt::format(sql::kCopyCountFormat, sent.name), pg::Params()).int64(0, 0);
      if (n != sent.rows) {
        return copyError(fmt::format("verification failed: {} has {} rows in the target, {} in the source",
                                     sent.name, n, sent.rows));
      }
      report.tables.push_back(sent);
    }
    const std::int64_t unbalanced = c->exec(sql::kCopyUnbalancedAccounts).int64(0, 0);
    if (unbalanced > 0) {
      return copyError(
          fmt::format("verification failed: {} account(s) have a balance that differs from the sum "
                      "of their ledger",
                      unbalanced));
    }
    const pg::Rows totals = c->exec(sql::kCopyAccountTotals);
    report.accounts_balanced = totals.int64(0, 0);
    report.total_balance = totals.int64(0, 1);
    tx.commit();
    return report;
  } catch (const pg::CommitUnknown& e) {
    spdlog::error("postgres store: copy: outcome unknown: {}", e.what());
    return copyError(
        std::string("the connection dropped while committing; check the target before retrying: ") +
        e.what());
  } catch (const std::exception& e) {
    spdlog::error("postgres store: copy failed: {}", e.what());
    return copyError(e.what());
  }
}

}  // namespace warung::store::postgres
