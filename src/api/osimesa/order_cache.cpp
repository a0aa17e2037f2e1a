#include "api/osimesa/order_cache.hpp"

#include <algorithm>

namespace warung::api::osimesa {

OrderJsonCache::OrderJsonCache(std::size_t capacity)
    : shard_count_(std::clamp<std::size_t>(capacity, 1, 16)), shards_(new Shard[shard_count_]) {
  // Exactly `capacity` in all: the remainder goes one each to the first shards.
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].capacity = capacity / shard_count_ + (i < capacity % shard_count_ ? 1 : 0);
    shards_[i].by_id.reserve(shards_[i].capacity);
  }
}

bool OrderJsonCache::appendTo(std::string& out, std::int64_t id, domain::OrderStatus status) {
  Shard& s = shardOf(id);
  std::lock_guard lock(s.mu);
  auto it = s.by_id.find(id);
  if (it == s.by_id.end() || it->second->status != status) return false;
  it->second->referenced = true;
  out += it->second->json;
  return true;
}

void OrderJsonCache::put(std::int64_t id, domain::OrderStatus status, std::string_view json) {
  Shard& s = shardOf(id);
  if (s.capacity == 0) return;
  std::lock_guard lock(s.mu);
  auto it = s.by_id.find(id);
  if (it != s.by_id.end()) {
    it->second->status = status;
    it->second->referenced = true;
    it->second->json.assign(json);
    return;
  }
  if (s.by_id.size() >= s.capacity) {
    // Second chance: an entry read since it last came round goes to the front again
    // with its mark cleared; the first one unread goes, its node and string reused.
    auto last = std::prev(s.entries.end());
    while (last->referenced) {
      last->referenced = false;
      s.entries.splice(s.entries.begin(), s.entries, last);
      last = std::prev(s.entries.end());
    }
    s.by_id.erase(last->id);
    last->id = id;
    last->status = status;
    last->referenced = false;
    last->json.assign(json);
    s.entries.splice(s.entries.begin(), s.entries, last);
  } else {
    s.entries.push_front(Entry{id, status, false, std::string(json)});
  }
  s.by_id.emplace(id, s.entries.begin());
}

std::size_t OrderJsonCache::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].by_id.size();
  }
  return n;
}

}  // namespace warung::api::osimesa
