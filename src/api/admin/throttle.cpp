#include "api/admin/throttle.hpp"

#include <algorithm>

namespace warung::api::admin {

// Bounds memory when many keys fail (a scan of usernames): beyond this many keys,
// keys with no failure left in the window are dropped.
constexpr std::size_t kMaxKeys = 100'000;

LoginThrottle::LoginThrottle(int max_failures, std::int64_t window_s)
    : max_failures_(std::max(max_failures, 1)), window_s_(std::max<std::int64_t>(window_s, 1)) {}

void LoginThrottle::prune(std::deque<std::int64_t>& q, std::int64_t now) const {
  while (!q.empty() && q.front() <= now - window_s_) q.pop_front();
}

std::int64_t LoginThrottle::retryAfter(const std::string& key, std::int64_t now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  prune(it->second, now);
  if (static_cast<int>(it->second.size()) < max_failures_) return 0;
  // Free again when enough of the failures have left the window.
  const std::int64_t freed_at =
      it->second[it->second.size() - static_cast<std::size_t>(max_failures_)] + window_s_;
  return std::max<std::int64_t>(freed_at - now, 1);
}

void LoginThrottle::recordFailure(const std::string& key, std::int64_t now) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= kMaxKeys) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& q = failures_[key];
  prune(q, now);
  q.push_back(now);
  // Only the newest max_failures matter for the answer.
  while (static_cast<int>(q.size()) > max_failures_) q.pop_front();
}

void LoginThrottle::reset(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

}  // namespace warung::api::admin
