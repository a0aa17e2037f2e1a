#pragma once
// Internal to the provider simulator: its orders as they stand, and keeping them in a
// JSON file across restarts (ProviderSimulator::Options::state_file; the demo's).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/simulator.hpp"

namespace warung::dispatch::detail {

// One order the simulator holds: what was asked, and how and when it ends.
struct SimulatedOrder {
  ProviderSimulator::OrderView view;
  ProviderSimulator::Outcome outcome = ProviderSimulator::Outcome::kSuccess;
  std::int64_t final_remains = 0;
  int complete_after = 2;
  std::int64_t created_at = 0;
};

// Writes `body` to a temporary file beside `path`, syncs it, renames it over `path` and
// syncs the directory: a process killed or a machine cut off meanwhile leaves the old
// file or the new one, never a truncated one. Throws std::runtime_error naming the
// file and the system's error.
void replaceFileDurably(const std::string& path, std::string_view body);

// Writes `orders` to `path` whole (meant for the demo's few orders), through
// replaceFileDurably. Throws std::runtime_error naming the path.
void saveSimulatedOrders(const std::string& path, const std::vector<SimulatedOrder>& orders);

// The orders saved in `path`, in their order (none when there is no such file); the
// view's derived fields (status, start count, remains, voucher) are left for the
// simulator to work out. Throws std::runtime_error naming the path and what is wrong
// when the file cannot be read or is not what saveSimulatedOrders writes.
std::vector<SimulatedOrder> loadSimulatedOrders(const std::string& path);

}  // namespace warung::dispatch::detail
