#include "store/sqlite/migrations.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <array>
#include <ctime>
#include <set>
#include <stdexcept>

namespace warung::store::sqlite {
namespace {

// Money is INTEGER rupiah, times INTEGER Unix seconds, enums the text of
// domain::toString. typeof(balance) = 'integer' matters: SQLite turns an overflowing
// integer sum into a REAL instead of failing, and a balance must never silently become
// a float.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE accounts (
  id          INTEGER PRIMARY KEY,
  user_id     TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  level       TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  balance     INTEGER NOT NULL DEFAULT 0 CHECK (typeof(balance) = 'integer' AND balance >= 0),
  key_hash    TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

CREATE TABLE services (
  id            INTEGER PRIMARY KEY,
  kind          TEXT    NOT NULL,
  code          TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  note          TEXT    NOT NULL DEFAULT '',
  category      TEXT    NOT NULL DEFAULT '',
  category_key  TEXT    NOT NULL DEFAULT '',
  fields_title  TEXT    NOT NULL DEFAULT '',
  fields_info   TEXT    NOT NULL DEFAULT '',
  f1_type TEXT NOT NULL DEFAULT 'none', f1_input_type TEXT NOT NULL DEFAULT 'text',
  f1_label TEXT NOT NULL DEFAULT '', f1_min INTEGER NOT NULL DEFAULT 0,
  f1_max INTEGER NOT NULL DEFAULT 0, f1_placeholder TEXT NOT NULL DEFAULT '',
  f1_select_label TEXT NOT NULL DEFAULT '', f1_options TEXT NOT NULL DEFAULT '',
  f1_select_placeholder TEXT NOT NULL DEFAULT '',
  f2_type TEXT NOT NULL DEFAULT 'none', f2_input_type TEXT NOT NULL DEFAULT 'text',
  f2_label TEXT NOT NULL DEFAULT '', f2_min INTEGER NOT NULL DEFAULT 0,
  f2_max INTEGER NOT NULL DEFAULT 0, f2_placeholder TEXT NOT NULL DEFAULT '',
  f2_select_label TEXT NOT NULL DEFAULT '', f2_options TEXT NOT NULL DEFAULT '',
  f2_select_placeholder TEXT NOT NULL DEFAULT '',
  f3_type TEXT NOT NULL DEFAULT 'none', f3_input_type TEXT NOT NULL DEFAULT 'text',
  f3_label TEXT NOT NULL DEFAULT '', f3_min INTEGER NOT NULL DEFAULT 0,
  f3_max INTEGER NOT NULL DEFAULT 0, f3_placeholder TEXT NOT NULL DEFAULT '',
  f3_select_label TEXT NOT NULL DEFAULT '', f3_options TEXT NOT NULL DEFAULT '',
  f3_select_placeholder TEXT NOT NULL DEFAULT '',
  min_quantity  INTEGER NOT NULL DEFAULT 0,
  max_quantity  INTEGER NOT NULL DEFAULT 0,
  price_standar INTEGER NOT NULL CHECK (price_standar >= 0),
  price_premium INTEGER NOT NULL CHECK (price_premium >= 0),
  price_spesial INTEGER NOT NULL CHECK (price_spesial >= 0),
  cutoff_start  INTEGER NOT NULL DEFAULT 0,
  cutoff_end    INTEGER NOT NULL DEFAULT 0,
  ready         INTEGER NOT NULL DEFAULT 1,
  enabled       INTEGER NOT NULL DEFAULT 1,
  updated_at    INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, code)
);

CREATE TABLE price_overrides (
  account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  price       INTEGER NOT NULL CHECK (price >= 0),
  PRIMARY KEY (account_id, service_id)
) WITHOUT ROWID;

CREATE TABLE orders (
  id              INTEGER PRIMARY KEY,
  ref_id          TEXT    NOT NULL UNIQUE,
  account_id      INTEGER NOT NULL REFERENCES accounts(id),
  kind            TEXT    NOT NULL,
  service_id      INTEGER NOT NULL,
  service_code    TEXT    NOT NULL,
  service_name    TEXT    NOT NULL,
  category_key    TEXT    NOT NULL,
  data1           TEXT    NOT NULL,
  data2           TEXT    NOT NULL,
  data3           TEXT    NOT NULL,
  target          TEXT    NOT NULL,
  quantity        INTEGER NOT NULL,
  unit_price      INTEGER NOT NULL,
  charge          INTEGER NOT NULL CHECK (charge >= 0),
  status          TEXT    NOT NULL,
  start_count     INTEGER NOT NULL DEFAULT 0,
  remain          INTEGER NOT NULL DEFAULT 0,
  voucher         TEXT    NOT NULL DEFAULT '',
  note            TEXT    NOT NULL DEFAULT '',
  idempotency_key TEXT,
  fingerprint     TEXT    NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
-- latestOrders: one account's newest orders of one kind.
CREATE INDEX orders_account_kind_id ON orders (account_id, kind, id);
CREATE UNIQUE INDEX orders_idempotency ON orders (account_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- The duplicate-pending rule, enforced by the database itself: at most one open order
-- per account, service and target.
CREATE UNIQUE INDEX orders_pending_target ON orders (account_id, service_id, target)
  WHERE status IN ('waiting', 'processing');
CREATE INDEX orders_status_id ON orders (status, id);
CREATE INDEX orders_created_at ON orders (created_at);

CREATE TABLE ledger (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  amount        INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  reason        TEXT    NOT NULL,
  order_id      INTEGER REFERENCES orders(id),
  ref           TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL
);
CREATE INDEX ledger_account_id ON ledger (account_id, id);

-- Bumped by triggers so that a process sees another process's change to the catalog
-- or to accounts by polling one tiny table.
CREATE TABLE change_versions (
  name    TEXT    PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO change_versions (name, version) VALUES ('catalog', 1), ('accounts', 1);

CREATE TRIGGER services_bump_ins AFTER INSERT ON services BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_bump_upd AFTER UPDATE ON services BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'catalog'; END;
CREATE TRIGGER services_bump_del AFTER DELETE ON services BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'catalog'; END;

CREATE TRIGGER accounts_bump_ins AFTER INSERT ON accounts BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER accounts_bump_del AFTER DELETE ON accounts BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;
-- Not on balance: every order updates it, and cached account data holds no balance.
CREATE TRIGGER accounts_bump_upd AFTER UPDATE OF level, status, key_hash, name ON accounts BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;

CREATE TRIGGER overrides_bump_ins AFTER INSERT ON price_overrides BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER overrides_bump_upd AFTER UPDATE ON price_overrides BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER overrides_bump_del AFTER DELETE ON price_overrides BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;
)sql";

// Fulfilment: upstream providers and each service's routes to them, each order's
// dispatch state, the order's story, and the reseller webhook outbox.
constexpr const char* kMigration2 = R"sql(
ALTER TABLE accounts ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
-- Cached accounts carry the callback settings too, so changing them bumps 'accounts'.
DROP TRIGGER accounts_bump_upd;
CREATE TRIGGER accounts_bump_upd
  AFTER UPDATE OF level, status, key_hash, name, callback_url, webhook_secret ON accounts BEGIN
  UPDATE change_versions SET version = version + 1 WHERE name = 'accounts'; END;

CREATE TABLE providers (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  dialect     TEXT    NOT NULL,
  base_url    TEXT    NOT NULL DEFAULT '',
  api_key     TEXT    NOT NULL DEFAULT '',
  secret      TEXT    NOT NULL DEFAULT '',
  timeout_ms  INTEGER NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL
);

CREATE TABLE routes (
  service_id        INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  provider_id       INTEGER NOT NULL REFERENCES providers(id),
  priority          INTEGER NOT NULL,
  provider_service  TEXT    NOT NULL,
  cost              INTEGER NOT NULL CHECK (typeof(cost) = 'integer' AND cost >= 0),
  PRIMARY KEY (service_id, provider_id)
) WITHOUT ROWID;
-- The foreign key's child index: without it every provider id check scans routes.
CREATE INDEX routes_provider ON routes (provider_id);

-- One row per order that entered fulfilment, created when first claimed.
-- provider_id is 0 until a provider was chosen, so it is no foreign key.
CREATE TABLE dispatch (
  order_id           INTEGER PRIMARY KEY REFERENCES orders(id),
  phase              TEXT    NOT NULL,
  route_index        INTEGER NOT NULL DEFAULT 0,
  provider_id        INTEGER NOT NULL DEFAULT 0,
  provider_order_id  TEXT    NOT NULL DEFAULT '',
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_at            INTEGER NOT NULL,
  last_error         TEXT    NOT NULL DEFAULT '',
  updated_at         INTEGER NOT NULL
);
-- claimToSend and claimDue: the due rows of one phase, soonest first.
CREATE INDEX dispatch_phase_next_at ON dispatch (phase, next_at);

CREATE TABLE order_events (
  id        INTEGER PRIMARY KEY,
  order_id  INTEGER NOT NULL REFERENCES orders(id),
  at        INTEGER NOT NULL,
  kind      TEXT    NOT NULL,
  detail    TEXT    NOT NULL
);
CREATE INDEX order_events_order_id ON order_events (order_id, id);

-- The outbox: written in the transaction that changed the order, sent afterwards.
-- url and secret are not copied here: they are read from the account when claimed.
CREATE TABLE webhook_deliveries (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts(id),
  order_id      INTEGER NOT NULL REFERENCES orders(id),
  ref_id        TEXT    NOT NULL,
  payload       TEXT    NOT NULL,
  status        TEXT    NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_at       INTEGER NOT NULL,
  last_error    TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  delivered_at  INTEGER NOT NULL DEFAULT 0
);
-- claimDeliveries: due pending rows; the in-order rule looks up an order's older ones.
CREATE INDEX webhook_deliveries_status_next_at ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_order_id ON webhook_deliveries (order_id, id);
-- listDeliveries for one account.
CREATE INDEX webhook_deliveries_account_id ON webhook_deliveries (account_id, id);
)sql";

// The operator's console: operator accounts, their sessions and script tokens (both
// only as sha256 of the secret), the audit log, and indexes for the dashboard.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE admins (
  id             INTEGER PRIMARY KEY,
  username       TEXT    NOT NULL UNIQUE,
  password_hash  TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  disabled       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE admin_sessions (
  token_hash  TEXT    PRIMARY KEY,
  admin_id    INTEGER NOT NULL REFERENCES admins(id),
  csrf_token  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX admin_sessions_expires_at ON admin_sessions (expires_at);

CREATE TABLE admin_tokens (
  token_hash  TEXT    PRIMARY KEY,
  admin_id    INTEGER NOT NULL REFERENCES admins(id),
  name        TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  revoked     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  admin   TEXT    NOT NULL,
  action  TEXT    NOT NULL,
  target  TEXT    NOT NULL DEFAULT '',
  detail  TEXT    NOT NULL DEFAULT '{}'
);

-- Dashboard: orders stuck in one state (status, last change), refunds per order.
CREATE INDEX orders_status_updated_at ON orders (status, updated_at);
CREATE INDEX ledger_order_id ON ledger (order_id) WHERE order_id IS NOT NULL;
)sql";

// Provider webhooks: the secret a provider signs its status webhooks with, and the
// lookup of our order by the provider's order id that a webhook carries.
constexpr const char* kMigration4 = R"sql(
ALTER TABLE providers ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
CREATE INDEX dispatch_provider_order ON dispatch (provider_id, provider_order_id);
)sql";

// The status list's index carries each order's status, so that the list's (id,
// status) pairs are read from the index alone (SqliteStore::visitLatestOrdersUnheld).
constexpr const char* kMigration5 = R"sql(
DROP INDEX orders_account_kind_id;
CREATE INDEX orders_account_kind_id_status ON orders (account_id, kind, id, status);
)sql";

// The duplicate-pending rule moves from this unique index to the order writer's
// memory (pending_targets.hpp): the index changed a page keyed by account for every
// order, about a quarter of what an order wrote. PostgreSQL keeps its index.
constexpr const char* kMigration6 = R"sql(
DROP INDEX orders_pending_target;
)sql";

// The ledger's index by account now holds only the rows that are not order debits
// (credits, debits, refunds: few); an account's order debits are reached through its
// orders (sql.hpp, kSelectLedger). Keyed by account, the whole index changed a distant
// page for every order, about a quarter of what an order wrote.
constexpr const char* kMigration7 = R"sql(
DROP INDEX ledger_account_id;
CREATE INDEX ledger_account_id_not_order ON ledger (account_id, id) WHERE reason <> 'order';
)sql";

// The status list kept whole (api/osimesa/list_cache.hpp): each account's order list
// has a version, moved on in the same transaction as any change to one of its orders
// (Store::visitLatestOrdersSince). The statements that place and change orders move it
// (sql.hpp); triggers would have, whoever wrote, but an INSERT that fires one takes a
// statement journal and a trigger frame, which cost the order writer about 40,000
// instructions per order (bench/README.md).
constexpr const char* kMigration8 = R"sql(
ALTER TABLE accounts ADD COLUMN order_version INTEGER NOT NULL DEFAULT 0;
)sql";

// One index of the orders by status where there were two: (status, id) for the dispatcher's
// walk, the pending orders loaded at start and the console's list by status, and
// (status, updated_at) for the console's stuck orders only. Each index is a b-tree
// every order insert and every status change writes; the stuck orders are now read from
// this index's entries for the waiting and processing orders (updated_at carried in the
// entry, so no row is read to filter them): 44-60 ms with 173,000 of them pending,
// against 1 ms (bench/README.md).
constexpr const char* kMigration9 = R"sql(
DROP INDEX orders_status_id;
DROP INDEX orders_status_updated_at;
CREATE INDEX orders_status_id_updated_at ON orders (status, id, updated_at);
)sql";

// Each account's orders of each kind as a chain, newest first, where there was an index
// of (account, kind, id, status): an order row carries the id of its account's previous
// order of the same kind (prev_id, 0 for the first), and the account the newest of each
// kind (latest_<kind>_order, 0 for none), written by the order writer in the statements
// it ran anyway. Keyed by account, the index changed a distant page for every order:
// 47 % of the pages an order batch wrote; without it the writer spent 37 % less CPU
// per order (bench/README.md, session 19). The status list, the ledger by account and
// the console's orders of one account (but open ones, by the status index) walk the
// chain (sqlite_store.cpp, order_chain.hpp).
// PostgreSQL keeps its index. The backfill reads the index before dropping it.
constexpr const char* kMigration10 = R"sql(
ALTER TABLE orders ADD COLUMN prev_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN latest_social_media_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN latest_game_order INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET prev_id = COALESCE((SELECT MAX(p.id) FROM orders p WHERE p.account_id = orders.account_id
  AND p.kind = orders.kind AND p.id < orders.id), 0);
UPDATE accounts SET
  latest_social_media_order = COALESCE((SELECT MAX(id) FROM orders
    WHERE account_id = accounts.id AND kind = 'social-media'), 0),
  latest_game_order = COALESCE((SELECT MAX(id) FROM orders WHERE account_id = accounts.id AND kind = 'game'), 0);
DROP INDEX orders_account_kind_id_status;
)sql";

constexpr std::array<Migration, 10> kMigrations{{
    {1, "initial schema", kMigration1},
    {2, "fulfilment: providers, routes, dispatch, order events, webhooks", kMigration2},
    {3, "admin console: admins, sessions, tokens, audit log", kMigration3},
    {4, "provider webhooks: providers.webhook_secret, dispatch by provider order", kMigration4},
    {5, "status list from an index of (account, kind, id, status)", kMigration5},
    {6, "duplicate-pending rule kept by the order writer, not an index", kMigration6},
    {7, "ledger by account: order debits through the orders", kMigration7},
    {8, "a version per account's order list", kMigration8},
    {9, "one index of the orders by status: (status, id, updated_at)", kMigration9},
    {10, "each account's orders of a kind as a chain (orders.prev_id), not an index", kMigration10},
}};

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";
constexpr const char* kSelectApplied = "SELECT version FROM schema_migrations ORDER BY version";
constexpr const char* kInsertApplied = "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)";

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latestSchemaVersion() { return kMigrations.back().version; }

void migrate(SQLite::Database& db, const std::string& path) {
  try {
    // IMMEDIATE: a server and a CLI starting together must not both apply migration 1.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec(kCreateMigrationsTable);

    std::set<int> applied;
    {
      SQLite::Statement q(db, kSelectApplied);
      while (q.executeStep()) applied.insert(q.getColumn(0).getInt());
    }
    std::set<int> known;
    for (const Migration& m : kMigrations) known.insert(m.version);
    for (int v : applied) {
      if (!known.contains(v)) {
        throw std::runtime_error("database " + path + " has schema version " + std::to_string(v) +
                                 ", newer than this build knows (" + std::to_string(latestSchemaVersion()) +
                                 "); upgrade warung before opening it");
      }
    }

    SQLite::Statement record(db, kInsertApplied);
    for (const Migration& m : kMigrations) {
      if (applied.contains(m.version)) continue;
      spdlog::info("sqlite: {}: applying migration {} ({})", path, m.version, m.name);
      db.exec(m.sql);
      record.reset();
      record.bind(1, m.version);
      record.bind(2, static_cast<std::int64_t>(std::time(nullptr)));
      record.exec();
    }
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("database " + path + ": migration failed: " + e.what());
  }
}

}  // namespace warung::store::sqlite
