#include "common/password.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace warung::password {
namespace {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init is idempotent and thread-safe after the first call; -1 means the
    // library cannot work at all (no entropy source): a start-up failure.
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

}  // namespace

Result<std::string> hash(std::string_view password) {
  init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return makeError(Errc::kInternal, "cannot hash the password (out of memory)");
  }
  return std::string(out);
}

bool verify(std::string_view encoded, std::string_view password) {
  init();
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string z(encoded);  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(z.c_str(), password.data(), password.size()) == 0;
}

std::string randomToken() {
  init();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex, sizeof bytes * 2);
}

bool equalConstantTime(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  init();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace warung::password
