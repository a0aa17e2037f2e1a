#pragma once
// Numbered schema migrations for the SQLite store.
//
// Each migration runs at most once per database file; the versions applied are kept in
// schema_migrations(version, applied_at). Both the server and the `warung` CLI open the
// same file, possibly at the same time, so migrate() takes the write lock first
// (BEGIN IMMEDIATE) and re-reads the applied versions under it.
//
// Migrations are append-only: never edit a published one, add the next number.
#include <span>
#include <string>

namespace SQLite {
class Database;
}

namespace warung::store::sqlite {

struct Migration {
  int version;
  const char* name;
  const char* sql;  // one or more statements, run inside the migration transaction
};

// All known migrations, in ascending version order.
std::span<const Migration> migrations();

// The highest version this build knows.
int latestSchemaVersion();

// Applies every pending migration in one transaction. applied_at is the wall clock:
// it is bookkeeping for operators, nothing reads it back.
// Throws std::runtime_error naming `path` when the file carries a version this build
// does not know (written by a newer warung), or when SQLite fails.
void migrate(SQLite::Database& db, const std::string& path);

}  // namespace warung::store::sqlite
