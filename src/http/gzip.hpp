#pragma once
// gzip content encoding for large cached answers (the service lists).
#include <string>
#include <string_view>

namespace warung::http {

// gzip (RFC 1952) of `data` at zlib `level` (1 fastest .. 9 smallest). Throws
// std::runtime_error only if zlib itself fails (out of memory): a broken invariant.
std::string gzipCompress(std::string_view data, int level = 6);

// True when an Accept-Encoding header value accepts gzip (a "gzip" or "*" coding
// whose q is not 0).
bool acceptsGzip(std::string_view accept_encoding);

}  // namespace warung::http
