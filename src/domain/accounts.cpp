#include "domain/accounts.hpp"

#include <stdexcept>

#include "common/crypto.hpp"

namespace warung::domain {

std::string keyHash(std::string_view api_key) { return crypto::sha256Hex(api_key); }

std::string expectedSign(std::string_view user_id, std::string_view api_key) {
  std::string material;
  material.reserve(user_id.size() + api_key.size());
  material += user_id;
  material += api_key;
  return crypto::md5Hex(material);
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

Status checkCredentials(const Account& account, std::string_view api_key, std::string_view sign) {
  return checkSign(account, domain::expectedSign(account.user_id, api_key), sign);
}

const std::string& CredentialDigests::keyHash(std::string_view api_key) {
  if (capacity_ > 0 && api_key.size() <= kMaxKeyLength) {
    if (auto it = memo_.find(api_key); it != memo_.end()) {
      last_ = &it->second;
      return last_->key_hash;
    }
    if (memo_.size() >= capacity_) memo_.clear();
    auto it = memo_.emplace(std::string(api_key), Digests{}).first;
    last_ = &it->second;
    last_->key = it->first;
  } else {
    scratch_key_.assign(api_key);
    scratch_ = Digests{};
    scratch_.key = scratch_key_;
    last_ = &scratch_;
  }
  ++computed_;
  last_->key_hash = domain::keyHash(api_key);
  return last_->key_hash;
}

const std::string& CredentialDigests::expectedSign(std::string_view user_id) {
  if (last_ == nullptr) throw std::logic_error("CredentialDigests::expectedSign before keyHash");
  if (last_->user_id.empty() || last_->user_id != user_id) {
    ++computed_;
    last_->sign = domain::expectedSign(user_id, last_->key);
    last_->user_id = std::string(user_id);
  }
  return last_->sign;
}

}  // namespace warung::domain
