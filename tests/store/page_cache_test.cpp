// The page cache wrapper (store/sqlite/page_cache): truncations that cannot drop a
// page are skipped, the others reach pcache1, and a database written through it
// (page splits, a rollback that shrinks the file) stays intact.
#include "store/sqlite/page_cache.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "store/sqlite/connection.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using detail::Connection;
using testing::TempDir;

constexpr unsigned kPageSize = 4096;
constexpr unsigned kTempKey = 0x40000000 / kPageSize + 1;  // balance_nonroot's temporary number

// Opening a connection installs the wrapper (before SQLite's first use in a process).
const sqlite3_pcache_methods2& installedMethods(TempDir& dir) {
  Connection first(dir.file("first.db"), 5000, /*create=*/true, /*query_only=*/false);
  return pageCacheMethods();
}

bool cached(const sqlite3_pcache_methods2& m, sqlite3_pcache* c, unsigned key) {
  sqlite3_pcache_page* p = m.xFetch(c, key, 0);
  if (p != nullptr) m.xUnpin(c, p, 0);
  return p != nullptr;
}

void renumber(const sqlite3_pcache_methods2& m, sqlite3_pcache* c, unsigned from, unsigned to) {
  sqlite3_pcache_page* p = m.xFetch(c, from, 0);
  ASSERT_NE(p, nullptr) << "page " << from;
  m.xRekey(c, p, from, to);
  m.xUnpin(c, p, 0);
}

TEST(PageCache, SkipsOnlyTruncationsThatCannotDropAPage) {
  TempDir dir;
  const sqlite3_pcache_methods2& m = installedMethods(dir);
  ASSERT_NE(m.xCreate, nullptr) << "the wrapper was not prepared";
  sqlite3_pcache* c = m.xCreate(kPageSize, 64, 1);
  ASSERT_NE(c, nullptr);
  m.xCachesize(c, 100);  // room for every page: none is recycled when unpinned
  for (unsigned key = 1; key <= 10; ++key) {
    sqlite3_pcache_page* p = m.xFetch(c, key, 2);
    ASSERT_NE(p, nullptr);
    m.xUnpin(c, p, 0);
  }
  // A split's sort: 10 -> temporary, 3 -> 10, temporary -> 3.
  renumber(m, c, 10, kTempKey);
  renumber(m, c, 3, 10);
  renumber(m, c, kTempKey, 3);

  PageCacheStats before = pageCacheStats();
  m.xTruncate(c, 11);  // the end of the file is past every page: nothing to drop
  EXPECT_EQ(pageCacheStats().skipped, before.skipped + 1);
  EXPECT_EQ(pageCacheStats().truncations, before.truncations);
  EXPECT_TRUE(cached(m, c, 10));

  before = pageCacheStats();
  m.xTruncate(c, 6);  // pages 6..10 must go
  EXPECT_EQ(pageCacheStats().truncations, before.truncations + 1);
  for (unsigned key = 6; key <= 10; ++key) EXPECT_FALSE(cached(m, c, key)) << "page " << key;
  for (unsigned key = 1; key <= 5; ++key) EXPECT_TRUE(cached(m, c, key)) << "page " << key;

  // A page left at the temporary number is past any limit below it.
  renumber(m, c, 5, kTempKey);
  before = pageCacheStats();
  m.xTruncate(c, 6);
  EXPECT_EQ(pageCacheStats().truncations, before.truncations + 1);
  EXPECT_FALSE(cached(m, c, kTempKey));
  m.xDestroy(c);
}

std::string randomText(std::mt19937& rng) {
  std::string s(24 + rng() % 40, 'a');
  for (char& ch : s) ch = static_cast<char>('a' + rng() % 26);
  return s;
}

std::string integrity(SQLite::Database& db) { return db.execAndGet("PRAGMA integrity_check").getString(); }

TEST(PageCache, ADatabaseWrittenThroughItStaysIntact) {
  TempDir dir;
  installedMethods(dir);
  const std::string path = dir.file("splits.db");
  std::mt19937 rng(7);
  Connection conn(path, 5000, /*create=*/true, /*query_only=*/false);
  SQLite::Database& db = conn.db();
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  db.exec("CREATE INDEX t_v ON t (v)");  // random keys: page splits all over
  SQLite::Statement insert(db, "INSERT INTO t (v) VALUES (?1)");
  auto insertRows = [&](int n) {
    for (int i = 0; i < n; ++i) {
      insert.bind(1, randomText(rng));
      insert.exec();
      insert.reset();
    }
  };

  const PageCacheStats start = pageCacheStats();
  for (int txn = 0; txn < 20; ++txn) {
    db.exec("BEGIN");
    insertRows(500);
    db.exec("COMMIT");
  }
  EXPECT_GE(pageCacheStats().skipped, start.skipped + 20) << "every commit's truncation should be skipped";

  // A rollback of a transaction that grew the file: its new pages must leave the cache.
  const PageCacheStats before_rollback = pageCacheStats();
  db.exec("BEGIN");
  insertRows(5000);
  db.exec("ROLLBACK");
  EXPECT_GT(pageCacheStats().truncations, before_rollback.truncations);

  db.exec("BEGIN");
  insertRows(2000);
  db.exec("COMMIT");
  EXPECT_EQ(integrity(db), "ok");
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM t").getInt(), 12000);

  Connection other(path, 5000, /*create=*/false, /*query_only=*/true);
  EXPECT_EQ(integrity(other.db()), "ok");
  EXPECT_EQ(other.db().execAndGet("SELECT COUNT(*) FROM t").getInt(), 12000);
}

}  // namespace
}  // namespace warung::store::sqlite
