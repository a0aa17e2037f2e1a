#pragma once
// Moving a business between backends (`warung copy`): every table, row by row, ids
// kept. The source (SqliteStore::dumpTables) reads the tables in kCopyTables order
// inside one read transaction and hands each row to a RowSink; the target
// (PostgresStore::loadTables) writes them in one transaction. Only table and column
// names travel between the two; each backend builds its statements from them.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace warung::store {

struct CopyTable {
  const char* name;
  const char* columns;  // comma-separated, the same in both schemas
  bool identity;        // an `id` the target allocates from a sequence afterwards
};

// Parents before children (foreign keys hold at every row). schema_migrations is not
// copied: each database keeps its own.
inline constexpr std::array<CopyTable, 11> kCopyTables{{
    {"accounts",
     "id, user_id, name, level, status, balance, key_hash, created_at, callback_url, webhook_secret", true},
    {"services",
     "id, kind, code, name, note, category, category_key, fields_title, fields_info, "
     "f1_type, f1_input_type, f1_label, f1_min, f1_max, f1_placeholder, f1_select_label, f1_options, "
     "f1_select_placeholder, "
     "f2_type, f2_input_type, f2_label, f2_min, f2_max, f2_placeholder, f2_select_label, f2_options, "
     "f2_select_placeholder, "
     "f3_type, f3_input_type, f3_label, f3_min, f3_max, f3_placeholder, f3_select_label, f3_options, "
     "f3_select_placeholder, "
     "min_quantity, max_quantity, price_standar, price_premium, price_spesial, cutoff_start, cutoff_end, "
     "ready, enabled, updated_at",
     true},
    {"price_overrides", "account_id, service_id, price", false},
    {"orders",
     "id, ref_id, account_id, kind, service_id, service_code, service_name, category_key, data1, data2, "
     "data3, "
     "target, quantity, unit_price, charge, status, start_count, remain, voucher, note, idempotency_key, "
     "fingerprint, created_at, updated_at",
     true},
    {"ledger", "id, account_id, amount, balance_after, reason, order_id, ref, created_at", true},
    {"providers",
     "id, name, dialect, base_url, api_key, secret, timeout_ms, enabled, created_at, webhook_secret", true},
    {"routes", "service_id, provider_id, priority, provider_service, cost", false},
    {"dispatch",
     "order_id, phase, route_index, provider_id, provider_order_id, attempts, next_at, last_error, "
     "updated_at",
     false},
    {"order_events", "id, order_id, at, kind, detail", true},
    {"webhook_deliveries",
     "id, account_id, order_id, ref_id, payload, status, attempts, next_at, last_error, created_at, "
     "delivered_at",
     true},
    {"change_versions", "name, version", false},
}};

// One row: each column as text (integers in decimal, booleans 0/1), nullopt for NULL.
using CopyRow = std::vector<std::optional<std::string>>;

// Receives a dump: begin(table) before that table's rows. Returning an error stops
// the dump, which then returns that error.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual Status begin(const CopyTable& table) = 0;
  virtual Status row(const CopyRow& row) = 0;
};

// What the target holds after a verified copy.
struct CopyReport {
  struct Table {
    std::string name;
    std::int64_t rows = 0;  // read from the source = found in the target
  };
  std::vector<Table> tables;
  std::int64_t accounts_balanced = 0;  // accounts whose balance equals their ledger's sum (all of them)
  std::int64_t total_balance = 0;      // rupiah, over every account
};

}  // namespace warung::store
