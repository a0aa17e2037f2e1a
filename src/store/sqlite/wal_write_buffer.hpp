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
// Connections opened without this VFS are not affected. The order writer's checkpoint
// connection is opened through it too, for paceWriteback (below); it writes no WAL.
//
// One exception to "SQLite syncs before a commit is reported", for the order writer's
// pipelined group commit (order_writer.hpp): while a DeferWalSync lives on a thread,
// a commit's sync of a WAL file (by a connection through this VFS, on that thread)
// writes the buffer out but does not sync; the DeferWalSync then names the file's
// descriptor, and its owner syncs it later, before it tells anyone of the commit.
// Only the commit's sync is deferred: the sync of a new WAL header after the WAL
// started over (SQLite's guard against out-of-order writes after a restart) and every
// checkpoint's syncs still happen in place. The commit is visible to other connections
// before it is on disk: see order_writer.hpp for why nothing acts on it too early.
#include <sqlite3.h>

#include <cstddef>
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
  std::uint64_t wal_syncs = 0;         // WAL syncs passed on to the OS
  std::uint64_t deferred_syncs = 0;    // WAL syncs left owed to a DeferWalSync
  std::uint64_t writeback_rounds = 0;  // paced writebacks of database files (paceWriteback)
  std::uint64_t writeback_bytes = 0;   // the bytes they handed over
};
WalWriteBufferStats walWriteBufferStats();

// fdatasync(fd): 0, or the errno it failed with. What a deferred sync runs by default.
int syncWalFile(int fd);

// Paces the writes `db` (a connection opened through this VFS) makes to its database
// file: every `bytes` written, they are handed to the disk and waited for
// (sync_file_range), instead of staying dirty in the page cache until the next sync
// writes them all at once. For the checkpoint thread (order_writer.hpp): a copy of the
// WAL writes tens of megabytes of scattered pages, and the sync of the database file
// that followed queued them all ahead of the order writer's next WAL sync, which then
// took 5-20 ms where it takes 0.3. The pacing is advisory: syncs still make the
// writes durable. Once per connection; false when `bytes` is 0, when `db`'s file is
// not this VFS's or is paced already.
bool paceWriteback(sqlite3* db, std::size_t bytes);

// Defers the commit syncs of WAL files made on the constructing thread, for its
// lifetime (see above). Not nestable; one thread, one scope.
class DeferWalSync {
 public:
  DeferWalSync();
  ~DeferWalSync();
  DeferWalSync(const DeferWalSync&) = delete;
  DeferWalSync& operator=(const DeferWalSync&) = delete;

  // A descriptor of the WAL file whose commit sync was deferred in this scope (the
  // VFS's own, open as long as SQLite keeps the file open), or -1 when none was:
  // fdatasync(owedFd()) makes the commit durable.
  int owedFd() const { return owed_fd_; }

 private:
  friend struct DeferWalSyncAccess;
  int owed_fd_ = -1;
};

}  // namespace warung::store::sqlite
