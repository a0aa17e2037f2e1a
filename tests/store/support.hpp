#pragma once
// Shared helpers for the store tests: a real database file in a fresh temporary
// directory, order builders, and waiting for writer callbacks with a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace warung::store::sqlite::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "warung-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

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

}  // namespace warung::store::sqlite::testing
