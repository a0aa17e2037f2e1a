#pragma once
// Configuration: one TOML file with defaults for everything, flags override it.
// A bad key or value stops start-up with a message naming it (ConfigError).
//
//   database.url               ""      "postgresql://..." selects PostgreSQL; empty: SQLite at path
//   database.path              "warung.db"
//   database.pool_size         8       PostgreSQL: pooled connections per process (1..1024)
//   database.busy_retries      5       PostgreSQL: re-runs of a transaction after a
//                                      serialization failure, deadlock or lost connection
//   database.busy_timeout_ms   5000
//   database.read_connections  4
//   database.queue_capacity    20000   orders waiting for the writer; beyond: 503
//   database.max_batch         1024    orders per group commit
//   database.checkpoint_pages  16000   SQLite: background WAL checkpoint per this many new
//                                      pages (0: SQLite's own, on the order writer)
//   database.wal_max_pages     64000   SQLite: past this the WAL is drained (background
//                                      copies, then a short tail by the order writer) so
//                                      that it starts over
//   server.listen              "127.0.0.1:8080"
//   server.threads             2
//   server.max_header_bytes    8192
//   server.max_body_bytes      1048576
//   server.request_timeout_ms  10000
//   server.idle_timeout_ms     60000
//   server.drain_timeout_ms    10000
//   server.max_connections     10000
//   server.access_log          true
//   api.always_http_200        false
//   api.max_idempotency_key_length 128
//   api.status_cache_orders    65536  encoded orders kept for type=status (0: none)
//   api.status_cache_lists     4096   whole latest lists kept for type=status (0: none)
//   api.provider_webhook_workers 2    threads applying providers' status webhooks
//   api.provider_webhook_queue 1000   webhooks waiting for one; beyond: 503
//   business.time_zone         "Asia/Jakarta"
//   cache.refresh_ms           200
//   log.level                  "info"
//   dispatch.enabled           true    send orders to providers (false: all manual)
//   dispatch.send_workers      4       threads waiting on providers' add calls
//   dispatch.claim_batch       16
//   dispatch.idle_wait_ms      200     how soon new work is noticed
//   dispatch.poll_interval_s   5       status polls of orders at providers
//   dispatch.poll_batch        100     ids per status call
//   dispatch.retry_base_s      2       backoff start for unknown outcomes
//   dispatch.retry_cap_s       300
//   dispatch.max_reconcile_attempts 12 then the order is stuck for the operator
//   dispatch.max_resends       2       re-sends after a provider confirmed "no such order"
//   dispatch.lease_s           120     claimed work is not re-claimed for this long
//   webhooks.enabled           true
//   webhooks.workers           2
//   webhooks.timeout_ms        5000
//   webhooks.retry_base_s      5
//   webhooks.retry_cap_s       600
//   webhooks.give_up_after_s   86400
//   webhooks.lease_s           60      a claimed delivery is not re-claimed for this long
//                                      (a node killed mid-send: another sends it after this)
//   admin.enabled              true    the admin API listener (docs/admin-api.md)
//   admin.listen               "127.0.0.1:8081"
//   admin.session_ttl_s        28800   sliding: a session idle this long ends
//   admin.session_max_s        604800  absolute: no session lives longer
//   admin.secure_cookies       false   Secure on the session cookie (behind TLS)
//   admin.max_login_failures   5       per username and per address within...
//   admin.login_window_s       900     ...this window; then 429 + Retry-After
//   admin.stuck_after_s        3600    dashboard: waiting/processing longer than this
//   admin.console_dir          ""      the operator's console (built web/) served on the
//                                      admin listener outside /admin/api/; "": the
//                                      "console" folder beside the warung binary
//   admin.console_max_bytes    33554432  cap on the console's files, summed (read into memory)
#include <stdexcept>
#include <string>

#include "api/admin/auth.hpp"
#include "api/osimesa/handler.hpp"
#include "api/provider_webhook.hpp"
#include "api/reseller_service.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/webhooks.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "store/directory.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace warung::app {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string db_path = "warung.db";
  store::sqlite::SqliteConfig sqlite;
  // url non-empty: PostgreSQL (db_path and sqlite are then unused).
  store::postgres::PostgresConfig postgres;
  // The SQLite order writer's own settings; it shares busy_timeout_ms, cache_mb and
  // overlap_sync with `sqlite` (one key each): see orderWriterConfig.
  store::sqlite::WriterConfig writer;
  http::ServerConfig server;
  api::osimesa::OsimesaConfig osimesa;
  api::ResellerConfig reseller;
  api::ProviderWebhookConfig provider_webhooks;
  store::DirectoryConfig directory;
  dispatch::DispatcherConfig dispatcher;
  dispatch::WebhookConfig webhooks;
  // The admin API and the console on a listener of its own, loopback by default.
  bool admin_enabled = true;
  http::ServerConfig admin_server{.host = "127.0.0.1", .port = 8081, .thread_name = "admin-http"};
  api::admin::AdminConfig admin;
  std::string console_dir;  // "": <directory of the warung binary>/console
  http::StaticFilesConfig console;
  std::string time_zone = "Asia/Jakarta";
  std::string log_level = "info";

  // `writer` with busy_timeout_ms, cache_mb and overlap_sync taken from `sqlite`:
  // database.busy_timeout_ms bounds the order writer's waits for another process's
  // write lock as it does the store's, one page cache size serves the connections that
  // share it, and one switch pipelines both kinds of sync.
  store::sqlite::WriterConfig orderWriterConfig() const;
};

// Reads `path` over the defaults. Throws ConfigError naming the file and key.
Config loadConfig(const std::string& path);
// "HOST:PORT" into config.server; throws ConfigError naming `what`.
void setListen(Config& config, const std::string& listen, const std::string& what);
// "HOST:PORT" into config.admin_server; throws ConfigError naming `what`.
void setAdminListen(Config& config, const std::string& listen, const std::string& what);
// Checks cross-field rules and ranges; throws ConfigError naming the key.
void validate(const Config& config);
// True for "postgresql://..." and "postgres://..." (a PostgreSQL connection URL).
bool isPostgresUrl(const std::string& s);
// `--db VALUE`: a PostgreSQL URL sets database.url, anything else database.path (and
// clears database.url, so the flag wins over the file either way).
void setDatabase(Config& config, const std::string& value);
// The database in use, for messages: the redacted URL or the SQLite path.
std::string databaseName(const Config& config);

}  // namespace warung::app
