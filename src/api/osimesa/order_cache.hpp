#pragma once
// type=status's encoded orders, kept per order: a reseller polling an order by ref_id
// is answered without its row decoded and encoded, and a status list that changed is
// rebuilt from the orders it held (bench/README.md). Keyed by (id, status): an order's
// status is its version (store::Store::visitLatestOrdersUnheld), so an entry is never
// stale, only superseded by the order's next status, and replaced when that is
// encoded. Bounded, evicting by second chance (clock_cache.hpp); thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/osimesa/clock_cache.hpp"
#include "domain/types.hpp"

namespace warung::api::osimesa {

class OrderJsonCache {
 public:
  explicit OrderJsonCache(std::size_t capacity) : held_(capacity) {}

  // Appends the encoding held for (id, status) to `out` and answers true; false, with
  // `out` untouched, when none is held.
  bool appendTo(std::string& out, std::int64_t id, domain::OrderStatus status) {
    return held_.read(id, [&](const Encoded& e) {
      if (e.status != status) return false;
      out += e.json;
      return true;
    });
  }
  // Keeps `json` as the encoding of order `id` in `status`, replacing one of an
  // earlier status.
  void put(std::int64_t id, domain::OrderStatus status, std::string_view json) {
    held_.put(id, [&](Encoded& e, bool) {
      e.status = status;
      e.json.assign(json);
    });
  }
  // Orders held now.
  std::size_t size() const { return held_.size(); }

 private:
  struct Encoded {
    domain::OrderStatus status{};
    std::string json;
  };
  ClockCache<Encoded> held_;
};

}  // namespace warung::api::osimesa
