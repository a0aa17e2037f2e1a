#include "dispatch/adapters/parse_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cmath>
#include <limits>

namespace warung::dispatch::adapters {

namespace json = boost::json;

std::optional<json::value> parseJson(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parseDecimal(std::string_view s, Rounding r) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t whole = 0;
  std::size_t digits = 0;
  std::size_t i = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++digits) {
    const int d = s[i] - '0';
    if (whole > (kMax - d) / 10) return std::nullopt;
    whole = whole * 10 + d;
  }
  bool half_or_more = false;
  bool any_fraction = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    bool first = true;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++digits) {
      if (first) half_or_more = s[i] >= '5';
      if (s[i] != '0') any_fraction = true;
      first = false;
    }
  }
  if (digits == 0 || i != s.size()) return std::nullopt;
  bool bump = false;
  if (r == Rounding::kHalfUp) bump = half_or_more;
  if (r == Rounding::kCeil) bump = any_fraction && !negative;
  if (bump) {
    if (whole == kMax) return std::nullopt;
    ++whole;
  }
  return negative ? -whole : whole;
}

std::optional<std::int64_t> jsonWhole(const json::value* v, Rounding r) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    return static_cast<std::int64_t>(v->get_uint64());
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (!std::isfinite(d) || std::fabs(d) > 9.0e18) return std::nullopt;
    return static_cast<std::int64_t>(r == Rounding::kCeil ? std::ceil(d) : std::round(d));
  }
  if (v->is_string()) return parseDecimal(std::string_view(v->get_string()), r);
  return std::nullopt;
}

std::optional<std::string> jsonText(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_double()) return json::serialize(*v);
  return std::nullopt;
}

const json::value* member(const json::value* v, std::string_view key) {
  if (v == nullptr || !v->is_object()) return nullptr;
  return v->get_object().if_contains(key);
}

std::string normalizeWord(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string truncated(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...(" + std::to_string(s.size()) + " bytes)";
}

std::string trimBaseUrl(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

bool surelyNotDelivered(const Error& e) {
  return e.code == Errc::kUnavailable || e.code == Errc::kInvalidArgument;
}

Result<HttpReply> postForm(HttpClient& http, const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           std::int64_t timeout_ms) {
  HttpRequest req;
  req.url = url;
  req.body = formEncode(params);
  req.timeout = std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 1);
  return http.post(req);
}

}  // namespace warung::dispatch::adapters
