#pragma once
// Read-mostly caches over a Store: the catalog snapshot and accounts by key hash.
//
// Freshness: a background thread reads Store::versions() every `refresh_interval`
// (default 200 ms). The database bumps those versions on any catalog or account
// change, whichever process made it (the CLI, another node), so a change is seen
// within one interval. Balances are never cached: the guarded debit is the truth.
//
// Threads: all public methods are safe from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/result.hpp"
#include "domain/catalog.hpp"
#include "domain/types.hpp"
#include "store/store.hpp"

namespace warung::store {

struct DirectoryConfig {
  std::chrono::milliseconds refresh_interval{200};
  std::size_t max_cached_accounts = 100'000;
};

class Directory {
 public:
  // Loads the catalog once; throws std::runtime_error if the store cannot (start-up).
  Directory(Store& store, DirectoryConfig config);
  ~Directory();
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  void start();  // starts the refresh thread
  void stop();   // joins it; idempotent

  std::shared_ptr<const domain::Catalog> catalog() const;
  // The account with this key hash (kNotFound when none).
  Result<std::shared_ptr<const domain::Account>> accountByKeyHash(const std::string& key_hash);
  // Checks versions now and reloads what changed (the refresh thread calls this).
  void refresh();

 private:
  Store& store_;
  DirectoryConfig config_;
  std::atomic<std::shared_ptr<const domain::Catalog>> catalog_;
  Versions seen_;
  std::mutex refresh_mu_;

  mutable std::shared_mutex accounts_mu_;
  std::unordered_map<std::string, std::shared_ptr<const domain::Account>> accounts_;
  std::uint64_t generation_ = 0;  // bumped on each invalidation, under accounts_mu_

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace warung::store
