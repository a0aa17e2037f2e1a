#pragma once
// Every SQL statement of the SQLite store, as named constants (the schema itself is in
// migrations.cpp). Column lists that the code reads by position (kAccountColumns,
// kServiceColumns, kOrderColumns) are defined once here and used by every SELECT or
// RETURNING that feeds the matching row reader in sqlite_store.cpp.
namespace warung::store::sqlite::sql {

// --- connection set-up
// synchronous=FULL: each WAL commit is fsynced, so an answered order survives a crash.
inline constexpr const char* kPragmaWal = "PRAGMA journal_mode=WAL";
inline constexpr const char* kPragmaSynchronousFull = "PRAGMA synchronous=FULL";
inline constexpr const char* kPragmaForeignKeys = "PRAGMA foreign_keys=ON";
inline constexpr const char* kPragmaForeignKeysOff = "PRAGMA foreign_keys=OFF";  // the order writer
inline constexpr const char* kPragmaQueryOnly = "PRAGMA query_only=ON";
// Page cache per connection (the process's two write connections share one), in
// MiB: database.cache_mb. SQLite's default 2 MB made the order writer re-read index
// pages of a large orders table.
inline constexpr int kDefaultCacheMib = 16;
inline constexpr const char* kPragmaTempStoreMemory = "PRAGMA temp_store=MEMORY";

// --- versions
inline constexpr const char* kSelectVersions = "SELECT name, version FROM change_versions";

// --- accounts
#define WARUNG_ACCOUNT_COLUMNS \
  "id, user_id, name, level, status, balance, key_hash, created_at, callback_url, webhook_secret"
inline constexpr const char* kInsertAccount =
    "INSERT INTO accounts (user_id, name, level, status, balance, key_hash, created_at)"
    " VALUES (?1, ?2, ?3, 'active', 0, ?4, ?5) RETURNING " WARUNG_ACCOUNT_COLUMNS;
inline constexpr const char* kSelectAccounts = "SELECT " WARUNG_ACCOUNT_COLUMNS " FROM accounts ORDER BY id";
inline constexpr const char* kSelectAccountByUserId =
    "SELECT " WARUNG_ACCOUNT_COLUMNS " FROM accounts WHERE user_id = ?1";
inline constexpr const char* kSelectAccountByKeyHash =
    "SELECT " WARUNG_ACCOUNT_COLUMNS " FROM accounts WHERE key_hash = ?1";
inline constexpr const char* kSelectAccountStatusBalance =
    "SELECT status, balance FROM accounts WHERE id = ?1";
inline constexpr const char* kUpdateAccountStatus = "UPDATE accounts SET status = ?2 WHERE id = ?1";
inline constexpr const char* kUpdateAccountLevel = "UPDATE accounts SET level = ?2 WHERE id = ?1";
inline constexpr const char* kUpdateAccountKeyHash = "UPDATE accounts SET key_hash = ?2 WHERE id = ?1";
inline constexpr const char* kUpdateAccountCallback =
    "UPDATE accounts SET callback_url = ?2, webhook_secret = ?3 WHERE id = ?1";
#undef WARUNG_ACCOUNT_COLUMNS

inline constexpr const char* kSelectOverrides =
    "SELECT service_id, price FROM price_overrides WHERE account_id = ?1";
inline constexpr const char* kSelectAllOverrides =
    "SELECT account_id, service_id, price FROM price_overrides";
inline constexpr const char* kUpsertOverride =
    "INSERT INTO price_overrides (account_id, service_id, price) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (account_id, service_id) DO UPDATE SET price = excluded.price";
inline constexpr const char* kDeleteOverride =
    "DELETE FROM price_overrides WHERE account_id = ?1 AND service_id = ?2";

// --- balance and ledger
// Guarded update: the database checks and changes the balance in one step, so two
// writers can never both spend the same rupiah (no read-modify-write).
inline constexpr const char* kAdjustBalance =
    "UPDATE accounts SET balance = balance + ?1 WHERE id = ?2 AND balance + ?1 >= 0"
    " RETURNING balance";
// The order writer's account read and debit (order_writer.cpp, placeOne): the status,
// balance and newest order of the order's kind (the chain, migration 10) read first;
// then the debit, which also makes the new order the newest of its kind, guarded all
// the same: it refuses suspended accounts and overdrafts. No RETURNING on the writer's
// statements: SQLite builds a temporary table for every statement that returns rows
// that way, which cost the writer more than reading the row first.
// Every statement that places or changes an order moves its account's order-list
// version (accounts.order_version, migration 8) in the same transaction: the debit
// for a new order, the refund's credit or kBumpOrderListVersion for a transition.
// ?2 is a domain::Kind's text; the two kinds are spelled out (a third would read NULL).
#define WARUNG_LATEST_ORDER_OF_KIND(k) \
  "CASE " k " WHEN 'social-media' THEN latest_social_media_order WHEN 'game' THEN latest_game_order END"
inline constexpr const char* kSelectAccountForOrder =
    "SELECT status, balance, " WARUNG_LATEST_ORDER_OF_KIND("?2") " FROM accounts WHERE id = ?1";
inline constexpr const char* kDebitForOrder =
    "UPDATE accounts SET balance = balance - ?1, order_version = order_version + 1,"
    " latest_social_media_order = CASE ?3 WHEN 'social-media' THEN ?4 ELSE latest_social_media_order END,"
    " latest_game_order = CASE ?3 WHEN 'game' THEN ?4 ELSE latest_game_order END"
    " WHERE id = ?2 AND status = 'active' AND balance >= ?1";
inline constexpr const char* kCreditRefund =
    "UPDATE accounts SET balance = balance + ?1, order_version = order_version + 1 WHERE id = ?2"
    " RETURNING balance";
inline constexpr const char* kBumpOrderListVersion =
    "UPDATE accounts SET order_version = order_version + 1 WHERE id = ?1";
inline constexpr const char* kAccountExists = "SELECT 1 FROM accounts WHERE id = ?1";
inline constexpr const char* kInsertLedger =
    "INSERT INTO ledger (account_id, amount, balance_after, reason, order_id, ref, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
// An account's ledger comes from two places (migration 7): its rows other than order
// debits, by the partial index ledger_account_id_not_order; and its order debits,
// reached through its orders (the chain of each kind, migration 10, then
// ledger_order_id). An order's debit row is written right after the order, in its
// transaction, so the debits of newer orders have larger ids: the newest ?2 debits of
// each kind are among the newest ?2 orders of that kind. One chain per kind
// (domain::Kind has two), each walked from its newest order for ?2 steps.
#define WARUNG_LEDGER_COLUMNS(t)                                                                     \
  t "id, " t "account_id, " t "amount, " t "balance_after, " t "reason, " t "order_id, " t "ref, " t \
    "created_at"
// A chain as a recursive CTE `name`(id, n): its newest order, then each order's prev_id
// while it names an older order (a broken chain ends there rather than loop) and the
// order it leaves is the account's of this kind; the debits are also matched by
// account, so a broken chain never reads another account's.
#define WARUNG_ORDER_CHAIN(name, column, kind, limit)                                                       \
  name "(id, n) AS (SELECT latest_" column "_order, 1 FROM accounts WHERE id = ?1 AND latest_" column       \
       "_order <> 0 UNION ALL SELECT o.prev_id, " name ".n + 1 FROM " name " JOIN orders o ON o.id = " name \
       ".id WHERE o.prev_id <> 0 AND o.prev_id < o.id AND o.account_id = ?1 AND o.kind = '" kind "'" limit  \
       ")"
#define WARUNG_LEDGER_ORDER_DEBITS(chain)                                                      \
  "SELECT " WARUNG_LEDGER_COLUMNS("l.") " FROM " chain " JOIN ledger l ON l.order_id = " chain \
                                        ".id"                                                  \
                                        " WHERE l.reason = 'order' AND l.account_id = ?1"
inline constexpr const char* kSelectLedger =
    "WITH RECURSIVE " WARUNG_ORDER_CHAIN("s", "social_media", "social-media", " AND s.n < ?2") ", "
    WARUNG_ORDER_CHAIN("g", "game", "game", " AND g.n < ?2")
    " SELECT " WARUNG_LEDGER_COLUMNS("") " FROM ("
    "SELECT * FROM (SELECT " WARUNG_LEDGER_COLUMNS("") " FROM ledger"
    " WHERE account_id = ?1 AND reason <> 'order' ORDER BY id DESC LIMIT ?2)"
    " UNION ALL " WARUNG_LEDGER_ORDER_DEBITS("s") " UNION ALL " WARUNG_LEDGER_ORDER_DEBITS("g")
    ") ORDER BY id DESC LIMIT ?2";
inline constexpr const char* kLedgerSum =
    "WITH RECURSIVE " WARUNG_ORDER_CHAIN("s", "social_media", "social-media", "") ", "
    WARUNG_ORDER_CHAIN("g", "game", "game", "")
    " SELECT (SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE account_id = ?1 AND reason <> 'order')"
    " + (SELECT COALESCE(SUM(amount), 0) FROM (" WARUNG_LEDGER_ORDER_DEBITS("s") "))"
    " + (SELECT COALESCE(SUM(amount), 0) FROM (" WARUNG_LEDGER_ORDER_DEBITS("g") "))";
#undef WARUNG_LEDGER_ORDER_DEBITS
#undef WARUNG_ORDER_CHAIN
#undef WARUNG_LEDGER_COLUMNS

// --- services
#define WARUNG_FIELD_COLUMNS(n)                                                                          \
  "f" #n "_type, f" #n "_input_type, f" #n "_label, f" #n "_min, f" #n "_max, f" #n "_placeholder, f" #n \
  "_select_label, f" #n "_options, f" #n "_select_placeholder"
#define WARUNG_SERVICE_DATA_COLUMNS \
  "name, note, category, category_key, fields_title, fields_info, "                     \
  WARUNG_FIELD_COLUMNS(1) ", " WARUNG_FIELD_COLUMNS(2) ", " WARUNG_FIELD_COLUMNS(3)     \
  ", min_quantity, max_quantity, price_standar, price_premium, price_spesial,"          \
  " cutoff_start, cutoff_end, ready, enabled, updated_at"
#define WARUNG_FIELD_UPDATE(n)                                                                            \
  "f" #n "_type = excluded.f" #n "_type, f" #n "_input_type = excluded.f" #n "_input_type, f" #n          \
  "_label = excluded.f" #n "_label, f" #n "_min = excluded.f" #n "_min, f" #n "_max = excluded.f" #n      \
  "_max, f" #n "_placeholder = excluded.f" #n "_placeholder, f" #n "_select_label = excluded.f" #n        \
  "_select_label, f" #n "_options = excluded.f" #n "_options, f" #n "_select_placeholder = excluded.f" #n \
  "_select_placeholder"

// id, kind, code, then the 43 data columns, in the order bindService (?3..?45 of
// kUpsertService) and readService (sqlite_store.cpp) walk them.
inline constexpr const char* kSelectServices =
    "SELECT id, kind, code, " WARUNG_SERVICE_DATA_COLUMNS " FROM services ORDER BY kind, category, name, id";
inline constexpr const char* kUpsertService =
    "INSERT INTO services (kind, code, " WARUNG_SERVICE_DATA_COLUMNS ") VALUES (?1, ?2, "
    "?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
    "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
    "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, "
    "?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45)"
    " ON CONFLICT (kind, code) DO UPDATE SET name = excluded.name, note = excluded.note,"
    " category = excluded.category, category_key = excluded.category_key,"
    " fields_title = excluded.fields_title, fields_info = excluded.fields_info, "
    WARUNG_FIELD_UPDATE(1) ", " WARUNG_FIELD_UPDATE(2) ", " WARUNG_FIELD_UPDATE(3)
    ", min_quantity = excluded.min_quantity, max_quantity = excluded.max_quantity,"
    " price_standar = excluded.price_standar, price_premium = excluded.price_premium,"
    " price_spesial = excluded.price_spesial, cutoff_start = excluded.cutoff_start,"
    " cutoff_end = excluded.cutoff_end, ready = excluded.ready, enabled = excluded.enabled,"
    " updated_at = excluded.updated_at";
#undef WARUNG_FIELD_UPDATE
#undef WARUNG_SERVICE_DATA_COLUMNS
#undef WARUNG_FIELD_COLUMNS

// --- orders
#define WARUNG_ORDER_COLUMNS                                                            \
  "id, ref_id, account_id, kind, service_id, service_code, service_name, category_key," \
  " data1, data2, data3, target, quantity, unit_price, charge, status, start_count,"    \
  " remain, voucher, note, idempotency_key, fingerprint, created_at, updated_at"
// For dynamic queries (listOrders) that append their own WHERE clause.
inline constexpr const char* kSelectOrdersPrefix = "SELECT " WARUNG_ORDER_COLUMNS " FROM orders";
inline constexpr const char* kSelectOrderScoped =
    "SELECT " WARUNG_ORDER_COLUMNS " FROM orders WHERE ref_id = ?1 AND account_id = ?2 AND kind = ?3";
// What a status answer held in memory is checked against: only the columns it needs,
// as SQLite decodes every selected column of a row it steps to.
inline constexpr const char* kSelectOrderIdStatusScoped =
    "SELECT id, status FROM orders WHERE ref_id = ?1 AND account_id = ?2 AND kind = ?3";
inline constexpr const char* kSelectOrderByRef =
    "SELECT " WARUNG_ORDER_COLUMNS " FROM orders WHERE ref_id = ?1";
// One account's orders of one kind, newest first, are a chain (migration 10): the
// account's latest_<kind>_order, then each order's prev_id (order_chain.hpp).
// The newest order of each kind, for a walk of both.
inline constexpr const char* kSelectLatestOrderIds =
    "SELECT latest_social_media_order, latest_game_order FROM accounts WHERE id = ?1";
// The newest order of the kind ?2: where a walk of the list starts.
inline constexpr const char* kSelectLatestOrderOfKind =
    "SELECT " WARUNG_LATEST_ORDER_OF_KIND("?2") " FROM accounts WHERE id = ?1";
// The version of an account's order list (see kDebitForOrder).
inline constexpr const char* kSelectOrderListVersion = "SELECT order_version FROM accounts WHERE id = ?1";
// A step along the chain: the order's columns, then the next one's id
// (detail::kOrderChainPrevColumn).
inline constexpr const char* kSelectOrderInChain =
    "SELECT " WARUNG_ORDER_COLUMNS ", prev_id FROM orders WHERE id = ?1";
// For listOrders of one account: the same, then whether the row passes the filter
// (its fragments joined by AND, then `FROM orders WHERE id = ?`, appended by the caller).
inline constexpr const char* kSelectOrderInChainPrefix = "SELECT " WARUNG_ORDER_COLUMNS ", prev_id, ";
inline constexpr const char* kSelectOrderByIdempotencyKey =
    "SELECT " WARUNG_ORDER_COLUMNS " FROM orders WHERE account_id = ?1 AND idempotency_key = ?2";
inline constexpr const char* kSelectOrderStatus = "SELECT status FROM orders WHERE id = ?1";
// The order writer's duplicate-pending rule (pending_targets.hpp): what a remembered
// order is now, and every pending order at start (orders_status_id_updated_at).
inline constexpr const char* kSelectOrderPendingKey =
    "SELECT account_id, service_id, target, status IN ('waiting', 'processing') FROM orders WHERE id = ?1";
inline constexpr const char* kSelectPendingOrderKeys =
    "SELECT id, account_id, service_id, target FROM orders WHERE status IN ('waiting', 'processing')";
inline constexpr const char* kSelectOrderById = "SELECT " WARUNG_ORDER_COLUMNS " FROM orders WHERE id = ?1";
// prev_id: the account's newest order of the kind before this one (kSelectAccountForOrder).
inline constexpr const char* kInsertOrder =
    "INSERT INTO orders (ref_id, account_id, kind, service_id, service_code, service_name,"
    " category_key, data1, data2, data3, target, quantity, unit_price, charge, status,"
    " start_count, remain, voucher, note, idempotency_key, fingerprint, created_at,"
    " updated_at, prev_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
    " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)";
// Compare-and-set on the status the transition was planned from. The one change to an
// order: applyTransition moves the account's order-list version with it.
inline constexpr const char* kTransitionOrder =
    "UPDATE orders SET status = ?1, start_count = ?2, remain = ?3, voucher = ?4, note = ?5,"
    " updated_at = ?6 WHERE id = ?7 AND status = ?8 RETURNING " WARUNG_ORDER_COLUMNS;
#undef WARUNG_ORDER_COLUMNS
#undef WARUNG_LATEST_ORDER_OF_KIND

// --- what applyTransition writes beside the order (same transaction)
// The webhook is queued only while the account has a callback URL.
inline constexpr const char* kQueueTransitionWebhook =
    "INSERT INTO webhook_deliveries (account_id, order_id, ref_id, payload, status, attempts,"
    " next_at, last_error, created_at, delivered_at)"
    " SELECT id, ?2, ?3, ?4, 'pending', 0, ?5, '', ?5, 0 FROM accounts"
    " WHERE id = ?1 AND callback_url <> ''";
inline constexpr const char* kFinishDispatch =
    "UPDATE dispatch SET phase = 'done', updated_at = ?2 WHERE order_id = ?1 AND phase <> 'done'";

// --- providers (?1..?7 and ?9 (webhook_secret) the same in the insert and the update)
#define WARUNG_PROVIDER_COLUMNS \
  "id, name, dialect, base_url, api_key, secret, timeout_ms, enabled, created_at, webhook_secret"
inline constexpr const char* kInsertProvider =
    "INSERT INTO providers (name, dialect, base_url, api_key, secret, timeout_ms, enabled, created_at,"
    " webhook_secret) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id";
inline constexpr const char* kSelectProviders =
    "SELECT " WARUNG_PROVIDER_COLUMNS " FROM providers ORDER BY id";
inline constexpr const char* kSelectProviderByName =
    "SELECT " WARUNG_PROVIDER_COLUMNS " FROM providers WHERE name = ?1";
inline constexpr const char* kSelectProviderById =
    "SELECT " WARUNG_PROVIDER_COLUMNS " FROM providers WHERE id = ?1";
inline constexpr const char* kUpdateProvider =
    "UPDATE providers SET name = ?1, dialect = ?2, base_url = ?3, api_key = ?4, secret = ?5,"
    " timeout_ms = ?6, enabled = ?7, webhook_secret = ?9 WHERE id = ?8";
#undef WARUNG_PROVIDER_COLUMNS

// --- routes
inline constexpr const char* kServiceExists = "SELECT 1 FROM services WHERE id = ?1";
inline constexpr const char* kDeleteRoutes = "DELETE FROM routes WHERE service_id = ?1";
inline constexpr const char* kInsertRoute =
    "INSERT INTO routes (service_id, provider_id, priority, provider_service, cost)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
inline constexpr const char* kSelectRoutes =
    "SELECT service_id, provider_id, priority, provider_service, cost FROM routes"
    " WHERE service_id = ?1 ORDER BY priority, provider_id";

// --- dispatch
#define WARUNG_DISPATCH_COLUMNS \
  "order_id, phase, route_index, provider_id, provider_order_id, attempts, next_at, last_error, updated_at"
// claimToSend, step 1: waiting orders that never entered fulfilment, oldest first.
// It walks the orders after ?3 (every order up to it was already looked at) in id order;
// the NOT EXISTS is a primary-key probe of dispatch. Orders of a service without routes go straight to
// 'manual' here (RETURNING says which), so they cost no transaction of their own.
inline constexpr const char* kClaimNewOrders =
    "INSERT INTO dispatch (order_id, phase, route_index, provider_id, provider_order_id, attempts,"
    " next_at, last_error, updated_at)"
    " SELECT o.id, CASE WHEN EXISTS (SELECT 1 FROM routes r WHERE r.service_id = o.service_id)"
    " THEN 'sending' ELSE 'manual' END, 0, 0, '', 0, ?1, '', ?1 FROM orders o"
    " WHERE o.id > ?3 AND o.status = 'waiting' AND NOT EXISTS (SELECT 1 FROM dispatch d WHERE d.order_id = "
    "o.id)"
    " ORDER BY o.id LIMIT ?2 RETURNING order_id, phase";
// The newest order: where claimToSend's walk may start next time (see new_orders_from_).
inline constexpr const char* kSelectMaxOrderId = "SELECT COALESCE(MAX(id), 0) FROM orders";
// claimToSend, step 2: queued rows whose time has come.
inline constexpr const char* kClaimQueued =
    "UPDATE dispatch SET phase = 'sending', updated_at = ?1 WHERE order_id IN ("
    "SELECT order_id FROM dispatch WHERE phase = 'queued' AND next_at <= ?1 ORDER BY next_at, order_id"
    " LIMIT ?2) RETURNING order_id";
// claimDue: ?3 bounds updated_at (a kSending row is only reclaimed once its lease is over).
inline constexpr const char* kClaimDue =
    "UPDATE dispatch SET next_at = ?4 WHERE order_id IN ("
    "SELECT order_id FROM dispatch WHERE phase = ?1 AND next_at <= ?2 AND updated_at <= ?3"
    " ORDER BY next_at, order_id LIMIT ?5) RETURNING order_id";
// The order a provider's webhook names (dispatch_provider_order); the newest if the
// provider ever reused an id.
inline constexpr const char* kSelectDispatchByProviderOrder =
    "SELECT order_id FROM dispatch WHERE provider_id = ?1 AND provider_order_id = ?2"
    " ORDER BY order_id DESC LIMIT 1";
inline constexpr const char* kSelectDispatch =
    "SELECT " WARUNG_DISPATCH_COLUMNS " FROM dispatch WHERE order_id = ?1";
// Compare-and-set on the phase the caller last saw.
inline constexpr const char* kSaveDispatch =
    "UPDATE dispatch SET phase = ?2, route_index = ?3, provider_id = ?4, provider_order_id = ?5,"
    " attempts = ?6, next_at = ?7, last_error = ?8, updated_at = ?9 WHERE order_id = ?1 AND phase = ?10";
inline constexpr const char* kDispatchExists = "SELECT 1 FROM dispatch WHERE order_id = ?1";
#undef WARUNG_DISPATCH_COLUMNS

// --- order events
inline constexpr const char* kInsertEvent =
    "INSERT INTO order_events (order_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)";
inline constexpr const char* kSelectEvents =
    "SELECT id, order_id, at, kind, detail FROM order_events WHERE order_id = ?1 ORDER BY id";

// --- webhook deliveries
#define WARUNG_DELIVERY_COLUMNS                                                                   \
  "id, account_id, order_id, ref_id, payload, status, attempts, next_at, last_error, created_at," \
  " delivered_at"
// Only an order's oldest pending delivery is eligible, so its changes arrive in order
// (webhook_deliveries_order_id answers the NOT EXISTS).
inline constexpr const char* kClaimDeliveries =
    "UPDATE webhook_deliveries SET next_at = ?2 WHERE id IN ("
    "SELECT w.id FROM webhook_deliveries w WHERE w.status = 'pending' AND w.next_at <= ?1"
    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p"
    " WHERE p.order_id = w.order_id AND p.id < w.id AND p.status = 'pending')"
    " ORDER BY w.next_at, w.id LIMIT ?3) RETURNING " WARUNG_DELIVERY_COLUMNS;
inline constexpr const char* kSelectCallback =
    "SELECT callback_url, webhook_secret FROM accounts WHERE id = ?1";
// The mark* statements act on pending rows only: a delivery another holder already
// finished stays as it is.
inline constexpr const char* kMarkDelivered =
    "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = ?2"
    " WHERE id = ?1 AND status = 'pending'";
inline constexpr const char* kMarkRetry =
    "UPDATE webhook_deliveries SET attempts = ?2, next_at = ?3, last_error = ?4"
    " WHERE id = ?1 AND status = 'pending'";
inline constexpr const char* kMarkFailed =
    "UPDATE webhook_deliveries SET status = 'failed', attempts = ?2, last_error = ?3"
    " WHERE id = ?1 AND status = 'pending'";
inline constexpr const char* kDeliveryExists = "SELECT 1 FROM webhook_deliveries WHERE id = ?1";
inline constexpr const char* kReplayDelivery =
    "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_at = ?2, last_error = '',"
    " delivered_at = 0 WHERE id = ?1";
// For listDeliveries, which appends its own WHERE clause; the url is the account's current one.
inline constexpr const char* kSelectDeliveriesPrefix =
    "SELECT w.id, w.account_id, w.order_id, w.ref_id, w.payload, w.status, w.attempts, w.next_at,"
    " w.last_error, w.created_at, w.delivered_at, COALESCE(a.callback_url, '')"
    " FROM webhook_deliveries w LEFT JOIN accounts a ON a.id = w.account_id";
#undef WARUNG_DELIVERY_COLUMNS

// --- transactions on the order writer's connection
inline constexpr const char* kBeginImmediate = "BEGIN IMMEDIATE";
inline constexpr const char* kCommit = "COMMIT";
inline constexpr const char* kRollback = "ROLLBACK";

// --- schema version, and `warung copy` (copy.cpp; table and column names from store/copy.hpp)
inline constexpr const char* kSelectSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
// Deferred: the snapshot is taken at the first read and kept until COMMIT (WAL mode),
// so every table of a dump is read as of one moment while writers go on.
inline constexpr const char* kBeginRead = "BEGIN";
inline constexpr const char* kCopySelectFormat = "SELECT {} FROM {}";

}  // namespace warung::store::sqlite::sql
