#pragma once
// Read-mostly caches over a Store: the catalog snapshot, and accounts by API key with
// the sign their requests carry.
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
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/result.hpp"
#include "domain/catalog.hpp"
#include "domain/types.hpp"
#include "store/store.hpp"

namespace warung::store {

struct DirectoryConfig {
  std::chrono::milliseconds refresh_interval{200};
  // Accounts kept in memory with their keys; beyond, each request with a key not kept
  // reads its account from the store.
  std::size_t max_cached_accounts = 100'000;
};

// An account found by its API key, with the sign its requests must carry.
struct KeyedAccount {
  std::shared_ptr<const domain::Account> account;
  std::string sign;  // domain::signFor(user_id, key)
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
  // The account whose API key this is (kNotFound when none), with its sign. A key
  // that found its account since the last change to any account is answered from
  // memory, compared in constant time: no hash of the key, no md5 for the sign (a
  // third of a status request's work before). Otherwise the store is asked by the
  // key's hash (domain::keyHash).
  Result<std::shared_ptr<const KeyedAccount>> accountByKey(std::string_view api_key);
  // Checks versions now and reloads what changed (the refresh thread calls this).
  void refresh();

 private:
  Store& store_;
  DirectoryConfig config_;
  std::atomic<std::shared_ptr<const domain::Catalog>> catalog_;
  Versions seen_;
  std::mutex refresh_mu_;

  mutable std::shared_mutex accounts_mu_;
  // Keys of accounts: only keys that found one go in, so no stranger can fill it.
  struct KeyHasher {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
  };
  struct KeyEquals {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept;  // constant time
  };
  std::unordered_map<std::string, std::shared_ptr<const KeyedAccount>, KeyHasher, KeyEquals> by_key_;
  std::uint64_t generation_ = 0;  // bumped on each invalidation, under accounts_mu_

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace warung::store
