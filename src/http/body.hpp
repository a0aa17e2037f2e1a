#pragma once
// Request parameters from the body: application/x-www-form-urlencoded,
// multipart/form-data or application/json (a flat object; numbers and booleans are
// taken as their text, null as absent, nested values are refused).
// Pure functions, thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace warung::http {

class Params {
 public:
  // First value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  void add(std::string name, std::string value);
  std::size_t size() const { return items_.size(); }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// `content_type` is the raw Content-Type header (may be empty: then the body is
// tried as form data). Errors: kInvalidArgument naming what is wrong (bad JSON,
// missing multipart boundary, unsupported content type, ...).
Result<Params> parseParams(std::string_view content_type, std::string_view body);

// Percent-decoding with '+' as space; kInvalidArgument on a bad escape.
Result<std::string> urlDecode(std::string_view s);

}  // namespace warung::http
