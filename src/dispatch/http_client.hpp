#pragma once
// Outgoing HTTP for providers and webhooks, over libcurl. Thread-safe: each call
// uses its own easy handle (or a per-thread one). Never called inside a database
// transaction.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace warung::dispatch {

struct HttpReply {
  long status = 0;
  std::string body;
};

struct HttpRequest {
  std::string url;
  std::string body;
  std::string content_type = "application/x-www-form-urlencoded";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_response_bytes = 4 * 1024 * 1024;  // larger answers are an error
};

// Errors: kTimeout when the whole exchange took longer than `timeout` (the request
// may have reached the server: the outcome is unknown); kUnavailable when no
// connection could be made (the request surely did not arrive); kInvalidArgument
// for a malformed URL; kPayloadTooLarge past max_response_bytes. Any HTTP status,
// 5xx included, is a reply, not an error.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpReply> post(const HttpRequest& req) = 0;
};

std::unique_ptr<HttpClient> makeCurlHttpClient();

// application/x-www-form-urlencoded encoding of name=value pairs.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace warung::dispatch
