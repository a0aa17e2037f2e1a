#pragma once
// A bounded map from an integer key to a value, for answers kept in memory (the
// status answers of order_cache.hpp and list_cache.hpp). Past `capacity` entries one
// goes, chosen by second chance (CLOCK): the oldest entry not read since it last came
// round. A read only sets a mark, so a hit touches no other entry (an LRU list's
// splice on every hit made a list read from 65,536 entries cost twice as much).
// Capacity 0 keeps nothing.
//
// Thread-safe: the keys are spread over up to 16 shards, each under its own mutex,
// with the capacity divided among them. The callbacks run under a shard's mutex: they
// must be short and must not call back into the cache.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace warung::api::osimesa {

template <class V>
class ClockCache {
 public:
  // `max_shards` below 16 only for tests that need entries to meet in one shard.
  explicit ClockCache(std::size_t capacity, std::size_t max_shards = 16)
      : shard_count_(std::clamp<std::size_t>(capacity, 1, std::max<std::size_t>(max_shards, 1))),
        shards_(new Shard[shard_count_]) {
    // Exactly `capacity` in all: the remainder goes one each to the first shards.
    for (std::size_t i = 0; i < shard_count_; ++i) {
      shards_[i].capacity = capacity / shard_count_ + (i < capacity % shard_count_ ? 1 : 0);
      shards_[i].by_key.reserve(shards_[i].capacity);
    }
  }

  // Calls `use(V&)` with the value held for `key` and answers what it answers (a hit
  // marks the entry read); false, without a call, when none is held.
  template <class F>
  bool read(std::int64_t key, F&& use) {
    Shard& s = shardOf(key);
    std::lock_guard lock(s.mu);
    auto it = s.by_key.find(key);
    if (it == s.by_key.end() || !use(it->second->value)) return false;
    it->second->referenced = true;
    return true;
  }

  // Calls `assign(V&, bool held)` to fill the value kept for `key`: the one held
  // (`held` true), or a new one or an evicted entry's (`held` false; its old contents
  // are there to reuse their memory, not to be read).
  template <class F>
  void put(std::int64_t key, F&& assign) {
    Shard& s = shardOf(key);
    if (s.capacity == 0) return;
    std::lock_guard lock(s.mu);
    auto it = s.by_key.find(key);
    if (it != s.by_key.end()) {
      it->second->referenced = true;
      assign(it->second->value, true);
      return;
    }
    if (s.by_key.size() >= s.capacity) {
      // Second chance: an entry read since it last came round goes to the front again
      // with its mark cleared; the first one unread goes, its node reused.
      auto last = std::prev(s.entries.end());
      while (last->referenced) {
        last->referenced = false;
        s.entries.splice(s.entries.begin(), s.entries, last);
        last = std::prev(s.entries.end());
      }
      s.by_key.erase(last->key);
      last->key = key;
      last->referenced = false;
      s.entries.splice(s.entries.begin(), s.entries, last);
    } else {
      s.entries.push_front(Entry{key, false, V{}});
    }
    assign(s.entries.front().value, false);
    s.by_key.emplace(key, s.entries.begin());
  }

  // Entries held now, summed over the shards.
  std::size_t size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      std::lock_guard lock(shards_[i].mu);
      n += shards_[i].by_key.size();
    }
    return n;
  }

 private:
  struct Entry {
    std::int64_t key;
    bool referenced;  // read since it last came round
    V value;
  };
  struct Shard {
    mutable std::mutex mu;
    std::size_t capacity = 0;
    std::list<Entry> entries;  // newest (or given a second chance) first
    std::unordered_map<std::int64_t, typename std::list<Entry>::iterator> by_key;
  };
  // Keys mixed first (MurmurHash3's finalizer): a list's key varies only above its
  // low bits, which alone would put every list of one limit in one shard.
  Shard& shardOf(std::int64_t key) {
    auto x = static_cast<std::uint64_t>(key);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return shards_[x % shard_count_];
  }

  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace warung::api::osimesa
