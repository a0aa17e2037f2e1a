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

void PendingTargets::remove(Key key, std::int64_t order_id) {
  for (auto [it, end] = map_.equal_range(key); it != end; ++it) {
    if (it->second == order_id) {
      map_.erase(it);
      return;
    }
  }
}

}  // namespace warung::store::sqlite
