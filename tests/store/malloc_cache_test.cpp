// SQLite's allocator (store/sqlite/malloc_cache): sizes by class, a freed block taken
// back by the next allocation of its class on the same thread, at most
// kBlocksPerClass kept per class, reallocations that stay in place or move the bytes,
// blocks freed on another thread kept there, and SQLite itself using it once a
// connection has opened.
#include "store/sqlite/malloc_cache.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

const sqlite3_mem_methods& m = mallocCacheMethods();

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

TEST(MallocCache, SizesAreRoundedUpToTheirClass) {
  EXPECT_EQ(m.xRoundup(1), 64);
  EXPECT_EQ(m.xRoundup(64), 64);
  EXPECT_EQ(m.xRoundup(65), 128);
  EXPECT_EQ(m.xRoundup(1024), 1024);
  EXPECT_EQ(m.xRoundup(1025), 1040);  // past the classes: a multiple of 16
  for (int n : {1, 63, 64, 65, 500, 1024, 1025, 70000}) {
    void* p = m.xMalloc(n);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned16(p)) << n;
    EXPECT_EQ(m.xSize(p), m.xRoundup(n)) << n;
    std::memset(p, 0xab, static_cast<std::size_t>(m.xSize(p)));  // all of it is usable
    m.xFree(p);
  }
  EXPECT_EQ(m.xMalloc(0), nullptr);
  m.xFree(nullptr);
}

TEST(MallocCache, AFreedBlockIsTakenBackByItsClassOnly) {
  void* a = m.xMalloc(100);  // class 65..128
  const std::size_t kept = mallocCacheKeptOnThisThread();
  m.xFree(a);
  EXPECT_EQ(mallocCacheKeptOnThisThread(), kept + 1);
  void* other = m.xMalloc(200);  // another class: not a
  EXPECT_NE(other, a);
  void* again = m.xMalloc(120);  // a's class
  EXPECT_EQ(again, a);
  EXPECT_EQ(mallocCacheKeptOnThisThread(), kept);
  void* big = m.xMalloc(5000);  // never kept
  m.xFree(big);
  EXPECT_EQ(mallocCacheKeptOnThisThread(), kept);
  m.xFree(other);
  m.xFree(again);
}

TEST(MallocCache, AtMostBlocksPerClassAreKeptPerThread) {
  std::thread([] {  // a thread of its own: its lists start empty
    std::vector<void*> blocks;
    for (std::size_t i = 0; i < kBlocksPerClass + 10; ++i) blocks.push_back(m.xMalloc(300));
    for (void* p : blocks) m.xFree(p);
    EXPECT_EQ(mallocCacheKeptOnThisThread(), kBlocksPerClass);
    void* p = m.xMalloc(30);  // another class: nothing kept for it
    EXPECT_EQ(mallocCacheKeptOnThisThread(), kBlocksPerClass);
    m.xFree(p);
    EXPECT_EQ(mallocCacheKeptOnThisThread(), kBlocksPerClass + 1);
  })
      .join();
}

TEST(MallocCache, ReallocStaysInItsClassOrMovesTheBytes) {
  auto* p = static_cast<char*>(m.xMalloc(70));
  for (int i = 0; i < 70; ++i) p[i] = static_cast<char>(i);
  EXPECT_EQ(m.xRealloc(p, 128), p) << "same class";
  auto* q = static_cast<char*>(m.xRealloc(p, 2000));  // past the classes
  ASSERT_NE(q, nullptr);
  for (int i = 0; i < 70; ++i) ASSERT_EQ(q[i], static_cast<char>(i)) << i;
  EXPECT_EQ(m.xSize(q), 2000);
  EXPECT_EQ(m.xRealloc(q, 1500), q) << "a large block shrinks in place";
  auto* r = static_cast<char*>(m.xRealloc(q, 40));  // back into a class: moved
  ASSERT_NE(r, nullptr);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(r[i], static_cast<char>(i)) << i;
  EXPECT_EQ(m.xSize(r), 64);
  m.xFree(r);
}

TEST(MallocCache, ABlockFreedOnAnotherThreadIsKeptThere) {
  void* p = m.xMalloc(500);
  const std::size_t here = mallocCacheKeptOnThisThread();
  std::size_t there = 0;
  void* taken = nullptr;
  std::thread([&] {
    m.xFree(p);
    there = mallocCacheKeptOnThisThread();
    taken = m.xMalloc(500);
    m.xFree(taken);
  }).join();  // the thread's lists are freed as it ends
  EXPECT_EQ(there, 1u);
  EXPECT_EQ(taken, p);
  EXPECT_EQ(mallocCacheKeptOnThisThread(), here);
}

TEST(MallocCache, SqliteAllocatesThroughItOnceAConnectionHasOpened) {
  testing::TempDir dir;
  detail::Connection c(dir.file("m.db"), 5000, /*create=*/true, /*query_only=*/false);
  void* p = sqlite3_malloc(100);
  ASSERT_NE(p, nullptr);
  const std::size_t kept = mallocCacheKeptOnThisThread();
  sqlite3_free(p);
  EXPECT_EQ(mallocCacheKeptOnThisThread(), kept + 1);
  // And a database written through it reads back.
  c.db().exec("CREATE TABLE t (x TEXT)");
  for (int i = 0; i < 200; ++i)
    c.db().exec("INSERT INTO t VALUES (printf('%0*d', " + std::to_string(i * 7) + ", 1))");
  EXPECT_EQ(c.db().execAndGet("SELECT SUM(length(x)) FROM t").getInt64(), 7 * 199 * 200 / 2 + 1);
}

}  // namespace
}  // namespace warung::store::sqlite
