#include "store/sqlite/page_cache.hpp"

#include <algorithm>
#include <atomic>
#include <new>

namespace warung::store::sqlite {
namespace {

// SQLite's default lock-byte offset (sqlite3PendingByte; only test builds move it).
constexpr unsigned kPendingByte = 0x40000000;

sqlite3_pcache_methods2 g_base{};  // pcache1's methods, to which every call is passed on
sqlite3_pcache_methods2 g_methods{};
std::atomic<std::uint64_t> g_truncations{0};
std::atomic<std::uint64_t> g_skipped{0};

// One per pager, so used by one thread at a time (its connection's).
struct Cache {
  sqlite3_pcache* real = nullptr;
  unsigned temp_key = 0;  // balance_nonroot's temporary page number
  unsigned max_key = 0;   // no page other than those at temp_key has a larger key
  unsigned at_temp = 0;   // pages currently renumbered to temp_key
};

Cache& of(sqlite3_pcache* p) { return *reinterpret_cast<Cache*>(p); }

int xInit(void*) { return g_base.xInit(g_base.pArg); }
void xShutdown(void*) { g_base.xShutdown(g_base.pArg); }

sqlite3_pcache* xCreate(int page_size, int extra, int purgeable) {
  sqlite3_pcache* real = g_base.xCreate(page_size, extra, purgeable);
  if (real == nullptr) return nullptr;
  auto* c = new (std::nothrow) Cache;
  if (c == nullptr) {
    g_base.xDestroy(real);
    return nullptr;
  }
  c->real = real;
  c->temp_key = kPendingByte / static_cast<unsigned>(std::max(page_size, 1)) + 1;
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void xCachesize(sqlite3_pcache* p, int n) { g_base.xCachesize(of(p).real, n); }
int xPagecount(sqlite3_pcache* p) { return g_base.xPagecount(of(p).real); }

sqlite3_pcache_page* xFetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache& c = of(p);
  sqlite3_pcache_page* page = g_base.xFetch(c.real, key, create);
  if (page != nullptr) {
    if (key != c.temp_key) {
      c.max_key = std::max(c.max_key, key);
    } else {
      c.at_temp = std::max(c.at_temp, 1u);  // never expected there; counted, to be safe
    }
  }
  return page;
}

void xUnpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  g_base.xUnpin(of(p).real, page, discard);
}

void xRekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache& c = of(p);
  g_base.xRekey(c.real, page, old_key, new_key);
  if (old_key == c.temp_key && c.at_temp > 0) --c.at_temp;
  if (new_key == c.temp_key) {
    ++c.at_temp;
  } else {
    c.max_key = std::max(c.max_key, new_key);
  }
}

// Drops every page with key >= limit. Skipped when none can be there.
void xTruncate(sqlite3_pcache* p, unsigned limit) {
  Cache& c = of(p);
  const bool temp_hit = c.at_temp > 0 && c.temp_key >= limit;
  if (c.max_key < limit && !temp_hit) {
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_truncations.fetch_add(1, std::memory_order_relaxed);
  g_base.xTruncate(c.real, limit);
  if (limit == 0) {
    c.max_key = 0;
  } else {
    c.max_key = std::min(c.max_key, limit - 1);
  }
  if (temp_hit) c.at_temp = 0;
}

void xDestroy(sqlite3_pcache* p) {
  Cache* c = &of(p);
  g_base.xDestroy(c->real);
  delete c;
}

void xShrink(sqlite3_pcache* p) { g_base.xShrink(of(p).real); }

bool prepare() {
  if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &g_base) != SQLITE_OK || g_base.xCreate == nullptr)
    return false;
  g_methods = sqlite3_pcache_methods2{1,      nullptr, xInit,  xShutdown, xCreate,  xCachesize, xPagecount,
                                      xFetch, xUnpin,  xRekey, xTruncate, xDestroy, xShrink};
  return true;
}

}  // namespace

const sqlite3_pcache_methods2& pageCacheMethods() {
  static const bool ready = prepare();
  (void)ready;
  return g_methods;
}

bool installPageCache() {
  const sqlite3_pcache_methods2& m = pageCacheMethods();
  return m.xCreate != nullptr && sqlite3_config(SQLITE_CONFIG_PCACHE2, &m) == SQLITE_OK;
}

PageCacheStats pageCacheStats() {
  return PageCacheStats{g_truncations.load(std::memory_order_relaxed),
                        g_skipped.load(std::memory_order_relaxed)};
}

}  // namespace warung::store::sqlite
