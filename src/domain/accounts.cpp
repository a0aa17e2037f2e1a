#include "domain/accounts.hpp"

#include "common/crypto.hpp"

namespace warung::domain {

std::string keyHash(std::string_view api_key) { return crypto::sha256Hex(api_key); }

std::string signFor(std::string_view user_id, std::string_view api_key) {
  std::string material;
  material.reserve(user_id.size() + api_key.size());
  material += user_id;
  material += api_key;
  return crypto::md5Hex(material);
}

Status checkCredentials(const Account& account, std::string_view api_key, std::string_view sign) {
  return checkSign(account, signFor(account.user_id, api_key), sign);
}

Status checkSign(const Account& account, std::string_view expected_sign, std::string_view sign) {
  if (!crypto::hexEqualsConstantTime(expected_sign, sign)) {
    return makeError(Errc::kUnauthenticated, std::string(kBadCredentials));
  }
  if (account.status != AccountStatus::kActive) {
    return makeError(Errc::kForbidden, "account is suspended");
  }
  return okStatus();
}

}  // namespace warung::domain
