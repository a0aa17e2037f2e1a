#include "app/cli_database.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "app/backend.hpp"

namespace warung::app {

void addDatabaseCommands(CLI::App& app, Common& common, std::function<void()>& action,
                         const std::function<void(CLI::App*, bool)>& add_common) {
  // Option storage lives as long as the App (static: one parse per process).
  static std::string from, to;

  auto* migrate =
      app.add_subcommand("migrate", "apply pending schema migrations and print the schema version");
  add_common(migrate, true);
  migrate->callback([&] {
    action = [&] {
      Config c = common.load();
      validate(c);
      Backend backend(c);  // opening applies what is pending (PostgreSQL: under the advisory lock)
      const int version = orFail(backend.schemaVersion(), "cannot read the schema version");
      if (common.json) {
        return printJson(json::object{{"database", backend.name()}, {"schema_version", version}});
      }
      std::cout << fmt::format("{}: schema version {}\n", backend.name(), version);
    };
  });

  auto* copy = app.add_subcommand(
      "copy",
      "copy a whole SQLite database into an empty PostgreSQL one (ids, balances, keys, ledger, history)");
  copy->add_option("--from", from, "sqlite:PATH or PATH of the source SQLite file")->required();
  copy->add_option("--to", to, "postgresql://... URL of the empty target database")->required();
  copy->add_option("--config", common.config, "TOML configuration file (pool and SQLite settings)")
      ->check(CLI::ExistingFile);
  copy->add_flag("--json", common.json, "machine-readable output");
  copy->callback([&] {
    action = [&] {
      Config c = common.config.empty() ? Config{} : loadConfig(common.config);
      if (!isPostgresUrl(to)) throw CommandError("--to must be a postgresql:// or postgres:// URL");
      std::string path = from;
      if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
      if (isPostgresUrl(path)) {
        throw CommandError(
            "--from must be an SQLite file (sqlite:PATH); to move between PostgreSQL databases "
            "use pg_dump and pg_restore");
      }
      if (path.empty() || !std::filesystem::is_regular_file(path)) {
        throw CommandError("--from: no SQLite database at '" + path + "'");
      }
      c.postgres.url = to;
      validate(c);
      auto report = orFail(copySqliteToPostgres(path, c), "copy failed (nothing was written)");
      std::int64_t total_rows = 0;
      for (const auto& t : report.tables) total_rows += t.rows;
      if (common.json) {
        json::object tables;
        for (const auto& t : report.tables) tables[t.name] = t.rows;
        return printJson(json::object{{"from", path},
                                      {"to", databaseName(c)},
                                      {"tables", tables},
                                      {"rows", total_rows},
                                      {"accounts_balanced", report.accounts_balanced},
                                      {"total_balance", report.total_balance}});
      }
      std::cout << fmt::format("copied {} into {}\n", path, databaseName(c));
      for (const auto& t : report.tables) std::cout << fmt::format("  {:<20} {:>10} rows\n", t.name, t.rows);
      std::cout << fmt::format(
          "verified: row counts equal; {} account(s), every balance equals its ledger; "
          "balances total {}\n",
          report.accounts_balanced, rupiah(Money{report.total_balance}));
    };
  });
}

}  // namespace warung::app
