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
  // First value of `name`, or nullopt. Views into the Params: valid while it lives
  // (moving it keeps them) and until the next add().
  std::optional<std::string_view> get(std::string_view name) const;
  // Copies both (they must not point into this Params).
  void add(std::string_view name, std::string_view value);
  void reserve(std::size_t params, std::size_t text_bytes);
  std::size_t size() const { return items_.size(); }
  std::string_view name(std::size_t i) const { return view(items_[i].name_at, items_[i].name_size); }
  std::string_view value(std::size_t i) const { return view(items_[i].value_at, items_[i].value_size); }

 private:
  // Every name and value back to back in one string: a request's parameters cost two
  // allocations, not one per parameter longer than std::string keeps inline.
  struct Item {
    std::size_t name_at;
    std::size_t name_size;
    std::size_t value_at;
    std::size_t value_size;
  };
  static constexpr std::size_t kMinText = 64;  // past what a string keeps inline
  std::string_view view(std::size_t at, std::size_t size) const {
    return std::string_view(text_).substr(at, size);
  }
  std::string text_;
  std::vector<Item> items_;
};

// `content_type` is the raw Content-Type header (may be empty: then the body is
// tried as form data). Errors: kInvalidArgument naming what is wrong (bad JSON,
// missing multipart boundary, unsupported content type, ...).
Result<Params> parseParams(std::string_view content_type, std::string_view body);

// Percent-decoding with '+' as space; kInvalidArgument on a bad escape.
Result<std::string> urlDecode(std::string_view s);

}  // namespace warung::http
