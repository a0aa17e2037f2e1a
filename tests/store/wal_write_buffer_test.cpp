// The WAL write buffer VFS (store/sqlite/wal_write_buffer): what a connection writes
// through it is what every other connection reads, after commit and after reopening,
// and the OS gets far fewer writes than SQLite made.
#include "store/sqlite/wal_write_buffer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/connection.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using detail::Connection;
using testing::TempDir;

constexpr int kRows = 3000;

std::string payload(int i) { return std::string(2000, static_cast<char>('a' + i % 26)) + std::to_string(i); }

void expectAllRows(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT id, body FROM t ORDER BY id");
  int n = 0;
  while (q.executeStep()) {
    ASSERT_EQ(q.getColumn(0).getInt(), n);
    ASSERT_EQ(q.getColumn(1).getString(), payload(n)) << "row " << n;
    ++n;
  }
  EXPECT_EQ(n, kRows);
}

TEST(WalWriteBuffer, WhatOneConnectionCommitsEveryOtherReads) {
  TempDir dir;
  const std::string path = dir.file("buffered.db");
  const WalWriteBufferStats before = walWriteBufferStats();
  {
    Connection writer(path, 5000, /*create=*/true, /*query_only=*/false, /*process_writer=*/true);
    writer.db().exec("PRAGMA journal_mode=WAL");
    writer.db().exec("PRAGMA wal_autocheckpoint=0");  // everything stays in the WAL
    writer.db().exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    // About 6 MB in one transaction: more than the 4 MiB the buffer holds and far more
    // than the unix VFS takes in one write.
    writer.db().exec("BEGIN IMMEDIATE");
    SQLite::Statement insert(writer.db(), "INSERT INTO t (id, body) VALUES (?, ?)");
    for (int i = 0; i < kRows; ++i) {
      insert.bind(1, i);
      insert.bind(2, payload(i));
      insert.exec();
      insert.reset();
    }
    // Written again in the same transaction: pages already in the WAL are rewritten.
    writer.db().exec("UPDATE t SET body = body WHERE id % 7 = 0");
    writer.db().exec("COMMIT");

    // Another connection on the default VFS, while the writer is still open.
    Connection reader(path, 5000, /*create=*/false, /*query_only=*/true);
    expectAllRows(reader.db());

    // More small commits, each seen at once.
    for (int i = 0; i < 20; ++i) {
      writer.db().exec("UPDATE t SET body = body WHERE id = " + std::to_string(i));
      SQLite::Statement q(reader.db(), "SELECT COUNT(*) FROM t");
      ASSERT_TRUE(q.executeStep());
      EXPECT_EQ(q.getColumn(0).getInt(), kRows);
    }
  }
  const WalWriteBufferStats after = walWriteBufferStats();
  const auto writes = after.writes - before.writes;
  const auto flushes = after.flushes - before.flushes;
  EXPECT_GT(writes, 2u * 1500);  // two per page: the rows alone fill 1,500 pages
  EXPECT_LT(flushes * 20, writes) << flushes << " flushes for " << writes << " writes";

  // Reopened from the files alone.
  Connection again(path, 5000, /*create=*/false, /*query_only=*/true);
  expectAllRows(again.db());
  SQLite::Statement check(again.db(), "PRAGMA integrity_check");
  ASSERT_TRUE(check.executeStep());
  EXPECT_EQ(check.getColumn(0).getString(), "ok");
}

TEST(WalWriteBuffer, ARolledBackTransactionLeavesNothing) {
  TempDir dir;
  const std::string path = dir.file("rollback.db");
  Connection writer(path, 5000, true, false, true);
  writer.db().exec("PRAGMA journal_mode=WAL");
  writer.db().exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  writer.db().exec("INSERT INTO t VALUES (1, 'kept')");
  writer.db().exec("BEGIN IMMEDIATE");
  for (int i = 2; i < 3000; ++i) {
    writer.db().exec("INSERT INTO t VALUES (" + std::to_string(i) + ", '" + payload(i) + "')");
  }
  writer.db().exec("ROLLBACK");
  writer.db().exec("INSERT INTO t VALUES (2, 'after')");
  Connection reader(path, 5000, false, true);
  SQLite::Statement q(reader.db(), "SELECT group_concat(body, ',') FROM (SELECT body FROM t ORDER BY id)");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "kept,after");
}

}  // namespace
}  // namespace warung::store::sqlite
