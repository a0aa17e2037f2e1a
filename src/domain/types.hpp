#pragma once
// The domain's plain data: accounts, services, orders, ledger entries.
// No HTTP, no SQL. Times are Unix seconds; money is Money (whole rupiah).
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.hpp"

namespace warung::domain {

// The two kinds of product, one per public endpoint.
enum class Kind { kSocialMedia, kGame };
enum class Level { kStandar, kPremium, kSpesial };
enum class AccountStatus { kActive, kSuspended };
enum class OrderStatus { kWaiting, kProcessing, kSuccess, kPartial, kError };
enum class FieldType { kNone, kInput, kSelect };

std::string_view toString(Kind k);           // "social-media" | "game"
std::string_view toString(Level l);          // "standar" | "premium" | "spesial"
std::string_view toString(AccountStatus s);  // "active" | "suspended"
std::string_view toString(OrderStatus s);    // "waiting" | "processing" | ...
std::string_view toString(FieldType t);      // "none" | "input" | "select"
std::optional<Kind> parseKind(std::string_view s);
std::optional<Level> parseLevel(std::string_view s);
std::optional<AccountStatus> parseAccountStatus(std::string_view s);
std::optional<OrderStatus> parseOrderStatus(std::string_view s);
std::optional<FieldType> parseFieldType(std::string_view s);

struct Account {
  std::int64_t id = 0;  // internal row id
  std::string user_id;  // public user id, part of the sign
  std::string name;
  Level level = Level::kStandar;
  AccountStatus status = AccountStatus::kActive;
  Money balance;         // as last read; the store's guarded update is the truth
  std::string key_hash;  // sha256 hex of the API key; the key itself is never stored
  std::int64_t created_at = 0;
  // Per-service price overrides, by service id (price per order for games,
  // per 1,000 units for social media).
  std::map<std::int64_t, Money> price_overrides;
  // Reseller webhooks: status changes of this account's orders are POSTed here,
  // signed with HMAC-SHA256 under webhook_secret. Empty: no webhooks.
  std::string callback_url;
  std::string webhook_secret;
};

// One of a service's up to three input fields, as the service list shows it.
struct FieldSpec {
  FieldType type = FieldType::kNone;
  std::string input_type = "text";  // text, tel, number, ...
  std::string label;
  std::int64_t minlength = 0;
  std::int64_t maxlength = 0;
  std::string placeholder;
  std::string select_label;
  std::vector<std::string> options;  // select values
  std::string select_placeholder;
};

// A cut-off window in minutes after local midnight. start == end means none;
// start > end wraps midnight (23:30 to 00:15).
struct Cutoff {
  int start_minute = 0;
  int end_minute = 0;
};

struct Service {
  std::int64_t id = 0;
  Kind kind = Kind::kSocialMedia;
  std::string code;  // public service id clients send as `service`
  std::string name;
  std::string note;
  std::string category;      // category.main
  std::string category_key;  // social media: category.type ("default"); game: category.slug
  std::string fields_title;  // game only
  std::string fields_info;
  std::array<FieldSpec, 3> fields;
  std::int64_t min_quantity = 0;  // social media only
  std::int64_t max_quantity = 0;
  std::array<Money, 3> prices;  // indexed by Level
  Cutoff cutoff;
  bool ready = true;    // false: "empty" (out of stock)
  bool enabled = true;  // disabled services are not listed or sold
  std::int64_t updated_at = 0;

  Money priceFor(Level l) const { return prices[static_cast<int>(l)]; }
};

struct Order {
  std::int64_t id = 0;
  std::string ref_id;
  std::int64_t account_id = 0;
  Kind kind = Kind::kSocialMedia;
  std::int64_t service_id = 0;
  // Snapshot of the service at order time.
  std::string service_code;
  std::string service_name;
  std::string category_key;
  std::array<std::string, 3> data;
  std::string target;         // what "duplicate pending" compares (see ordering.hpp)
  std::int64_t quantity = 1;  // social media: units; game: 1
  Money unit_price;           // price.current at order time
  Money charge;               // what was debited
  OrderStatus status = OrderStatus::kWaiting;
  std::int64_t start_count = 0;
  std::int64_t remain = 0;
  std::string voucher;
  std::string note;
  std::string idempotency_key;  // empty when none was given
  std::string fingerprint;      // hash of the order's parameters, for idempotent retries
                                // (empty for an order placed without an idempotency key)
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

enum class LedgerReason { kCredit, kDebit, kOrder, kRefund };
std::string_view toString(LedgerReason r);  // "credit" | "debit" | "order" | "refund"

struct LedgerEntry {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  Money amount;  // signed: negative for charges and debits
  Money balance_after;
  LedgerReason reason = LedgerReason::kCredit;
  std::int64_t order_id = 0;  // 0 when not about an order
  std::string ref;            // order ref_id, or the operator's note
  std::int64_t created_at = 0;
};

}  // namespace warung::domain
