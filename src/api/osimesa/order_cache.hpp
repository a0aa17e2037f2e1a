#pragma once
// type=status's encoded orders, kept per order: a reseller polling its latest 15 is
// answered from an index scan and 15 copies instead of 15 rows read and encoded, and
// one polling an order by ref_id without its row decoded and encoded
// (bench/README.md). Keyed by (id, status): an order's status is its version
// (store::Store::visitLatestOrdersUnheld), so an entry is never stale, only
// superseded by the order's next status, and replaced when that is encoded. Past
// `capacity` orders one goes, chosen by second chance (CLOCK): the oldest entry not
// read since it last came round. A read only sets a mark, so a hit touches no other
// entry (an LRU list's splice on every hit made a list read from 65,536 entries cost
// twice as much). Capacity 0 keeps nothing.
//
// Thread-safe: the ids are spread over up to 16 shards, each under its own mutex, with
// the capacity divided among them.
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/types.hpp"

namespace warung::api::osimesa {

class OrderJsonCache {
 public:
  explicit OrderJsonCache(std::size_t capacity);

  // Appends the encoding held for (id, status) to `out` and answers true; false, with
  // `out` untouched, when none is held.
  bool appendTo(std::string& out, std::int64_t id, domain::OrderStatus status);
  // Keeps `json` as the encoding of order `id` in `status`, replacing one of an
  // earlier status.
  void put(std::int64_t id, domain::OrderStatus status, std::string_view json);
  // Orders held now, summed over the shards.
  std::size_t size() const;

 private:
  struct Entry {
    std::int64_t id;
    domain::OrderStatus status;
    bool referenced;  // read since it last came round
    std::string json;
  };
  struct Shard {
    mutable std::mutex mu;
    std::size_t capacity = 0;
    std::list<Entry> entries;  // newest (or given a second chance) first
    std::unordered_map<std::int64_t, std::list<Entry>::iterator> by_id;
  };
  Shard& shardOf(std::int64_t id) { return shards_[static_cast<std::uint64_t>(id) % shard_count_]; }

  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace warung::api::osimesa
