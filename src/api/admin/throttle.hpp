#pragma once
// Sign-in throttling for the admin API: after `max_failures` failed sign-ins for one
// key (a username, or a client address) within `window_s`, that key is refused until
// the oldest of those failures is `window_s` old.
//
// In memory, per process: a restart forgets the counts, and several warung processes
// each count their own. That is enough for one operator console on loopback; the
// Argon2id cost (about 0.1 s a try) bounds guessing anyway. Thread-safe.
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace warung::api::admin {

class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::int64_t window_s);

  // Seconds until `key` may try again; 0 when it may try now.
  std::int64_t retryAfter(const std::string& key, std::int64_t now);
  void recordFailure(const std::string& key, std::int64_t now);
  // Forgets `key`'s failures (after a successful sign-in).
  void reset(const std::string& key);

 private:
  void prune(std::deque<std::int64_t>& q, std::int64_t now) const;

  int max_failures_;
  std::int64_t window_s_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<std::int64_t>> failures_;  // guarded by mu_
};

}  // namespace warung::api::admin
