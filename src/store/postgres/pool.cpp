#include "store/postgres/pool.hpp"

#include <stdexcept>
#include <utility>

namespace warung::store::postgres {

Pool::Pool(std::string url, int size) : url_(std::move(url)), size_(size) {
  if (size_ < 1) throw std::runtime_error("postgres: pool_size must be at least 1");
}

Pool::Lease Pool::acquire() {
  {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      std::unique_ptr<pg::Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(c));
    }
    ++open_;  // reserve the slot; connect outside the lock
  }
  try {
    return Lease(*this, std::make_unique<pg::Connection>(url_));
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    freed_.notify_one();
    throw;
  }
}

void Pool::adopt(std::unique_ptr<pg::Connection> c) {
  {
    std::lock_guard lock(mutex_);
    if (open_ >= size_) return;  // full: the connection is closed
    ++open_;
    idle_.push_back(std::move(c));
  }
  freed_.notify_one();
}

void Pool::release(std::unique_ptr<pg::Connection> c) {
  {
    std::lock_guard lock(mutex_);
    if (c && c->idle()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;  // closed below, outside the lock
    }
  }
  freed_.notify_one();
  c.reset();
}

}  // namespace warung::store::postgres
