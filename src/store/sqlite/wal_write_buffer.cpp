#include "store/sqlite/wal_write_buffer.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

namespace warung::store::sqlite {

struct DeferWalSyncAccess {
  static void owe(DeferWalSync& d, int fd) { d.owed_fd_ = fd; }
};

namespace {

constexpr const char* kName = "warung-wal-buffer";
constexpr std::size_t kMaxBuffered = 4 << 20;
// The unix VFS writes at most 128 KiB - 1 per call (it masks larger sizes and reports
// the short write as a full disk), so a flush hands the buffer over in pieces.
constexpr std::size_t kMaxWrite = 124 * 1024;

// A database file's writes not yet handed to the disk (paceWriteback): how many
// bytes, and the span of the file they lie in; and our own descriptor of the file for
// sync_file_range.
struct Writeback {
  std::size_t pace = 0;
  int fd = -1;
  std::size_t bytes = 0;
  sqlite3_int64 from = 0;
  sqlite3_int64 to = 0;
};

// What SQLite allocates per open file (szOsFile): this, then the underlying VFS's
// own file object, to which every call is passed on.
struct File {
  sqlite3_file base;        // first: SQLite reads pMethods from here
  sqlite3_file* real;       // the underlying file, in the same allocation after this
  std::string* buffer;      // WAL files only: bytes not yet given to the OS
  sqlite3_int64 buffer_at;  // the file offset of buffer's first byte
  int sync_fd;              // WAL files only: our own descriptor of it, for DeferWalSync; or -1
  Writeback* writeback;     // database files whose writes are paced (paceWriteback), or null
};
// A WAL file starts with a 32-byte header, which SQLite syncs on its own right after
// writing it when the WAL starts over; frames follow.
constexpr sqlite3_int64 kWalHeaderBytes = 32;
constexpr std::size_t kFileBytes = (sizeof(File) + 7) / 8 * 8;

sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;
std::atomic<std::uint64_t> g_writes{0};
std::atomic<std::uint64_t> g_flushes{0};
std::atomic<std::uint64_t> g_reads{0};
std::atomic<std::uint64_t> g_wal_syncs{0};
std::atomic<std::uint64_t> g_deferred_syncs{0};
std::atomic<std::uint64_t> g_writeback_rounds{0};
std::atomic<std::uint64_t> g_writeback_bytes{0};
thread_local DeferWalSync* t_defer = nullptr;

File& of(sqlite3_file* f) { return *reinterpret_cast<File*>(f); }
const sqlite3_io_methods& realMethods(File& f) { return *f.real->pMethods; }

int flush(File& f) {
  if (f.buffer == nullptr || f.buffer->empty()) return SQLITE_OK;
  g_flushes.fetch_add(1, std::memory_order_relaxed);
  int rc = SQLITE_OK;
  for (std::size_t at = 0; at < f.buffer->size() && rc == SQLITE_OK; at += kMaxWrite) {
    const std::size_t n = std::min(kMaxWrite, f.buffer->size() - at);
    rc = realMethods(f).xWrite(f.real, f.buffer->data() + at, static_cast<int>(n),
                               f.buffer_at + static_cast<sqlite3_int64>(at));
  }
  f.buffer->clear();
  return rc;
}

// Hands the writes gathered so far to the disk and waits until it has them. One call
// to start the writeback of the span they lie in and one to wait for it: the kernel
// walks only the span's dirty pages (a checkpoint writes pages in ascending order,
// scattered over the file), where a call per page cost the checkpoint thread a
// microsecond or two per page. Advisory only (the sync that follows is what makes the
// writes durable), so a failure here changes nothing but the pace.
void writeBack(Writeback& w) {
  if (w.bytes == 0) return;
  ::sync_file_range(w.fd, w.from, w.to - w.from, SYNC_FILE_RANGE_WRITE);
  ::sync_file_range(w.fd, w.from, w.to - w.from, SYNC_FILE_RANGE_WAIT_BEFORE);
  g_writeback_rounds.fetch_add(1, std::memory_order_relaxed);
  g_writeback_bytes.fetch_add(w.bytes, std::memory_order_relaxed);
  w.bytes = 0;
}

void noteWrite(Writeback& w, sqlite3_int64 offset, int amount) {
  if (w.bytes == 0) {
    w.from = offset;
    w.to = offset + amount;
  } else {
    w.from = std::min(w.from, offset);
    w.to = std::max(w.to, offset + amount);
  }
  w.bytes += static_cast<std::size_t>(amount);
  if (w.bytes >= w.pace) writeBack(w);
}

bool overlapsBuffer(const File& f, sqlite3_int64 offset, int amount) {
  if (f.buffer == nullptr || f.buffer->empty()) return false;
  const sqlite3_int64 end = f.buffer_at + static_cast<sqlite3_int64>(f.buffer->size());
  return offset < end && offset + amount > f.buffer_at;
}

int xClose(sqlite3_file* file) {
  File& f = of(file);
  flush(f);  // never synced, so never committed; written anyway to leave the file as SQLite wrote it
  delete f.buffer;
  f.buffer = nullptr;
  if (f.sync_fd >= 0) ::close(f.sync_fd);
  f.sync_fd = -1;
  if (f.writeback != nullptr) {
    if (f.writeback->fd >= 0) ::close(f.writeback->fd);
    delete f.writeback;
    f.writeback = nullptr;
  }
  return realMethods(f).xClose(f.real);
}

int xRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  File& f = of(file);
  g_reads.fetch_add(1, std::memory_order_relaxed);
  if (overlapsBuffer(f, offset, amount)) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  return realMethods(f).xRead(f.real, out, amount, offset);
}

int xWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File& f = of(file);
  if (f.writeback != nullptr) {
    const int rc = realMethods(f).xWrite(f.real, data, amount, offset);
    if (rc == SQLITE_OK) noteWrite(*f.writeback, offset, amount);
    return rc;
  }
  if (f.buffer == nullptr) return realMethods(f).xWrite(f.real, data, amount, offset);
  g_writes.fetch_add(1, std::memory_order_relaxed);
  std::string& b = *f.buffer;
  const sqlite3_int64 end = f.buffer_at + static_cast<sqlite3_int64>(b.size());
  if (!b.empty() && offset >= f.buffer_at && offset + amount <= end) {
    // A frame of this transaction written again (SQLite rewrites frames in place).
    std::memcpy(b.data() + (offset - f.buffer_at), data, static_cast<std::size_t>(amount));
    return SQLITE_OK;
  }
  if (!b.empty() && offset != end) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (b.empty()) f.buffer_at = offset;
  b.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
  return b.size() >= kMaxBuffered ? flush(f) : SQLITE_OK;
}

int xTruncate(sqlite3_file* file, sqlite3_int64 size) {
  File& f = of(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return realMethods(f).xTruncate(f.real, size);
}

int xSync(sqlite3_file* file, int flags) {
  File& f = of(file);
  // A commit's sync: frames after the header are waiting. (The header's own sync has
  // the header alone in the buffer; an empty buffer is synced in place, to be safe.)
  const bool deferrable = t_defer != nullptr && f.sync_fd >= 0 && f.buffer != nullptr && !f.buffer->empty() &&
                          f.buffer_at >= kWalHeaderBytes;
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  if (deferrable) {
    g_deferred_syncs.fetch_add(1, std::memory_order_relaxed);
    DeferWalSyncAccess::owe(*t_defer, f.sync_fd);
    return SQLITE_OK;
  }
  if (f.buffer != nullptr) g_wal_syncs.fetch_add(1, std::memory_order_relaxed);
  return realMethods(f).xSync(f.real, flags);
}

int xFileSize(sqlite3_file* file, sqlite3_int64* size) {
  File& f = of(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return realMethods(f).xFileSize(f.real, size);
}

int xLock(sqlite3_file* file, int lock) { return realMethods(of(file)).xLock(of(file).real, lock); }
int xUnlock(sqlite3_file* file, int lock) { return realMethods(of(file)).xUnlock(of(file).real, lock); }
int xCheckReservedLock(sqlite3_file* file, int* out) {
  return realMethods(of(file)).xCheckReservedLock(of(file).real, out);
}
int xFileControl(sqlite3_file* file, int op, void* arg) {
  return realMethods(of(file)).xFileControl(of(file).real, op, arg);
}
int xSectorSize(sqlite3_file* file) { return realMethods(of(file)).xSectorSize(of(file).real); }
int xDeviceCharacteristics(sqlite3_file* file) {
  return realMethods(of(file)).xDeviceCharacteristics(of(file).real);
}

// Version 2 and 3 methods: passed on when the underlying file has them.
int xShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  File& f = of(file);
  if (realMethods(f).iVersion < 2) return SQLITE_IOERR;
  return realMethods(f).xShmMap(f.real, page, size, extend, out);
}
int xShmLock(sqlite3_file* file, int offset, int n, int flags) {
  File& f = of(file);
  if (realMethods(f).iVersion < 2) return SQLITE_IOERR;
  return realMethods(f).xShmLock(f.real, offset, n, flags);
}
void xShmBarrier(sqlite3_file* file) {
  File& f = of(file);
  if (realMethods(f).iVersion >= 2) realMethods(f).xShmBarrier(f.real);
}
int xShmUnmap(sqlite3_file* file, int remove) {
  File& f = of(file);
  if (realMethods(f).iVersion < 2) return SQLITE_OK;
  return realMethods(f).xShmUnmap(f.real, remove);
}
int xFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  File& f = of(file);
  *out = nullptr;  // "no mapping": SQLite reads instead
  if (realMethods(f).iVersion < 3 || f.buffer != nullptr) return SQLITE_OK;
  return realMethods(f).xFetch(f.real, offset, amount, out);
}
int xUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  File& f = of(file);
  if (realMethods(f).iVersion < 3 || f.buffer != nullptr) return SQLITE_OK;
  return realMethods(f).xUnfetch(f.real, offset, p);
}

int xOpen(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  File& f = of(file);
  f.real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kFileBytes);
  f.buffer = nullptr;
  f.buffer_at = 0;
  f.sync_fd = -1;
  f.writeback = nullptr;
  const int rc = g_base->xOpen(g_base, name, f.real, flags, out_flags);
  // SQLite calls xClose when pMethods is set, even after a failed open; ours then
  // closes the underlying file exactly when it would have been closed.
  f.base.pMethods = f.real->pMethods != nullptr ? &g_methods : nullptr;
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
    f.buffer = new std::string();
    // The file SQLite just opened, by its name: fdatasync acts on the file, whichever
    // descriptor it is given. Without one, commit syncs are never deferred.
    if (name != nullptr) f.sync_fd = ::open(name, O_RDONLY | O_CLOEXEC);
  }
  return rc;
}

void registerOnce() {
  g_base = sqlite3_vfs_find(nullptr);
  if (g_base == nullptr) throw std::runtime_error("sqlite: no default VFS");
  // Everything but opening files is the default VFS's own (the unix VFS's other
  // functions do not depend on which sqlite3_vfs they are called through).
  g_vfs = *g_base;
  g_vfs.zName = kName;
  g_vfs.pNext = nullptr;
  g_vfs.szOsFile = static_cast<int>(kFileBytes) + g_base->szOsFile;
  g_vfs.xOpen = xOpen;

  g_methods = sqlite3_io_methods{};
  g_methods.iVersion = 3;
  g_methods.xClose = xClose;
  g_methods.xRead = xRead;
  g_methods.xWrite = xWrite;
  g_methods.xTruncate = xTruncate;
  g_methods.xSync = xSync;
  g_methods.xFileSize = xFileSize;
  g_methods.xLock = xLock;
  g_methods.xUnlock = xUnlock;
  g_methods.xCheckReservedLock = xCheckReservedLock;
  g_methods.xFileControl = xFileControl;
  g_methods.xSectorSize = xSectorSize;
  g_methods.xDeviceCharacteristics = xDeviceCharacteristics;
  g_methods.xShmMap = xShmMap;
  g_methods.xShmLock = xShmLock;
  g_methods.xShmBarrier = xShmBarrier;
  g_methods.xShmUnmap = xShmUnmap;
  g_methods.xFetch = xFetch;
  g_methods.xUnfetch = xUnfetch;

  if (sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) != SQLITE_OK) {
    throw std::runtime_error("sqlite: cannot register the WAL write buffer VFS");
  }
}

}  // namespace

int syncWalFile(int fd) { return ::fdatasync(fd) == 0 ? 0 : errno; }

bool paceWriteback(sqlite3* db, std::size_t bytes) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == nullptr ||
      file->pMethods != &g_methods) {
    return false;
  }
  File& f = of(file);
  if (bytes == 0 || f.writeback != nullptr) return false;
  const char* name = sqlite3_db_filename(db, "main");
  const int fd = name != nullptr ? ::open(name, O_RDONLY | O_CLOEXEC) : -1;
  if (fd < 0) return false;
  f.writeback = new Writeback{bytes, fd, 0, 0, 0};
  return true;
}

DeferWalSync::DeferWalSync() { t_defer = this; }
DeferWalSync::~DeferWalSync() { t_defer = nullptr; }

const char* walWriteBufferVfs() {
  static std::once_flag once;
  std::call_once(once, registerOnce);
  return kName;
}

WalWriteBufferStats walWriteBufferStats() {
  return {
      g_writes.load(std::memory_order_relaxed),         g_flushes.load(std::memory_order_relaxed),
      g_reads.load(std::memory_order_relaxed),          g_wal_syncs.load(std::memory_order_relaxed),
      g_deferred_syncs.load(std::memory_order_relaxed), g_writeback_rounds.load(std::memory_order_relaxed),
      g_writeback_bytes.load(std::memory_order_relaxed)};
}

}  // namespace warung::store::sqlite
