#pragma once
// The operator's time zone, used for cut-off windows.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace warung::domain {

class TimeZone {
 public:
  virtual ~TimeZone() = default;
  // Minutes after local midnight (0..1439) at Unix time `t`. Thread-safe.
  virtual int minuteOfDay(std::int64_t t) const = 0;
  virtual const std::string& name() const = 0;
};

// A fixed offset from UTC, e.g. +420 minutes for Asia/Jakarta (which has no DST).
class FixedOffsetZone final : public TimeZone {
 public:
  FixedOffsetZone(int offset_minutes, std::string name)
      : offset_minutes_(offset_minutes), name_(std::move(name)) {}
  int minuteOfDay(std::int64_t t) const override;
  const std::string& name() const override { return name_; }

 private:
  int offset_minutes_;
  std::string name_;
};

// Loads a zone by IANA name from the system's zoneinfo ("Asia/Jakarta"), or a fixed
// offset written "+07:00" / "-03:30" / "UTC". kInvalidArgument when unknown.
// IANA zones are read from the TZif file once, so DST rules are honoured without
// touching the process-wide TZ.
Result<std::shared_ptr<const TimeZone>> loadTimeZone(const std::string& name);

// "YYYY-MM-DD" -> the Unix time of that day's local midnight in `zone` (for date
// filters: a day is [midnight, midnight + 86400)). nullopt when not such a date.
std::optional<std::int64_t> localMidnight(std::string_view date, const TimeZone& zone);

}  // namespace warung::domain
