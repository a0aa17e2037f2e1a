#pragma once
// The storage backend chosen by configuration: SQLite at database.path, or PostgreSQL
// when database.url is set. With wiring.cpp, the only place naming the concrete stores.
#include <memory>
#include <string>

#include "app/config.hpp"
#include "common/result.hpp"
#include "store/admin_store.hpp"
#include "store/copy.hpp"
#include "store/dispatch_store.hpp"
#include "store/store.hpp"

namespace warung::app {

class Backend {
 public:
  // Opens the database and applies pending migrations (PostgreSQL: under the advisory
  // lock). Throws std::runtime_error naming the database when that fails.
  explicit Backend(const Config& config);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // One object implements every interface; the references live as long as *this.
  store::Store& store() { return *store_; }
  store::DispatchStore& dispatch() { return *dispatch_; }
  store::AdminStore& admin() { return *admin_; }
  bool postgres() const { return postgres_; }
  // The redacted URL or the SQLite path, for messages.
  const std::string& name() const { return name_; }

  // A new order writer on its own connection (the server makes one). On SQLite it
  // takes turns to write with this backend's store, and once it checkpoints on its
  // own thread the store's connection no longer does. Throws as the constructor does.
  std::unique_ptr<store::OrderWriter> makeOrderWriter();

  // The highest migration applied to the database.
  Result<int> schemaVersion();

 private:
  Config config_;
  bool postgres_ = false;
  std::string name_;
  std::shared_ptr<void> owner_;  // the concrete store
  store::Store* store_ = nullptr;
  store::DispatchStore* dispatch_ = nullptr;
  store::AdminStore* admin_ = nullptr;
};

// `warung copy`: every table of the SQLite file at `sqlite_path` (which must exist)
// into the empty PostgreSQL database of `target.postgres`, ids kept, read in one
// SQLite snapshot and written and verified in one PostgreSQL transaction (see
// PostgresStore::loadTables). Both databases are migrated first. Throws
// std::runtime_error when either cannot be opened; the copy's failures are values.
Result<store::CopyReport> copySqliteToPostgres(const std::string& sqlite_path, const Config& target);

}  // namespace warung::app
