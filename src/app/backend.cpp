#include "app/backend.hpp"

#include "store/postgres/order_writer.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace warung::app {

Backend::Backend(const Config& config)
    : config_(config), postgres_(!config.postgres.url.empty()), name_(databaseName(config)) {
  if (postgres_) {
    auto s = std::make_shared<store::postgres::PostgresStore>(config.postgres);
    store_ = s.get();
    dispatch_ = s.get();
    admin_ = s.get();
    owner_ = std::move(s);
  } else {
    auto s = std::make_shared<store::sqlite::SqliteStore>(config.db_path, config.sqlite);
    store_ = s.get();
    dispatch_ = s.get();
    admin_ = s.get();
    owner_ = std::move(s);
  }
}

Backend::~Backend() = default;

std::unique_ptr<store::OrderWriter> Backend::makeOrderWriter() {
  if (postgres_) {
    // The same queue limits as SQLite's writer: one [database] section for both.
    store::postgres::WriterConfig w;
    w.queue_capacity = config_.writer.queue_capacity;
    w.max_batch = config_.writer.max_batch;
    return std::make_unique<store::postgres::PostgresOrderWriter>(config_.postgres, w);
  }
  // The store's connection (the dispatcher, webhooks, the console) and the writer's
  // share a page cache and take turns to write (write_turn.hpp), and the writer's
  // thread does the checkpoints.
  auto* sqlite = static_cast<store::sqlite::SqliteStore*>(store_);
  auto writer =
      std::make_unique<store::sqlite::SqliteOrderWriter>(config_.db_path, config_.orderWriterConfig());
  if (config_.writer.checkpoint_pages > 0) sqlite->leaveCheckpointsToOrderWriter();
  return writer;
}

Result<int> Backend::schemaVersion() {
  if (postgres_) return static_cast<store::postgres::PostgresStore*>(store_)->schemaVersion();
  return static_cast<store::sqlite::SqliteStore*>(store_)->schemaVersion();
}

Result<store::CopyReport> copySqliteToPostgres(const std::string& sqlite_path, const Config& target) {
  store::sqlite::SqliteStore source(sqlite_path, target.sqlite);
  store::postgres::PostgresStore dest(target.postgres);
  return dest.loadTables([&source](store::RowSink& sink) { return source.dumpTables(sink); });
}

}  // namespace warung::app
