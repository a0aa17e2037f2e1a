#include "app/cli.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/admin/operations.hpp"
#include "app/catalog_io.hpp"
#include "app/cli_admin.hpp"
#include "app/cli_common.hpp"
#include "app/cli_database.hpp"
#include "app/cli_fulfilment.hpp"
#include "app/config.hpp"
#include "app/serve.hpp"
#include "domain/accounts.hpp"
#include "domain/cutoff.hpp"
#include "domain/order_state.hpp"
#include "domain/time_zone.hpp"

namespace warung::app {
namespace {}  // namespace

int runCli(int argc, char** argv) {
  // stdout carries command output that scripts parse (--json); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("warung"));
  CLI::App app{"warung: a reseller platform for social-media services and game top-ups"};
  app.require_subcommand(1);
  Common common;
  // Shared options are accepted after any subcommand (`warung user list --db x.db`).
  auto addCommon = [&common](CLI::App* cmd, bool json) {
    cmd->add_option("--db", common.db, "SQLite database file, or a postgresql:// URL");
    cmd->add_option("--config", common.config, "TOML configuration file")->check(CLI::ExistingFile);
    if (json) cmd->add_flag("--json", common.json, "machine-readable output");
  };
  std::function<void()> action;
  int exit_code = 0;

  // --- serve
  auto* serve_cmd = app.add_subcommand("serve", "run the HTTP server");
  addCommon(serve_cmd, false);
  bool demo = false;
  std::string listen, admin_listen, time_zone;
  int threads = 0;
  serve_cmd->add_flag("--demo", demo, "load demo data into an empty database");
  serve_cmd->add_option("--listen", listen, "HOST:PORT (port 0 picks a free one)");
  serve_cmd->add_option("--admin-listen", admin_listen, "admin API HOST:PORT (port 0 picks a free one)");
  serve_cmd->add_option("--threads", threads, "io threads")->check(CLI::Range(1, 256));
  serve_cmd->add_option("--time-zone", time_zone, "operator's time zone, e.g. Asia/Jakarta");
  serve_cmd->callback([&] {
    action = [&] {
      Config c = common.load();
      if (!listen.empty()) setListen(c, listen, "--listen");
      if (!admin_listen.empty()) setAdminListen(c, admin_listen, "--admin-listen");
      if (threads > 0) c.server.threads = threads;
      if (!time_zone.empty()) c.time_zone = time_zone;
      validate(c);
      exit_code = serve(c, demo);
    };
  });

  // --- user
  auto* user = app.add_subcommand("user", "reseller accounts")->require_subcommand(1);
  std::string name, level = "standar", user_id;
  auto* user_create = user->add_subcommand("create", "create an account; prints its API key once");
  addCommon(user_create, true);
  user_create->add_option("--name", name, "account name")->required();
  user_create->add_option("--level", level, "standar, premium or spesial");
  user_create->callback([&] {
    action = [&] {
      Context ctx(common);
      auto lv = domain::parseLevel(level);
      if (!lv) throw CommandError("level must be standar, premium or spesial, got '" + level + "'");
      if (name.empty()) throw CommandError("--name must not be empty");
      auto created = orFail(api::admin::createAccount(*ctx.store, ctx.ids, name, *lv, ctx.clock.nowUnix()),
                            "cannot create account");
      const domain::Account& a = created.account;
      const std::string& key = created.api_key;
      if (common.json) {
        printJson(json::object{{"user_id", a.user_id}, {"api_key", key}});
      } else {
        std::cout << fmt::format(
            "created account {} ({}, {})\nuser id: {}\napi key: {}\n"
            "The API key is shown only now; keep it safe.\n",
            a.name, domain::toString(a.level), domain::toString(a.status), a.user_id, key);
      }
    };
  });
  auto* user_list = user->add_subcommand("list", "list accounts");
  addCommon(user_list, true);
  user_list->callback([&] {
    action = [&] {
      Context ctx(common);
      auto accounts = orFail(ctx.store->listAccounts(), "cannot list accounts");
      if (common.json) {
        json::array arr;
        for (const auto& a : accounts) arr.push_back(accountJson(a));
        return printJson(arr);
      }
      std::cout << fmt::format("{:<12} {:<24} {:<8} {:<10} {:>18}\n", "USER ID", "NAME", "LEVEL", "STATUS",
                               "BALANCE");
      for (const auto& a : accounts) {
        std::cout << fmt::format("{:<12} {:<24} {:<8} {:<10} {:>18}\n", a.user_id, a.name,
                                 domain::toString(a.level), domain::toString(a.status), rupiah(a.balance));
      }
    };
  });
  auto statusCommand = [&](const char* cmd_name, domain::AccountStatus status, const char* help) {
    auto* cmd = user->add_subcommand(cmd_name, help);
    addCommon(cmd, false);
    cmd->add_option("USER_ID", user_id)->required();
    cmd->callback([&, status] {
      action = [&, status] {
        Context ctx(common);
        auto a = ctx.account(user_id);
        orFail(ctx.store->setAccountStatus(a.id, status), "cannot change status");
        std::cout << fmt::format("account {} is now {}\n", a.user_id, domain::toString(status));
      };
    });
  };
  statusCommand("suspend", domain::AccountStatus::kSuspended, "suspend an account (its API calls get 403)");
  statusCommand("activate", domain::AccountStatus::kActive, "re-activate a suspended account");
  auto* user_level = user->add_subcommand("set-level", "change an account's price level");
  addCommon(user_level, false);
  user_level->add_option("USER_ID", user_id)->required();
  user_level->add_option("LEVEL", level)->required();
  user_level->callback([&] {
    action = [&] {
      Context ctx(common);
      auto lv = domain::parseLevel(level);
      if (!lv) throw CommandError("level must be standar, premium or spesial, got '" + level + "'");
      auto a = ctx.account(user_id);
      orFail(ctx.store->setAccountLevel(a.id, *lv), "cannot change level");
      std::cout << fmt::format("account {} is now {}\n", a.user_id, level);
    };
  });
  std::string kind_s, code, price_s;
  bool clear = false;
  auto* user_price = user->add_subcommand("price", "set or clear a per-service price override");
  addCommon(user_price, false);
  user_price->add_option("USER_ID", user_id)->required();
  user_price->add_option("KIND", kind_s, "social-media or game")->required();
  user_price->add_option("SERVICE", code, "service code")->required();
  user_price->add_option("PRICE", price_s, "rupiah (per 1,000 units for social media)");
  user_price->add_flag("--clear", clear, "remove the override");
  user_price->callback([&] {
    action = [&] {
      Context ctx(common);
      auto a = ctx.account(user_id);
      const Kind kind = parseKindOption(kind_s);
      auto services = orFail(ctx.store->loadServices(), "cannot load services");
      auto it = std::find_if(services.begin(), services.end(),
                             [&](const auto& s) { return s.kind == kind && s.code == code; });
      if (it == services.end()) throw CommandError(fmt::format("service {} {} not found", kind_s, code));
      if (clear == !price_s.empty()) throw CommandError("give either PRICE or --clear");
      std::optional<Money> price;
      if (!clear) price = parseAmount(price_s, true);
      orFail(ctx.store->setPriceOverride(a.id, it->id, price), "cannot set price");
      std::cout << (clear ? fmt::format("price override for {} on {} removed\n", a.user_id, code)
                          : fmt::format("{} now pays {} for {}\n", a.user_id, rupiah(*price), code));
    };
  });

  // --- key
  auto* key = app.add_subcommand("key", "API keys")->require_subcommand(1);
  auto* key_rotate = key->add_subcommand("rotate", "replace an account's API key; prints the new key once");
  addCommon(key_rotate, true);
  key_rotate->add_option("USER_ID", user_id)->required();
  key_rotate->callback([&] {
    action = [&] {
      Context ctx(common);
      auto a = ctx.account(user_id);
      const std::string k = orFail(api::admin::rotateKey(*ctx.store, ctx.ids, a), "cannot rotate key");
      if (common.json) return printJson(json::object{{"user_id", a.user_id}, {"api_key", k}});
      std::cout << fmt::format("new api key for {}: {}\nThe old key no longer works.\n", a.user_id, k);
    };
  });

  // --- balance
  auto* balance = app.add_subcommand("balance", "credit or debit an account")->require_subcommand(1);
  std::string amount_s, note;
  for (const bool credit : {true, false}) {
    auto* cmd = balance->add_subcommand(credit ? "credit" : "debit", credit ? "add money" : "take money");
    addCommon(cmd, true);
    cmd->add_option("USER_ID", user_id)->required();
    cmd->add_option("AMOUNT", amount_s, "whole rupiah")->required();
    cmd->add_option("--note", note, "why (kept in the ledger)")->required();
    cmd->callback([&, credit] {
      action = [&, credit] {
        Context ctx(common);
        auto a = ctx.account(user_id);
        const Money amount = parseAmount(amount_s, false);
        auto e = orFail(ctx.store->adjustBalance(a.id, credit ? amount : -amount, note, ctx.clock.nowUnix()),
                        credit ? "cannot credit" : "cannot debit");
        if (common.json) return printJson(ledgerJson(e));
        std::cout << fmt::format("{} {} {}; balance now {}\n", credit ? "credited" : "debited", a.user_id,
                                 rupiah(amount), rupiah(e.balance_after));
      };
    });
  }

  // --- service
  auto* service = app.add_subcommand("service", "the catalog")->require_subcommand(1);
  std::string file;
  auto* service_import = service->add_subcommand("import", "add or replace services from a JSON file");
  addCommon(service_import, false);
  service_import->add_option("FILE", file, "catalog JSON ('-' for stdin)")->required();
  service_import->callback([&] {
    action = [&] {
      Context ctx(common);
      std::stringstream buf;
      if (file == "-") {
        buf << std::cin.rdbuf();
      } else {
        std::ifstream in(file);
        if (!in) throw CommandError("cannot read " + file);
        buf << in.rdbuf();
      }
      auto services = orFail(parseCatalog(buf.str(), ctx.clock.nowUnix()), file);
      orFail(ctx.store->upsertServices(services), "cannot import");
      std::cout << fmt::format("imported {} services\n", services.size());
    };
  });
  auto* service_export = service->add_subcommand("export", "print the catalog as JSON");
  addCommon(service_export, false);
  service_export->add_option("--kind", kind_s, "only social-media or game");
  service_export->callback([&] {
    action = [&] {
      Context ctx(common);
      auto services = orFail(ctx.store->loadServices(), "cannot load services");
      if (!kind_s.empty()) {
        const Kind k = parseKindOption(kind_s);
        std::erase_if(services, [k](const auto& s) { return s.kind != k; });
      }
      std::cout << exportCatalog(services);
    };
  });
  std::string stock, cutoff_s, standar_s, premium_s, spesial_s, enabled_s;
  auto* service_set =
      service->add_subcommand("set", "change a service's stock, prices, cut-off or availability");
  addCommon(service_set, false);
  service_set->add_option("KIND", kind_s, "social-media or game")->required();
  service_set->add_option("CODE", code, "service code")->required();
  service_set->add_option("--status", stock, "ready or empty");
  service_set->add_option("--standar", standar_s, "standar price");
  service_set->add_option("--premium", premium_s, "premium price");
  service_set->add_option("--spesial", spesial_s, "spesial price");
  service_set->add_option("--cutoff", cutoff_s, "HH:MM-HH:MM, or 00:00-00:00 for none");
  service_set->add_option("--enabled", enabled_s, "true or false");
  service_set->callback([&] {
    action = [&] {
      Context ctx(common);
      const Kind kind = parseKindOption(kind_s);
      api::admin::ServicePatch patch;
      if (!stock.empty()) {
        if (stock != "ready" && stock != "empty") throw CommandError("--status must be ready or empty");
        patch.ready = stock == "ready";
      }
      if (!standar_s.empty()) patch.prices[0] = parseAmount(standar_s, true);
      if (!premium_s.empty()) patch.prices[1] = parseAmount(premium_s, true);
      if (!spesial_s.empty()) patch.prices[2] = parseAmount(spesial_s, true);
      if (!cutoff_s.empty()) {
        patch.cutoff = api::admin::parseCutoff(cutoff_s);
        if (!patch.cutoff) throw CommandError("--cutoff must be HH:MM-HH:MM, got '" + cutoff_s + "'");
      }
      if (!enabled_s.empty()) {
        if (enabled_s != "true" && enabled_s != "false")
          throw CommandError("--enabled must be true or false");
        patch.enabled = enabled_s == "true";
      }
      const domain::Service s =
          orFail(api::admin::updateService(*ctx.store, kind, code, patch, ctx.clock.nowUnix()),
                 "cannot update service");
      std::cout << fmt::format("service {} {}: {}, {} / {} / {}, cut-off {}-{}, {}\n", kind_s, code,
                               s.ready ? "ready" : "empty", rupiah(s.prices[0]), rupiah(s.prices[1]),
                               rupiah(s.prices[2]), domain::formatHhMm(s.cutoff.start_minute),
                               domain::formatHhMm(s.cutoff.end_minute), s.enabled ? "enabled" : "disabled");
    };
  });

  // --- order
  auto* order = app.add_subcommand("order", "orders")->require_subcommand(1);
  std::string status_s, from_s, to_s, target;
  int limit = 50;
  auto* order_list = order->add_subcommand("list", "list orders, newest first");
  addCommon(order_list, true);
  order_list->add_option("--user", user_id, "account user id");
  order_list->add_option("--kind", kind_s, "social-media or game");
  order_list->add_option("--status", status_s, "waiting, processing, success, partial or error");
  order_list->add_option("--service", code, "service code");
  order_list->add_option("--target", target, "target (link, phone number, game id)");
  order_list->add_option("--from", from_s, "YYYY-MM-DD (operator's time zone)");
  order_list->add_option("--to", to_s, "YYYY-MM-DD, inclusive");
  order_list->add_option("--limit", limit, "at most this many")->check(CLI::Range(1, 1000000));
  order_list->callback([&] {
    action = [&] {
      Context ctx(common);
      auto zone = orFail(domain::loadTimeZone(ctx.config.time_zone), "time zone");
      store::OrderFilter f;
      f.limit = limit;
      if (!user_id.empty()) f.account_id = ctx.account(user_id).id;
      if (!kind_s.empty()) f.kind = parseKindOption(kind_s);
      if (!status_s.empty()) {
        f.status = domain::parseOrderStatus(status_s);
        if (!f.status) throw CommandError("--status must be waiting, processing, success, partial or error");
      }
      if (!code.empty()) f.service_code = code;
      if (!target.empty()) f.target = target;
      if (!from_s.empty()) f.created_from = parseDate(from_s, *zone);
      if (!to_s.empty()) f.created_to = parseDate(to_s, *zone) + 86400;
      auto orders = orFail(ctx.store->listOrders(f), "cannot list orders");
      if (common.json) {
        json::array arr;
        for (const auto& o : orders) arr.push_back(orderJson(o));
        return printJson(arr);
      }
      std::cout << fmt::format("{:<22} {:<12} {:<8} {:<10} {:>8} {:>14}  {}\n", "REF", "KIND", "SERVICE",
                               "STATUS", "QTY", "PRICE", "TARGET");
      for (const auto& o : orders) {
        std::cout << fmt::format("{:<22} {:<12} {:<8} {:<10} {:>8} {:>14}  {}\n", o.ref_id,
                                 domain::toString(o.kind), o.service_code, domain::toString(o.status),
                                 o.quantity, rupiah(o.charge), o.data[0]);
      }
    };
  });
  std::string ref, voucher;
  std::optional<std::int64_t> start_count, remain;
  std::optional<std::string> order_note, voucher_opt;
  auto* order_set =
      order->add_subcommand("set-status", "move an order through its lifecycle (refunds error/partial)");
  addCommon(order_set, true);
  order_set->add_option("REF_ID", ref)->required();
  order_set->add_option("STATUS", status_s, "processing, success, partial or error")->required();
  order_set->add_option("--start", start_count, "start count (social media)");
  order_set->add_option("--remain", remain, "units not delivered (partial)");
  order_set->add_option("--voucher", voucher_opt, "voucher code or serial number (game)");
  order_set->add_option("--note", order_note, "transaction note shown to the reseller");
  order_set->callback([&] {
    action = [&] {
      Context ctx(common);
      auto to = domain::parseOrderStatus(status_s);
      if (!to) throw CommandError("STATUS must be processing, success, partial or error");
      auto o = orFail(ctx.store->findOrderByRef(ref), "order " + ref);
      domain::TransitionRequest req{*to, start_count, remain, voucher_opt, order_note};
      auto changed = orFail(ctx.lifecycle().transition(o, req, "operator"), "cannot set status");
      const domain::Order& updated = changed.order;
      const Money refund = changed.refund;
      if (common.json) {
        auto j = orderJson(updated);
        j["refund"] = refund.rupiah;
        return printJson(j);
      }
      std::cout << fmt::format("order {} is now {}{}\n", updated.ref_id, domain::toString(updated.status),
                               refund.rupiah > 0 ? "; refunded " + rupiah(refund) : "");
    };
  });

  // --- ledger
  auto* ledger = app.add_subcommand("ledger", "an account's balance history, newest first");
  addCommon(ledger, true);
  ledger->add_option("USER_ID", user_id)->required();
  ledger->add_option("--limit", limit, "at most this many")->check(CLI::Range(1, 1000000));
  ledger->callback([&] {
    action = [&] {
      Context ctx(common);
      auto a = ctx.account(user_id);
      auto entries = orFail(ctx.store->ledger(a.id, limit), "cannot read ledger");
      if (common.json) {
        json::array arr;
        for (const auto& e : entries) arr.push_back(ledgerJson(e));
        return printJson(
            json::object{{"user_id", a.user_id}, {"balance", a.balance.rupiah}, {"entries", arr}});
      }
      std::cout << fmt::format("{} ({}): balance {}\n", a.user_id, a.name, rupiah(a.balance));
      std::cout << fmt::format("{:>8} {:<8} {:>16} {:>16}  {}\n", "ID", "REASON", "AMOUNT", "BALANCE", "REF");
      for (const auto& e : entries) {
        std::cout << fmt::format("{:>8} {:<8} {:>16} {:>16}  {}\n", e.id, domain::toString(e.reason),
                                 rupiah(e.amount), rupiah(e.balance_after), e.ref);
      }
    };
  });

  addFulfilmentCommands(app, *service, *user, *order, common, action, addCommon);
  addAdminCommands(app, common, action, addCommon);
  addDatabaseCommands(app, common, action, addCommon);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (action) action();
    return exit_code;
  } catch (const ConfigError& e) {
    std::cerr << "warung: " << e.what() << "\n";
    return 1;
  } catch (const CommandError& e) {
    std::cerr << "warung: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "warung: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace warung::app
