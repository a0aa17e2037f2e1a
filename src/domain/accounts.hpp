#pragma once
// Authentication rules: `key` is the API key, `sign` = md5(user_id . key).
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::domain {

// The hash under which an API key is stored and looked up (sha256 hex).
std::string keyHash(std::string_view api_key);

// The sign a request with this account's API key must carry: md5(user_id . key),
// lower-case hex.
std::string signFor(std::string_view user_id, std::string_view api_key);

// Checks the sign for `account` in constant time (upper-case hex accepted) and that
// the account is active. kUnauthenticated for a wrong sign (the same answer as for
// an unknown key), kForbidden for a suspended account.
Status checkCredentials(const Account& account, std::string_view api_key, std::string_view sign);
// The same, against the sign expected for the key (signFor), worked out before.
Status checkSign(const Account& account, std::string_view expected_sign, std::string_view sign);

// The one message for a wrong key or a wrong sign.
inline constexpr std::string_view kBadCredentials = "invalid key or sign";

}  // namespace warung::domain
