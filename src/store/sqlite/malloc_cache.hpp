#pragma once
// SQLite's memory allocator: the system's malloc behind per-thread lists of freed
// blocks, by size class.
//
// Why: Debian builds SQLite without its lookaside allocator (SQLITE_OMIT_LOOKASIDE),
// so every small allocation a statement makes goes to malloc: at the end of each
// statement SQLite frees the buffers of its registers (the records it built, its
// cursors) and the next run allocates them again, about 28 malloc/free pairs per order
// on the order writer, a tenth of its instructions (bench/README.md). Here a freed
// block of up to kLargestCached bytes goes onto the freeing thread's list for its size
// class (at most kBlocksPerClass per class and thread) and the next allocation of that
// class on that thread takes it back: a few dozen instructions, no lock. Larger blocks,
// and blocks past a full list, go to malloc and free as before.
//
// Installed process-wide before SQLite's first use (installMallocCache, called when
// the first connection opens); if SQLite was already initialised it keeps its own.
//
// Threads: any. A block freed on another thread than the one that allocated it joins
// the freeing thread's lists. A thread's lists are freed when it ends.
#include <sqlite3.h>

#include <cstddef>

namespace warung::store::sqlite {

inline constexpr std::size_t kMallocClassBytes = 64;  // size classes are multiples of this
inline constexpr std::size_t kLargestCached = 1024;   // larger blocks are never kept
inline constexpr std::size_t kBlocksPerClass = 32;    // per size class and thread

// Installs the allocator; true when SQLite took it. Only before sqlite3_initialize.
bool installMallocCache();

// The allocator's methods (for tests: they call them directly).
const sqlite3_mem_methods& mallocCacheMethods();

// Blocks kept on the calling thread's lists (for tests).
std::size_t mallocCacheKeptOnThisThread();

}  // namespace warung::store::sqlite
