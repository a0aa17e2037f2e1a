#pragma once
// Operator passwords, hashed with Argon2id (libsodium's crypto_pwhash_str): memory-hard,
// salted, parameters stored inside the hash string. Thread-safe.
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace warung::password {

// The encoded Argon2id hash ("$argon2id$v=19$m=...") of `password`, with libsodium's
// interactive limits (about 0.1 s and 64 MiB). kInternal when libsodium cannot run
// (out of memory).
Result<std::string> hash(std::string_view password);
// True when `password` matches `encoded`; false for a wrong password or a malformed hash.
bool verify(std::string_view encoded, std::string_view password);

// 32 random bytes as 64 lower-case hex characters (session and admin tokens).
std::string randomToken();
// Constant-time equality of two strings (lengths may leak).
bool equalConstantTime(std::string_view a, std::string_view b);

}  // namespace warung::password
