#pragma once
// type=status's latest lists, kept whole per (account, kind, limit) beside the
// account's order-list version they were read at (store::Store::visitLatestOrdersSince):
// a reseller polling its latest 15 while none of its orders changed is answered with
// one read of that version and the answer held, not copied (bench/README.md). A list
// whose version has moved on is read again and replaces the one held. Bounded,
// evicting by second chance (clock_cache.hpp); thread-safe.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/osimesa/clock_cache.hpp"
#include "domain/types.hpp"

namespace warung::api::osimesa {

class ListJsonCache {
 public:
  explicit ListJsonCache(std::size_t capacity) : held_(capacity) {}

  struct Held {
    std::int64_t version = 0;
    std::shared_ptr<const std::string> answer;
  };
  // The answer held for this list, and the version it was read at.
  std::optional<Held> get(std::int64_t account_id, domain::Kind kind, int limit) {
    auto key = keyOf(account_id, kind, limit);
    std::optional<Held> out;
    if (key) held_.read(*key, [&](const Held& h) { return out.emplace(h), true; });
    return out;
  }
  // Keeps `answer` as this list at `version`, unless a later version is held (two
  // connections may read one list at two versions and finish in either order).
  void put(std::int64_t account_id, domain::Kind kind, int limit, std::int64_t version,
           std::shared_ptr<const std::string> answer) {
    auto key = keyOf(account_id, kind, limit);
    if (!key) return;
    held_.put(*key, [&](Held& h, bool held) {
      if (held && h.version > version) return;
      h.version = version;
      h.answer = std::move(answer);
    });
  }
  // Lists held now.
  std::size_t size() const { return held_.size(); }

 private:
  // One integer per list: the account's id, then two bits of kind and four of limit
  // (1..15); nullopt, and nothing kept, for anything out of that range.
  static std::optional<std::int64_t> keyOf(std::int64_t account_id, domain::Kind kind, int limit) {
    const auto k = static_cast<std::int64_t>(kind);
    if (account_id < 0 || account_id >= (std::int64_t{1} << 56) || k < 0 || k > 3 || limit < 1 ||
        limit > 15) {
      return std::nullopt;
    }
    return account_id << 6 | k << 4 | limit;
  }

  ClockCache<Held> held_;
};

}  // namespace warung::api::osimesa
