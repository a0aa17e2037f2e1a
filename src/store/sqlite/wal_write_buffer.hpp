#pragma once
// A SQLite VFS that gathers a connection's writes to its WAL file and hands them to
// the OS in one pwrite at the next sync, instead of two (frame header, page) for
// every page a transaction changed. Used by the process's write connections (the
// order writer's and SqliteStore's, connection.hpp): a batch of orders changes a few
// hundred pages, and one system call for all of them costs measurably less kernel
// time than hundreds (bench/README.md has the figures).
//
// Durability is unchanged: SQLite syncs the WAL before a commit is visible or
// reported (synchronous=FULL, which every warung connection sets), and the buffer is
// written out before that sync. Anything that needs the file as SQLite wrote it sees
// it: reads, size queries, truncation, a write that does not continue the buffered
// run, a buffer over 4 MiB, and closing the file all write the buffer out first.
// Frames still buffered when the process dies were never synced, so never committed.
// Connections opened without this VFS are not affected.
#include <cstdint>

namespace warung::store::sqlite {

// The VFS's name for sqlite3_open_v2 (registered on first call; not the default).
const char* walWriteBufferVfs();

// Counters for tests: writes SQLite made to WAL files through the VFS, the writes
// the OS received for them, and reads of any file (database or WAL) through the VFS.
struct WalWriteBufferStats {
  std::uint64_t writes = 0;
  std::uint64_t flushes = 0;
  std::uint64_t reads = 0;
};
WalWriteBufferStats walWriteBufferStats();

}  // namespace warung::store::sqlite
