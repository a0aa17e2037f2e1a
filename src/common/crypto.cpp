#include "common/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "common/clock.hpp"

namespace warung::crypto {
namespace {

std::string toHex(const unsigned char* bytes, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[bytes[i] >> 4];
    hex[2 * i + 1] = kHex[bytes[i] & 0xF];
  }
  return hex;
}

// Digests fetched from OpenSSL's provider once, not on every call (EVP_md5() and
// EVP_sha256() make each digest look the algorithm up again, under a lock), and one
// digest context per thread, reused: the per-request key hash and sign check cost
// about half as much.
const EVP_MD* fetched(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("OpenSSL has no ") + name);
  return md;  // kept for the life of the process
}

std::string digestHex(const EVP_MD* md, std::string_view data) {
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx t;
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (t.ctx == nullptr || EVP_DigestInit_ex2(t.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(t.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(t.ctx, out.data(), &len) != 1) {
    throw std::runtime_error("EVP_Digest failed");  // broken invariant: OpenSSL unusable
  }
  return toHex(out.data(), len);
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

std::string md5Hex(std::string_view data) {
  static const EVP_MD* const md5 = fetched("MD5");
  return digestHex(md5, data);
}

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len) == nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return toHex(out.data(), len);
}
std::string sha256Hex(std::string_view data) {
  static const EVP_MD* const sha256 = fetched("SHA256");
  return digestHex(sha256, data);
}

bool hexEqualsConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(lower(a[i]) ^ lower(b[i]));
  }
  return diff == 0;
}

bool equalsConstantTime(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

// Random bytes drawn from OpenSSL's CSPRNG 4 KiB at a time, per thread: a RAND_bytes
// call costs about 6,700 instructions and a getpid() whatever its size, which was a
// seventh of an order's work on the HTTP thread when every ref_id made one. Each byte
// is handed out once and wiped. (warung never forks, so no two processes share a pool.)
class RandomPool {
 public:
  RandomPool() = default;
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;
  ~RandomPool() { OPENSSL_cleanse(buf_.data(), buf_.size()); }

  unsigned char next() {
    if (used_ == buf_.size()) {
      if (RAND_bytes(buf_.data(), static_cast<int>(buf_.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
      }
      used_ = 0;
    }
    const unsigned char b = buf_[used_];
    buf_[used_++] = 0;
    return b;
  }

 private:
  std::array<unsigned char, 4096> buf_{};
  std::size_t used_ = buf_.size();
};

}  // namespace

std::string randomAlnum(std::size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local RandomPool pool;
  std::string out(n, 'a');
  for (std::size_t i = 0; i < n;) {
    const unsigned char b = pool.next();
    if (b >= 252) continue;  // 252 = 36 * 7: reject to keep the draw uniform
    out[i++] = kAlphabet[b % 36];
  }
  return out;
}

std::string timeOrderedId(std::int64_t unix_ms, std::size_t random_chars) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";  // ASCII order
  constexpr std::size_t kTimeChars = 8;
  std::string out(kTimeChars, '0');
  auto t = static_cast<std::uint64_t>(std::max<std::int64_t>(unix_ms, 0));
  for (std::size_t i = kTimeChars; i-- > 0 && t > 0; t /= 36) out[i] = kDigits[t % 36];
  return out + randomAlnum(random_chars);
}

}  // namespace warung::crypto

namespace warung {

std::string RandomIdGenerator::newRefId() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return crypto::timeOrderedId(ms.count(), 12);  // 20 characters, 62 random bits
}
std::string RandomIdGenerator::newApiKey() { return crypto::randomAlnum(40); }
std::string RandomIdGenerator::newUserId() { return "U" + crypto::randomAlnum(9); }

}  // namespace warung
