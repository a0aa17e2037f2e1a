#include "domain/accounts.hpp"

#include "common/crypto.hpp"

namespace warung::domain {

std::string keyHash(std::string_view api_key) { return crypto::sha256Hex(api_key); }

Status checkCredentials(const Account& account, std::string_view api_key, std::string_view sign) {
  std::string material;
  material.reserve(account.user_id.size() + api_key.size());
  material += account.user_id;
  material += api_key;
  if (!crypto::hexEqualsConstantTime(crypto::md5Hex(material), sign)) {
    return makeError(Errc::kUnauthenticated, std::string(kBadCredentials));
  }
  if (account.status != AccountStatus::kActive) {
    return makeError(Errc::kForbidden, "account is suspended");
  }
  return okStatus();
}

}  // namespace warung::domain
