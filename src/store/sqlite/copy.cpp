// SqliteStore::dumpTables and schemaVersion: the source side of `warung copy`.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/store_internal.hpp"

namespace warung::store::sqlite {

Result<int> SqliteStore::schemaVersion() {
  return detail::atEdge("schemaVersion", [&]() -> Result<int> {
    ReadLease c = acquireReader();
    detail::StatementUse q(c->statement(sql::kSelectSchemaVersion));
    if (!q->executeStep()) return 0;
    return q->getColumn(0).getInt();
  });
}

Status SqliteStore::dumpTables(RowSink& sink) {
  return detail::atEdge("dumpTables", [&]() -> Status {
    ReadLease c = acquireReader();
    c->run(sql::kBeginRead);
    // Read-only: ending it either way changes nothing; a failed COMMIT must not leave
    // the pooled connection inside the transaction.
    struct End {
      detail::Connection& c;
      ~End() {
        try {
          c.db().exec(sql::kRollback);
        } catch (...) {
        }
      }
    } end{*c};
    for (const CopyTable& t : kCopyTables) {
      if (auto st = sink.begin(t); !st) return st;
      SQLite::Statement q(c->db(), fmt::format(sql::kCopySelectFormat, t.columns, t.name));
      const int n = q.getColumnCount();
      CopyRow row(static_cast<std::size_t>(n));
      while (q.executeStep()) {
        for (int i = 0; i < n; ++i) {
          const SQLite::Column col = q.getColumn(i);
          if (col.isNull()) {
            row[i].reset();
          } else {
            row[i] = col.getString();  // integers as decimal text
          }
        }
        if (auto st = sink.row(row); !st) return st;
      }
    }
    return okStatus();
  });
}

}  // namespace warung::store::sqlite
