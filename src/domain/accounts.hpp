#pragma once
// Authentication rules: `key` is the API key, `sign` = md5(user_id . key).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::domain {

// The hash under which an API key is stored and looked up (sha256 hex).
std::string keyHash(std::string_view api_key);

// The sign a request for `user_id` with `api_key` must carry (md5 hex).
std::string expectedSign(std::string_view user_id, std::string_view api_key);

// Checks the sign for `account` in constant time (upper-case hex accepted) and that
// the account is active. kUnauthenticated for a wrong sign (the same answer as for
// an unknown key), kForbidden for a suspended account.
Status checkCredentials(const Account& account, std::string_view api_key, std::string_view sign);
// The same, with the expected sign already computed (expectedSign or CredentialDigests).
Status checkSign(const Account& account, std::string_view expected_sign, std::string_view sign);

// The one message for a wrong key or a wrong sign.
inline constexpr std::string_view kBadCredentials = "invalid key or sign";

// The two digests authentication computes from an API key (keyHash, and the expected
// sign for the account it finds), remembered per key for up to `capacity` keys, so
// that a reseller calling again and again with one key does not pay for them every
// time (about 6,000 instructions, an eighth of a status query). Pure memoization:
// the account is still found by the key hash, and its user id and status checked, on
// every call, so a rotated key or a suspended account takes effect at once. At
// capacity the memo starts over; keys longer than kMaxKeyLength are not kept. It
// holds the keys themselves (to compare): a memory dump of the process shows up to
// `capacity` keys used lately, as it shows the requests in flight. capacity 0 keeps
// nothing. Not thread-safe: one per thread.
class CredentialDigests {
 public:
  static constexpr std::size_t kMaxKeyLength = 128;

  explicit CredentialDigests(std::size_t capacity) : capacity_(capacity) {}
  // A smaller capacity takes effect when the memo next fills up.
  void setCapacity(std::size_t capacity) { capacity_ = capacity; }

  // keyHash(api_key). The reference is valid until the next call.
  const std::string& keyHash(std::string_view api_key);
  // expectedSign(user_id, key) for the key of the last keyHash() call (which must
  // come first). The reference is valid until the next call.
  const std::string& expectedSign(std::string_view user_id);

  std::size_t size() const { return memo_.size(); }
  std::uint64_t digestsComputed() const { return computed_; }  // for tests

 private:
  struct Digests {
    std::string_view key;  // the map's own key (scratch_key_ when not kept)
    std::string key_hash;
    std::string user_id;  // whose sign `sign` is (empty: none yet)
    std::string sign;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::size_t capacity_;
  std::unordered_map<std::string, Digests, Hash, std::equal_to<>> memo_;
  Digests* last_ = nullptr;  // the last keyHash() call's entry (scratch_ when not kept)
  Digests scratch_;
  std::string scratch_key_;
  std::uint64_t computed_ = 0;
};

}  // namespace warung::domain
