#include "domain/cutoff.hpp"

#include <fmt/format.h>

namespace warung::domain {

bool insideCutoff(const Cutoff& c, int m) {
  if (c.start_minute == c.end_minute) return false;
  if (c.start_minute < c.end_minute) return m >= c.start_minute && m < c.end_minute;
  return m >= c.start_minute || m < c.end_minute;  // wraps midnight
}

std::optional<int> parseHhMm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string formatHhMm(int minute) { return fmt::format("{:02}:{:02}", minute / 60, minute % 60); }

}  // namespace warung::domain
