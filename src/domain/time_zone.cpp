#include "domain/time_zone.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace warung::domain {
namespace {

int floorMod(std::int64_t a, std::int64_t m) { return static_cast<int>(((a % m) + m) % m); }
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
int minuteOfDayAt(std::int64_t t, std::int64_t offset_seconds) {
  return floorMod(floorDiv(t + offset_seconds, 60), 24 * 60);
}

// A zone read from a TZif file (RFC 8536): the transition table with 64-bit times.
// Times after the last transition keep the last offset; Debian's tzdata carries
// transitions far enough ahead that the POSIX footer rule is not needed in practice.
class TzifZone final : public TimeZone {
 public:
  TzifZone(std::string name, std::vector<std::int64_t> at, std::vector<std::int32_t> offsets,
           std::int32_t initial)
      : name_(std::move(name)), at_(std::move(at)), offsets_(std::move(offsets)), initial_(initial) {}

  int minuteOfDay(std::int64_t t) const override {
    std::int32_t off = initial_;
    auto it = std::upper_bound(at_.begin(), at_.end(), t);
    if (it != at_.begin()) off = offsets_[static_cast<std::size_t>(it - at_.begin() - 1)];
    return minuteOfDayAt(t, off);
  }
  const std::string& name() const override { return name_; }

 private:
  std::string name_;
  std::vector<std::int64_t> at_;
  std::vector<std::int32_t> offsets_;
  std::int32_t initial_;
};

std::int64_t be(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

Result<std::shared_ptr<const TimeZone>> parseTzif(const std::string& name,
                                                  const std::vector<unsigned char>& d) {
  auto bad = [&] {
    return makeError(Errc::kInvalidArgument, "time zone file for '" + name + "' is not valid TZif");
  };
  if (d.size() < 44 || std::memcmp(d.data(), "TZif", 4) != 0) return bad();
  auto counts = [&](std::size_t off, std::int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = be(&d[off + 20 + 4 * i], 4);
  };
  std::int64_t c[6];  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  counts(0, c);
  std::size_t pos = 44;
  int tsize = 4;
  if (d[4] >= '2') {  // skip the 32-bit block, use the 64-bit one
    pos += static_cast<std::size_t>(c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (d.size() < pos + 44) return bad();
    counts(pos, c);
    pos += 44;
    tsize = 8;
  }
  const auto timecnt = static_cast<std::size_t>(c[3]);
  const auto typecnt = static_cast<std::size_t>(c[4]);
  if (typecnt == 0 || d.size() < pos + timecnt * (tsize + 1) + typecnt * 6) return bad();
  std::vector<std::int64_t> at(timecnt);
  std::vector<std::int32_t> offsets(timecnt);
  std::vector<std::int32_t> type_off(typecnt);
  const std::size_t types_pos = pos + timecnt * (tsize + 1);
  for (std::size_t i = 0; i < typecnt; ++i) {
    type_off[i] = static_cast<std::int32_t>(be(&d[types_pos + i * 6], 4));
  }
  for (std::size_t i = 0; i < timecnt; ++i) {
    at[i] = be(&d[pos + i * tsize], tsize);
    const std::size_t idx = d[pos + timecnt * tsize + i];
    if (idx >= typecnt) return bad();
    offsets[i] = type_off[idx];
  }
  return std::shared_ptr<const TimeZone>(
      std::make_shared<TzifZone>(name, std::move(at), std::move(offsets), type_off[0]));
}

}  // namespace

int FixedOffsetZone::minuteOfDay(std::int64_t t) const {
  return minuteOfDayAt(t, static_cast<std::int64_t>(offset_minutes_) * 60);
}

Result<std::shared_ptr<const TimeZone>> loadTimeZone(const std::string& name) {
  if (name == "UTC" || name == "Z") {
    return std::shared_ptr<const TimeZone>(std::make_shared<FixedOffsetZone>(0, name));
  }
  if (name.size() == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':') {
    const auto digit = [&](int i) { return name[i] >= '0' && name[i] <= '9'; };
    if (digit(1) && digit(2) && digit(4) && digit(5)) {
      const int h = (name[1] - '0') * 10 + (name[2] - '0');
      const int m = (name[4] - '0') * 10 + (name[5] - '0');
      if (h <= 14 && m < 60) {
        const int off = (h * 60 + m) * (name[0] == '-' ? -1 : 1);
        return std::shared_ptr<const TimeZone>(std::make_shared<FixedOffsetZone>(off, name));
      }
    }
    return makeError(Errc::kInvalidArgument, "bad UTC offset '" + name + "' (use +HH:MM)");
  }
  if (name.empty() || name.find("..") != std::string::npos || name[0] == '/') {
    return makeError(Errc::kInvalidArgument, "unknown time zone '" + name + "'");
  }
  const std::string path = "/usr/share/zoneinfo/" + name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return makeError(Errc::kInvalidArgument, "unknown time zone '" + name + "'");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(Errc::kInvalidArgument, "unknown time zone '" + name + "'");
  std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parseTzif(name, data);
}

std::optional<std::int64_t> localMidnight(std::string_view s, const TimeZone& zone) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n, int& out) {
    auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
    return ec == std::errc{} && end == s.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm), then shift by the zone's offset.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t utc_midnight = (static_cast<std::int64_t>(era) * 146097 + doe - 719468) * 86400;
  int offset = zone.minuteOfDay(utc_midnight);  // local minute at UTC midnight = offset
  if (offset >= 12 * 60) offset -= 24 * 60;
  return utc_midnight - static_cast<std::int64_t>(offset) * 60;
}

}  // namespace warung::domain
