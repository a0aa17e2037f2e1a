#pragma once
// Checks an order's data1..data3 against its service's fields.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::domain {

using OrderData = std::array<std::optional<std::string_view>, 3>;

// Rules (API-NOTES "Orders"): an `input` is required and non-empty, its length in
// characters (UTF-8 code points) within minlength..maxlength, `tel` and `number`
// digits only; a `select` value must be one of its options; `none` is ignored.
// Errors are kUnprocessable naming the field by its label ("data2" when unlabelled).
Status validateFields(const Service& s, const OrderData& data);

// Social media `default` services: data2 is the quantity, a whole number within
// min_quantity..max_quantity. kUnprocessable naming the field otherwise.
Result<std::int64_t> parseQuantity(const Service& s, const OrderData& data);

// The field's label as shown to the client, or "dataN".
std::string fieldName(const Service& s, int index);

}  // namespace warung::domain
