#pragma once
// Cut-off windows: the daily period in which a service takes no orders.
#include <optional>
#include <string>
#include <string_view>

#include "domain/types.hpp"

namespace warung::domain {

// True when `minute_of_day` (0..1439, operator's zone) lies in [start, end),
// wrapping midnight when start > end. start == end means no cut-off.
bool insideCutoff(const Cutoff& c, int minute_of_day);

// "HH:MM" <-> minutes after midnight. parse returns nullopt unless 00:00..23:59.
std::optional<int> parseHhMm(std::string_view s);
std::string formatHhMm(int minute);

}  // namespace warung::domain
