#pragma once
// Small, total helpers the adapters share to read providers' answers: JSON parsing
// without exceptions, numbers that arrive as strings or numbers, decimal amounts
// turned into whole units without floating point. Pure functions, thread-safe.
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "dispatch/http_client.hpp"

namespace warung::dispatch::adapters {

// nullopt when `body` is not one complete JSON document.
std::optional<boost::json::value> parseJson(std::string_view body);

enum class Rounding {
  kHalfUp,  // .5 and above away from zero ("100.5" -> 101, "-100.5" -> -101)
  kCeil,    // towards +infinity ("0.01" -> 1, "-0.9" -> 0)
};

// A plain decimal ("157", " 0.27819 ", "-3.5"; no exponent, no thousands
// separators) as a whole number. nullopt when malformed or out of int64 range.
std::optional<std::int64_t> parseDecimal(std::string_view s, Rounding r);

// A JSON number or numeric string as a whole number (see parseDecimal); doubles are
// rounded the same way. nullopt for anything else.
std::optional<std::int64_t> jsonWhole(const boost::json::value* v, Rounding r = Rounding::kHalfUp);

// A JSON string as is, or a number as its text ("23501"). nullopt for anything else.
std::optional<std::string> jsonText(const boost::json::value* v);

// Member `key` of `v` when `v` is an object that has it, else nullptr.
const boost::json::value* member(const boost::json::value* v, std::string_view key);

// Lower-cased, surrounding blanks removed: for comparing providers' status words.
std::string normalizeWord(std::string_view s);

// `s` cut to `max` bytes with a marker, for error details and logs.
std::string truncated(std::string_view s, std::size_t max = 512);

// The base URL without trailing slashes.
std::string trimBaseUrl(std::string_view url);

// Whether the failed request surely never reached the provider (no connection,
// bad URL): only then may an add be treated as refused. Anything else, including
// errors an HttpClient does not document, counts as possibly delivered.
bool surelyNotDelivered(const Error& e);

// POSTs `params` form-encoded to `url` with `timeout_ms` (at least 1 ms).
Result<HttpReply> postForm(HttpClient& http, const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           std::int64_t timeout_ms);

}  // namespace warung::dispatch::adapters
