#include "app/cli_common.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>

#include "api/osimesa/encode.hpp"

namespace warung::app {

dispatch::Lifecycle::Encoder webhookEncoder() {
  return [](const domain::Order& o) {
    std::string body;
    api::osimesa::appendOrder(body, o, true);
    return body;
  };
}

std::string rupiah(Money m) {
  // Rp 12.500: Indonesian thousands separator.
  std::string digits = std::to_string(m.rupiah < 0 ? -m.rupiah : m.rupiah);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ".");
  return (m.rupiah < 0 ? "-Rp " : "Rp ") + digits;
}

json::object accountJson(const domain::Account& a) {
  return {{"user_id", a.user_id},
          {"name", a.name},
          {"level", domain::toString(a.level)},
          {"status", domain::toString(a.status)},
          {"balance", a.balance.rupiah},
          {"created_at", a.created_at}};
}

json::object orderJson(const domain::Order& o) {
  return {{"ref_id", o.ref_id},
          {"account_id", o.account_id},
          {"kind", domain::toString(o.kind)},
          {"service", o.service_code},
          {"name", o.service_name},
          {"data", json::array{o.data[0], o.data[1], o.data[2]}},
          {"quantity", o.quantity},
          {"price", o.charge.rupiah},
          {"status", domain::toString(o.status)},
          {"start", o.start_count},
          {"remain", o.remain},
          {"voucher", o.voucher},
          {"note", o.note},
          {"created_at", o.created_at},
          {"updated_at", o.updated_at}};
}

json::object ledgerJson(const domain::LedgerEntry& e) {
  return {{"id", e.id},
          {"amount", e.amount.rupiah},
          {"balance_after", e.balance_after.rupiah},
          {"reason", domain::toString(e.reason)},
          {"ref", e.ref},
          {"created_at", e.created_at}};
}

Kind parseKindOption(const std::string& s) {
  auto k = domain::parseKind(s);
  if (!k) throw CommandError("kind must be social-media or game, got '" + s + "'");
  return *k;
}

Money parseAmount(const std::string& s, bool allow_zero) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 0 || (!allow_zero && v == 0)) {
    throw CommandError(fmt::format("amount must be a whole number of rupiah{}, got '{}'",
                                   allow_zero ? "" : " above zero", s));
  }
  return Money{v};
}

std::int64_t parseDate(const std::string& s, const domain::TimeZone& zone) {
  const auto t = domain::localMidnight(s, zone);
  if (!t) throw CommandError("date must be YYYY-MM-DD, got '" + s + "'");
  return *t;
}

void printJson(const json::value& v) { std::cout << json::serialize(v) << "\n"; }

}  // namespace warung::app
