#pragma once
// Numbered schema migrations for the PostgreSQL store: the same numbers, tables,
// columns, indexes and triggers as store/sqlite's, in PostgreSQL's dialect (BIGINT
// money and times, TEXT enums, BOOLEAN flags, identity ids, plpgsql trigger functions).
//
// Each migration runs at most once per database; the versions applied are kept in
// schema_migrations(version, applied_at). Many nodes may start at the same moment, so
// migrate() runs in one transaction that first takes a transaction-scoped advisory
// lock (kMigrationLockKey): the nodes queue on it, and each re-reads the applied
// versions once it holds the lock. The lock is released by COMMIT or ROLLBACK.
//
// Migrations are append-only: never edit a published one, add the next number, and
// add it to store/sqlite as well.
#include <cstdint>
#include <span>
#include <string>

#include "store/postgres/pg.hpp"

namespace warung::store::postgres {

struct Migration {
  int version;
  const char* name;
  const char* sql;  // one or more statements, run inside the migration transaction
};

// pg_advisory_xact_lock key taken while migrating ("warung" in ASCII).
inline constexpr std::int64_t kMigrationLockKey = 0x77'61'72'75'6e'67;

// All known migrations, in ascending version order.
std::span<const Migration> migrations();

// The highest version this build knows.
int latestSchemaVersion();

// Applies every pending migration in one transaction under the advisory lock.
// applied_at is the wall clock (bookkeeping for operators). Throws std::runtime_error
// naming `where` (the redacted URL) when the database carries a version this build
// does not know (written by a newer warung), or when PostgreSQL fails.
void migrate(pg::Connection& c, const std::string& where);

}  // namespace warung::store::postgres
