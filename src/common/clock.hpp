#pragma once
// Injected time and id sources, so tests control both (STYLE.md "Money and time").
#include <chrono>
#include <cstdint>
#include <string>

namespace warung {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in seconds. Thread-safe.
  virtual std::int64_t nowUnix() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t nowUnix() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::int64_t t) : t_(t) {}
  std::int64_t nowUnix() const override { return t_; }
  void set(std::int64_t t) { t_ = t; }

 private:
  std::int64_t t_;
};

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // A new, unique, unguessable order reference. Thread-safe.
  virtual std::string newRefId() = 0;
  // A new API key (shown once to the operator). Thread-safe.
  virtual std::string newApiKey() = 0;
  // A new public user id.
  virtual std::string newUserId() = 0;
};

// Ids from the OS CSPRNG (OpenSSL RAND_bytes).
class RandomIdGenerator final : public IdGenerator {
 public:
  std::string newRefId() override;
  std::string newApiKey() override;
  std::string newUserId() override;
};

}  // namespace warung
