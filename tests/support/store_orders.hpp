#pragma once
// Order-writer helpers for the store tests of both backends (tests/store and
// tests/store_pg): account and order builders, and waiting for writer answers with a
// deadline. Each backend's support.hpp brings them into its own testing namespace.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace warung::testing::store_orders {

using store::NewAccount;
using store::OrderWriter;
using store::Placed;

inline constexpr auto kDeadline = std::chrono::seconds(30);

inline NewAccount newAccount(const std::string& user_id) {
  NewAccount a;
  a.user_id = user_id;
  a.name = "Name of " + user_id;
  a.level = domain::Level::kStandar;
  a.key_hash = "hash-" + user_id;
  a.created_at = 1700000000;
  return a;
}

inline domain::Order makeOrder(std::int64_t account_id, const std::string& ref_id, std::int64_t service_id,
                               const std::string& target, std::int64_t charge,
                               domain::Kind kind = domain::Kind::kSocialMedia) {
  domain::Order o;
  o.ref_id = ref_id;
  o.account_id = account_id;
  o.kind = kind;
  o.service_id = service_id;
  o.service_code = "S" + std::to_string(service_id);
  o.service_name = "Service " + std::to_string(service_id);
  o.category_key = kind == domain::Kind::kSocialMedia ? "default" : "mobile-legends";
  o.data = {target, "1000", ""};
  o.target = target;
  o.quantity = 1000;
  o.unit_price = Money{charge};
  o.charge = Money{charge};
  o.remain = 1000;
  o.fingerprint = "fp-" + target + "-" + std::to_string(charge);
  o.created_at = 1700000100;
  o.updated_at = 1700000100;
  return o;
}

// Collects writer answers; wait() returns false if the deadline passes first.
class Collector {
 public:
  OrderWriter::Callback callback() {
    return [this](Result<Placed> r) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(r));
      cv_.notify_all();
    };
  }
  bool wait(std::size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kDeadline, [&] { return results_.size() >= n; });
  }
  std::size_t count() {  // answers so far
    std::lock_guard lock(mutex_);
    return results_.size();
  }
  std::vector<Result<Placed>> take() {
    std::lock_guard lock(mutex_);
    return std::move(results_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Result<Placed>> results_;
};

// Submits one order and waits for its answer.
inline Result<Placed> place(OrderWriter& w, domain::Order o) {
  Collector c;
  w.submit(std::move(o), c.callback());
  if (!c.wait(1)) return makeError(Errc::kTimeout, "no answer before the deadline");
  return std::move(c.take().front());
}

}  // namespace warung::testing::store_orders
