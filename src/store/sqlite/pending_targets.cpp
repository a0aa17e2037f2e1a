#include "store/sqlite/pending_targets.hpp"

#include <functional>

namespace warung::store::sqlite {

namespace {
// splitmix64's finaliser: spreads the integers over all 64 bits before they are mixed
// with the target's hash, so that nearby accounts and services do not collide.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

PendingTargets::Key PendingTargets::keyOf(std::int64_t account_id, std::int64_t service_id,
                                          std::string_view target) {
  // In memory only, never stored: any hash will do, as the row decides (see the header).
  const std::uint64_t ids = mix(static_cast<std::uint64_t>(account_id) * 0x100000001b3ULL ^
                                mix(static_cast<std::uint64_t>(service_id)));
  return ids ^ mix(std::hash<std::string_view>{}(target));
}

void PendingTargets::add(Key key, std::int64_t order_id) {
  Shard& s = shardOf(key);
  // Grows at 70 % full: linear probing's runs stay short below that.
  if ((s.size + 1) * 10 > s.slots.size() * 7) rehash(s, s.slots.empty() ? kMinCapacity : s.slots.size() * 2);
  const std::size_t mask = s.slots.size() - 1;
  std::size_t i = s.home(key);
  while (s.slots[i].id != kEmpty) i = (i + 1) & mask;
  s.slots[i] = Slot{key, order_id};
  ++s.size;
  ++size_;
}

void PendingTargets::remove(Key key, std::int64_t order_id) {
  Shard& s = shardOf(key);
  shrinkIfSparse(s);
  if (s.slots.empty()) return;
  const std::size_t mask = s.slots.size() - 1;
  for (std::size_t i = s.home(key); s.slots[i].id != kEmpty; i = (i + 1) & mask) {
    if (s.slots[i].key == key && s.slots[i].id == order_id) {
      eraseAt(s, i);
      return;
    }
  }
}

void PendingTargets::clear() {
  for (Shard& s : shards_) s = Shard{};
  size_ = 0;
}

std::size_t PendingTargets::capacity() const {
  std::size_t n = 0;
  for (const Shard& s : shards_) n += s.slots.size();
  return n;
}

// Backward-shift deletion: the orders after slot i in its run move back into the hole
// where their home allows, so no tombstones are left and every lookup still ends at
// the first empty slot.
void PendingTargets::eraseAt(Shard& s, std::size_t i) {
  const std::size_t mask = s.slots.size() - 1;
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (s.slots[j].id == kEmpty) break;
    const std::size_t h = s.home(s.slots[j].key);
    // Slot j's order may fill the hole at i unless its home lies cyclically in (i, j].
    const bool home_between = i <= j ? (i < h && h <= j) : (i < h || h <= j);
    if (!home_between) {
      s.slots[i] = s.slots[j];
      i = j;
    }
  }
  s.slots[i] = Slot{};
  --s.size;
  --size_;
}

void PendingTargets::rehash(Shard& s, std::size_t capacity) {
  std::vector<Slot> old = std::move(s.slots);
  s.slots.assign(capacity, Slot{});
  const std::size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.id == kEmpty) continue;
    std::size_t i = s.home(slot.key);
    while (s.slots[i].id != kEmpty) i = (i + 1) & mask;
    s.slots[i] = slot;
  }
}

// Halves a shard once its pending orders fell under 1/8 of its slots (a burst of
// orders that has been fulfilled), never below kMinCapacity.
void PendingTargets::shrinkIfSparse(Shard& s) {
  if (s.slots.size() > kMinCapacity && s.size * 8 < s.slots.size()) rehash(s, s.slots.size() / 2);
}

}  // namespace warung::store::sqlite
