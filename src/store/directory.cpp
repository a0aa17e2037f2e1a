#include "store/directory.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "common/crypto.hpp"
#include "common/thread_name.hpp"
#include "domain/accounts.hpp"

namespace warung::store {
namespace {

std::shared_ptr<const domain::Catalog> loadCatalog(Store& store, std::int64_t version) {
  auto services = store.loadServices();
  if (!services) return nullptr;
  return std::make_shared<const domain::Catalog>(std::move(*services), version);
}

}  // namespace

Directory::Directory(Store& store, DirectoryConfig config) : store_(store), config_(config) {
  auto v = store_.versions();
  if (!v) throw std::runtime_error("cannot read catalog version: " + v.error().detail);
  seen_ = *v;
  auto c = loadCatalog(store_, seen_.catalog);
  if (!c) throw std::runtime_error("cannot load the service catalog");
  catalog_.store(std::move(c));
}

Directory::~Directory() { stop(); }

void Directory::start() {
  thread_ = std::thread([this] {
    setThreadName("directory");
    std::unique_lock lock(stop_mu_);
    while (!stop_cv_.wait_for(lock, config_.refresh_interval, [this] { return stopping_; })) {
      lock.unlock();
      refresh();
      lock.lock();
    }
  });
}

void Directory::stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const domain::Catalog> Directory::catalog() const { return catalog_.load(); }

void Directory::refresh() {
  std::lock_guard lock(refresh_mu_);
  auto v = store_.versions();
  if (!v) return;  // logged by the store; try again next tick
  if (v->accounts != seen_.accounts) {
    std::unique_lock w(accounts_mu_);
    by_key_.clear();
    ++generation_;
    seen_.accounts = v->accounts;
  }
  if (v->catalog != seen_.catalog) {
    if (auto c = loadCatalog(store_, v->catalog)) {
      catalog_.store(std::move(c));
      seen_.catalog = v->catalog;
      spdlog::info("catalog reloaded (version {})", v->catalog);
    }
  }
}

bool Directory::KeyEquals::operator()(std::string_view a, std::string_view b) const noexcept {
  return crypto::equalsConstantTime(a, b);
}

Result<std::shared_ptr<const KeyedAccount>> Directory::accountByKey(std::string_view api_key) {
  std::uint64_t generation = 0;
  {
    std::shared_lock r(accounts_mu_);
    if (auto it = by_key_.find(api_key); it != by_key_.end()) return it->second;
    generation = generation_;
  }
  auto account = store_.findAccountByKeyHash(domain::keyHash(api_key));
  if (!account) return account.error();
  std::string sign = domain::signFor(account->user_id, api_key);
  auto keyed = std::make_shared<const KeyedAccount>(
      KeyedAccount{std::make_shared<const domain::Account>(std::move(*account)), std::move(sign)});
  std::unique_lock w(accounts_mu_);
  // Only keep what was read after the last invalidation; an older read may be stale.
  if (generation == generation_ && by_key_.size() < config_.max_cached_accounts) {
    by_key_.emplace(api_key, keyed);
  }
  return keyed;
}

}  // namespace warung::store
