#pragma once
// Hashing and randomness over OpenSSL. All functions are thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace warung::crypto {

// Lower-case hex md5 of `data`.
std::string md5Hex(std::string_view data);
// Lower-case hex sha256 of `data`. API keys are stored only as this hash: keys are
// 32 random bytes, so a fast hash is enough (no dictionary to attack).
std::string sha256Hex(std::string_view data);
// Lower-case hex HMAC-SHA256 of `data` under `key` (webhook signatures).
std::string hmacSha256Hex(std::string_view key, std::string_view data);
// Constant-time comparison of two hex strings, case-insensitive (sign may be upper-case).
bool hexEqualsConstantTime(std::string_view a, std::string_view b);
// Byte-for-byte comparison in time that depends on the sizes only (secrets, API keys).
bool equalsConstantTime(std::string_view a, std::string_view b);
// `n` characters from [a-z0-9] drawn from the CSPRNG.
std::string randomAlnum(std::size_t n);
// An order reference: `unix_ms` as 8 base-36 digits ([0-9a-z], so ids sort by time as
// plain strings until the year 2059), then `random_chars` from randomAlnum. Ids made
// close in time land next to each other in an index on them (an insert touches the
// last page or two instead of a random one); the random part keeps them unguessable.
std::string timeOrderedId(std::int64_t unix_ms, std::size_t random_chars);

}  // namespace warung::crypto
