#pragma once
// SQLite's own page cache (pcache1) behind a thin wrapper that skips the cache
// truncation SQLite asks for at the end of every transaction when no cached page can
// be at or past the truncation point, which is nearly always.
//
// Why: when a B-tree page splits, balance_nonroot sorts the new pages by renumbering
// them through a temporary number, the page after the 1 GiB lock byte (page 262,145
// with 4 KiB pages). pcache1 remembers that as the largest page number it ever held,
// so while the database is smaller than 1 GiB every commit that split a page asks it
// to drop pages past the end of the file and it walks its whole hash table to find
// none: a tenth of the order writer's CPU (bench/README.md). The wrapper keeps its own
// bound on the page numbers in each cache (every page enters through a fetch or a
// renumbering, both seen here; the temporary number is counted apart, as the split
// moves the page away again at once) and passes a truncation on only when a page may
// be at or past it (after a rollback that shrank the file, say).
//
// Installed process-wide before SQLite's first use (installPageCache, called when the
// first connection opens); if SQLite was already initialised it keeps pcache1 alone.
#include <sqlite3.h>

#include <cstdint>

namespace warung::store::sqlite {

// Installs the wrapper; true when SQLite took it. Only before sqlite3_initialize.
bool installPageCache();

// The wrapper's methods (for tests: they drive a cache directly).
const sqlite3_pcache_methods2& pageCacheMethods();

// Counters for tests: truncations passed on to pcache1 and skipped.
struct PageCacheStats {
  std::uint64_t truncations = 0;
  std::uint64_t skipped = 0;
};
PageCacheStats pageCacheStats();

}  // namespace warung::store::sqlite
