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
  // Grows at 70 % full: linear probing's runs stay short below that.
  if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.empty() ? kMinCapacity : slots_.size() * 2);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(key);
  while (slots_[i].id != kEmpty) i = (i + 1) & mask;
  slots_[i] = Slot{key, order_id};
  ++size_;
}

void PendingTargets::remove(Key key, std::int64_t order_id) {
  shrinkIfSparse();
  if (slots_.empty()) return;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(key); slots_[i].id != kEmpty; i = (i + 1) & mask) {
    if (slots_[i].key == key && slots_[i].id == order_id) {
      eraseAt(i);
      return;
    }
  }
}

void PendingTargets::clear() {
  slots_ = {};
  size_ = 0;
}

// Backward-shift deletion: the orders after slot i in its run move back into the hole
// where their home allows, so no tombstones are left and every lookup still ends at
// the first empty slot.
void PendingTargets::eraseAt(std::size_t i) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (slots_[j].id == kEmpty) break;
    const std::size_t h = home(slots_[j].key);
    // Slot j's order may fill the hole at i unless its home lies cyclically in (i, j].
    const bool home_between = i <= j ? (i < h && h <= j) : (i < h || h <= j);
    if (!home_between) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
  --size_;
}

void PendingTargets::rehash(std::size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  size_ = 0;
  const std::size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.id == kEmpty) continue;
    std::size_t i = home(s.key);
    while (slots_[i].id != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
    ++size_;
  }
}

// Halves the memory once the pending orders fell under 1/8 of the slots (a burst of
// orders that has been fulfilled), never below the starting size.
void PendingTargets::shrinkIfSparse() {
  if (slots_.size() > kMinCapacity && size_ * 8 < slots_.size()) rehash(slots_.size() / 2);
}

}  // namespace warung::store::sqlite
