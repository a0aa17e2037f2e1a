#include "store/sqlite/malloc_cache.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace warung::store::sqlite {
namespace {

constexpr std::size_t kClasses = kLargestCached / kMallocClassBytes;
constexpr std::uint32_t kLarge = 0xffffffff;  // Header::size_class of a block never kept

// Before every block: its size class (kLarge for none) and the bytes it can hold, for
// xSize. 16 bytes keep the block as aligned as malloc's. A block on a list keeps its
// header; the link to the next one is written where the caller's bytes were.
struct alignas(16) Header {
  std::uint32_t size_class;
  std::uint32_t unused;
  std::uint64_t capacity;
};
static_assert(sizeof(Header) == 16);

Header* headerOf(void* p) { return static_cast<Header*>(p) - 1; }
Header*& linkOf(Header* h) { return *reinterpret_cast<Header**>(h + 1); }

// One thread's lists. `t_alive` is a separate, trivially destroyed flag: a block freed
// after the lists are gone (by a static destructor at exit, say) goes to free().
thread_local bool t_alive = false;
struct Lists {
  std::array<Header*, kClasses> head{};
  std::array<std::uint32_t, kClasses> count{};
  std::size_t kept = 0;
  Lists() { t_alive = true; }
  ~Lists() {
    t_alive = false;
    for (Header*& h : head) {
      while (h != nullptr) {
        Header* next = linkOf(h);
        std::free(h);
        h = next;
      }
    }
  }
  Lists(const Lists&) = delete;
  Lists& operator=(const Lists&) = delete;
};
thread_local Lists t_lists;

// The lists of this thread, or null once they are gone. The first call on a thread
// constructs them.
Lists* lists() {
  Lists& l = t_lists;  // constructed on the thread's first use, which sets t_alive
  return t_alive ? &l : nullptr;
}

std::uint32_t classOf(std::size_t bytes) {
  return static_cast<std::uint32_t>((bytes - 1) / kMallocClassBytes);
}

void* xMalloc(int n) {
  if (n <= 0) return nullptr;
  const auto bytes = static_cast<std::size_t>(n);
  std::uint32_t size_class = kLarge;
  std::size_t capacity = (bytes + 15) & ~std::size_t{15};
  if (bytes <= kLargestCached) {
    size_class = classOf(bytes);
    capacity = (size_class + 1) * kMallocClassBytes;
    if (Lists* l = lists(); l != nullptr && l->head[size_class] != nullptr) {
      Header* h = l->head[size_class];
      l->head[size_class] = linkOf(h);
      --l->count[size_class];
      --l->kept;
      return h + 1;
    }
  }
  auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + capacity));
  if (h == nullptr) return nullptr;
  h->size_class = size_class;
  h->unused = 0;
  h->capacity = capacity;
  return h + 1;
}

void xFree(void* p) {
  if (p == nullptr) return;
  Header* h = headerOf(p);
  const std::uint32_t c = h->size_class;
  if (c != kLarge) {
    if (Lists* l = lists(); l != nullptr && l->count[c] < kBlocksPerClass) {
      linkOf(h) = l->head[c];
      l->head[c] = h;
      ++l->count[c];
      ++l->kept;
      return;
    }
  }
  std::free(h);
}

int xSize(void* p) { return p == nullptr ? 0 : static_cast<int>(headerOf(p)->capacity); }

void* xRealloc(void* p, int n) {
  if (p == nullptr) return xMalloc(n);
  if (n <= 0) {
    xFree(p);
    return nullptr;
  }
  const auto bytes = static_cast<std::size_t>(n);
  const Header* h = headerOf(p);
  // Still its class (or a large block asked to shrink): nothing to move.
  if (h->size_class != kLarge ? bytes <= kLargestCached && classOf(bytes) == h->size_class
                              : bytes > kLargestCached && bytes <= h->capacity) {
    return p;
  }
  void* q = xMalloc(n);
  if (q == nullptr) return nullptr;  // p stays valid, as realloc's contract says
  std::memcpy(q, p, std::min<std::size_t>(bytes, h->capacity));
  xFree(p);
  return q;
}

int xRoundup(int n) {
  if (n <= 0) return n;
  const auto bytes = static_cast<std::size_t>(n);
  if (bytes <= kLargestCached) return static_cast<int>((classOf(bytes) + 1) * kMallocClassBytes);
  return static_cast<int>((bytes + 15) & ~std::size_t{15});
}

int xInit(void*) { return SQLITE_OK; }
void xShutdown(void*) {}

const sqlite3_mem_methods kMethods{xMalloc, xFree, xRealloc, xSize, xRoundup, xInit, xShutdown, nullptr};

}  // namespace

bool installMallocCache() { return sqlite3_config(SQLITE_CONFIG_MALLOC, &kMethods) == SQLITE_OK; }

const sqlite3_mem_methods& mallocCacheMethods() { return kMethods; }

std::size_t mallocCacheKeptOnThisThread() {
  const Lists* l = lists();
  return l == nullptr ? 0 : l->kept;
}

}  // namespace warung::store::sqlite
