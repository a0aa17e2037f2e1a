#include "domain/validation.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "common/json_writer.hpp"

namespace warung::domain {
namespace {

std::size_t codePoints(std::string_view s) {
  // Continuation bytes are 10xxxxxx; count everything else.
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status checkInput(const Service& s, int i, const FieldSpec& f, std::string_view v) {
  const std::string name = fieldName(s, i);
  if (v.empty()) return makeError(Errc::kUnprocessable, fmt::format("{} is required", name));
  if (!isValidUtf8(v)) return makeError(Errc::kUnprocessable, fmt::format("{} must be valid UTF-8 text", name));
  const auto len = static_cast<std::int64_t>(codePoints(v));
  if (len < f.minlength) {
    return makeError(Errc::kUnprocessable, fmt::format("{} must be at least {} characters", name, f.minlength));
  }
  if (f.maxlength > 0 && len > f.maxlength) {
    return makeError(Errc::kUnprocessable, fmt::format("{} must be at most {} characters", name, f.maxlength));
  }
  if ((f.input_type == "tel" || f.input_type == "number") && !allDigits(v)) {
    return makeError(Errc::kUnprocessable, fmt::format("{} must contain digits only", name));
  }
  return okStatus();
}

}  // namespace

std::string fieldName(const Service& s, int index) {
  const FieldSpec& f = s.fields[static_cast<std::size_t>(index)];
  const std::string& label = f.type == FieldType::kSelect ? f.select_label : f.label;
  return label.empty() ? fmt::format("data{}", index + 1) : label;
}

Status validateFields(const Service& s, const OrderData& data) {
  for (int i = 0; i < 3; ++i) {
    const FieldSpec& f = s.fields[static_cast<std::size_t>(i)];
    const std::string_view v = data[static_cast<std::size_t>(i)].value_or(std::string_view{});
    switch (f.type) {
      case FieldType::kNone:
        break;
      case FieldType::kInput:
        if (auto st = checkInput(s, i, f, v); !st) return st;
        break;
      case FieldType::kSelect:
        if (v.empty()) return makeError(Errc::kUnprocessable, fmt::format("{} is required", fieldName(s, i)));
        if (std::find(f.options.begin(), f.options.end(), v) == f.options.end()) {
          return makeError(Errc::kUnprocessable,
                           fmt::format("{} must be one of: {}", fieldName(s, i), fmt::join(f.options, ", ")));
        }
        break;
    }
  }
  return okStatus();
}

Result<std::int64_t> parseQuantity(const Service& s, const OrderData& data) {
  const std::string name = fieldName(s, 1);
  const std::string_view v = data[1].value_or(std::string_view{});
  std::int64_t q = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || !allDigits(v)) {
    return makeError(Errc::kUnprocessable, fmt::format("{} must be a whole number", name));
  }
  if (q < s.min_quantity || q > s.max_quantity) {
    return makeError(Errc::kUnprocessable,
                     fmt::format("{} must be between {} and {}", name, s.min_quantity, s.max_quantity));
  }
  return q;
}

}  // namespace warung::domain
