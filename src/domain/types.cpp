#include "domain/types.hpp"

namespace warung::domain {
namespace {

template <class E, std::size_t N>
std::optional<E> parseFrom(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 2> kKinds{"social-media", "game"};
constexpr std::array<std::string_view, 3> kLevels{"standar", "premium", "spesial"};
constexpr std::array<std::string_view, 2> kAccountStatuses{"active", "suspended"};
constexpr std::array<std::string_view, 5> kOrderStatuses{"waiting", "processing", "success",
                                                         "partial", "error"};
constexpr std::array<std::string_view, 3> kFieldTypes{"none", "input", "select"};
constexpr std::array<std::string_view, 4> kReasons{"credit", "debit", "order", "refund"};

}  // namespace

std::string_view toString(Kind k) { return kKinds[static_cast<int>(k)]; }
std::string_view toString(Level l) { return kLevels[static_cast<int>(l)]; }
std::string_view toString(AccountStatus s) { return kAccountStatuses[static_cast<int>(s)]; }
std::string_view toString(OrderStatus s) { return kOrderStatuses[static_cast<int>(s)]; }
std::string_view toString(FieldType t) { return kFieldTypes[static_cast<int>(t)]; }
std::string_view toString(LedgerReason r) { return kReasons[static_cast<int>(r)]; }

std::optional<Kind> parseKind(std::string_view s) { return parseFrom<Kind>(kKinds, s); }
std::optional<Level> parseLevel(std::string_view s) { return parseFrom<Level>(kLevels, s); }
std::optional<AccountStatus> parseAccountStatus(std::string_view s) {
  return parseFrom<AccountStatus>(kAccountStatuses, s);
}
std::optional<OrderStatus> parseOrderStatus(std::string_view s) {
  return parseFrom<OrderStatus>(kOrderStatuses, s);
}
std::optional<FieldType> parseFieldType(std::string_view s) {
  return parseFrom<FieldType>(kFieldTypes, s);
}

}  // namespace warung::domain
