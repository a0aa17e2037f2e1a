#pragma once
// Protocol-neutral error codes. One function in api/errors.cpp maps them to HTTP
// status and the message a client sees; `detail` is the client-safe explanation.
#include <string>
#include <utility>

namespace warung {

enum class Errc {
  kInvalidArgument,      // a parameter is missing or malformed
  kUnauthenticated,      // wrong key or sign (one answer for both)
  kForbidden,            // account suspended
  kNotFound,             // unknown service, order or account
  kMethodNotAllowed,     // wrong HTTP method
  kInsufficientBalance,  // balance below the charge
  kConflict,             // duplicate pending target, idempotency key reused differently
  kUnprocessable,        // a data field fails its service's rule
  kUnavailable,          // service empty or inside its cut-off window
  kOverloaded,           // bounded work queue full
  kPayloadTooLarge,      // body or header over its cap
  kTimeout,              // request deadline passed
  kRateLimited,          // too many attempts (admin sign-in); try again later
  kInternal,             // storage failure and other surprises (details only in logs)
};

struct Error {
  Errc code;
  std::string detail;
};

inline Error makeError(Errc code, std::string detail) { return Error{code, std::move(detail)}; }

}  // namespace warung
