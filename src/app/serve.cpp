#include "app/serve.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "api/admin/handler.hpp"
#include "api/errors.hpp"
#include "api/osimesa/handler.hpp"
#include "api/provider_webhook.hpp"
#include "app/backend.hpp"
#include "app/cli_common.hpp"
#include "app/demo.hpp"
#include "app/wiring.hpp"
#include "common/thread_name.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/webhooks.hpp"
#include "domain/time_zone.hpp"
#include "http/static_files.hpp"

namespace warung::app {
namespace {

constexpr std::string_view kConsoleNotBuilt =
    "The operator's console is not built, or not where this server looks for it (its log says where).\n"
    "Build it with `make` in the warung source tree (or scripts/build-console.sh DIR and set\n"
    "admin.console_dir = \"DIR\"), then restart warung. The admin API is under /admin/api/ either way.\n";

// admin.console_dir, else the "console" folder beside the binary, where the build puts
// it (build/warung, build/console). Empty when the binary's path is unknown (no /proc).
std::filesystem::path consoleDir(const Config& config) {
  if (!config.console_dir.empty()) return config.console_dir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path() / "console";
}

// Every admin-listener path outside /admin/api/: the console's files, or a 503 saying
// how to build them when they are missing (the API works either way). Any other
// problem with the directory stops start-up, naming the key to fix.
http::Handler consoleHandler(const Config& config) {
  const auto dir = consoleDir(config);
  auto files = dir.empty() ? Result<http::StaticFiles>(makeError(Errc::kNotFound, "no /proc/self/exe"))
                           : http::StaticFiles::load(dir, config.console);
  if (files) {
    auto shared = std::make_shared<const http::StaticFiles>(std::move(files).value());
    spdlog::info("console: {} files ({} bytes) from {}", shared->fileCount(), shared->totalBytes(),
                 dir.string());
    return [shared](const http::Request& req, http::Respond respond) { respond(shared->answer(req)); };
  }
  const Error& e = files.error();
  if (e.code == Errc::kNotFound) {
    spdlog::warn(
        "console not served: {}; build it with `make` (or scripts/build-console.sh DIR) or set "
        "admin.console_dir. The admin API works without it.",
        e.detail);
    return [](const http::Request&, http::Respond respond) {
      respond(http::StaticFiles::text(503, kConsoleNotBuilt));
    };
  }
  const char* key = e.code == Errc::kPayloadTooLarge ? "admin.console_max_bytes" : "admin.console_dir";
  throw ConfigError(fmt::format("config key '{}': {}", key, e.detail));
}

}  // namespace

int serve(const Config& base_config, bool demo) {
  Config config = base_config;
  if (demo) {
    // Demo orders should visibly move within seconds.
    config.dispatcher.poll_interval_s = std::min<std::int64_t>(config.dispatcher.poll_interval_s, 2);
  }
  // A service logs to stdout (the access log and the start-up banner go together).
  spdlog::set_default_logger(spdlog::stdout_color_mt("serve"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  auto zone = domain::loadTimeZone(config.time_zone);
  if (!zone) throw ConfigError("config key 'business.time_zone': " + zone.error().detail);
  // Read before anything listens, so a bad console directory stops start-up cleanly.
  http::Handler console = config.admin_enabled ? consoleHandler(config) : nullptr;

  SystemClock clock;
  RandomIdGenerator ids;
  Backend backend(config);
  store::Store& store = backend.store();
  store::DispatchStore& dstore = backend.dispatch();
  const std::string base_url = fmt::format("http://{}:{}", config.server.host, config.server.port);
  if (demo) {
    auto loaded = loadDemoIfEmpty(store, ids, clock, base_url, std::cout);
    if (!loaded) throw std::runtime_error("cannot load demo data: " + loaded.error().detail);
    if (!*loaded) std::cout << "Database already has data; demo not loaded.\n";
    if (config.admin_enabled) {
      if (auto st = createDemoOperator(backend.admin(), ids, clock, std::cout); !st) {
        throw std::runtime_error("cannot create the demo operator: " + st.error().detail);
      }
    }
  }

  // Fulfilment: providers' adapters over libcurl, the dispatcher and the webhook sender.
  std::shared_ptr<dispatch::HttpClient> http_client = dispatch::makeCurlHttpClient();
  auto adapters = makeAdapters(http_client);
  dispatch::Lifecycle lifecycle(store, clock, webhookEncoder());
  dispatch::Dispatcher dispatcher(config.dispatcher, store, dstore, *adapters, lifecycle, clock);
  dispatch::WebhookSender webhooks(config.webhooks, dstore, *http_client, clock);

  // The demo's providers: a simulated one on loopback, so demo orders move from
  // waiting to processing to success/partial/error within seconds.
  std::unique_ptr<dispatch::ProviderSimulator> simulator;
  if (demo) {
    dispatch::ProviderSimulator::Options sim_options;
    sim_options.random_outcomes = true;
    sim_options.seed = static_cast<unsigned>(clock.nowUnix());
    // Beside the demo database, so a restart finds the orders it had sent still there
    // (on PostgreSQL there is no file to keep it beside: in memory only).
    if (config.postgres.url.empty()) sim_options.state_file = config.db_path + ".providers.json";
    simulator = std::make_unique<dispatch::ProviderSimulator>(sim_options);
    simulator->start();
    if (auto st = connectDemoProviders(store, dstore, *simulator, clock); !st) {
      throw std::runtime_error("cannot set up the demo providers: " + st.error().detail);
    }
    std::cout << "Demo providers simulated at " << simulator->baseUrl()
              << " (orders complete within seconds; TSEL10 waits for `warung order set-status`).\n";
  }

  std::unique_ptr<store::OrderWriter> writer_owner = backend.makeOrderWriter();
  store::OrderWriter& writer = *writer_owner;
  store::Directory directory(store, config.directory);
  directory.start();
  api::ResellerService reseller(config.reseller, store, directory, writer, *zone, clock, ids);
  api::osimesa::OsimesaApi osimesa(config.osimesa, reseller);

  http::Server server(config.server, [&osimesa](const Error& e) { return osimesa.error(e); });
  osimesa.mount(server);
  // Status webhooks from providers (osimesa: another warung we buy from).
  api::ProviderWebhookApi provider_webhooks(config.provider_webhooks, dstore, *adapters, dispatcher);
  provider_webhooks.mount(server);
  // A fixed answer with no work: liveness probes, and the benchmarks' ceiling.
  server.route("/healthz", [](const http::Request&, http::Respond respond) {
    respond(api::successResponse("{\"alive\":true}", "Success."));
  });
  server.listen();

  // The admin API on its own listener (loopback by default): its handlers may wait on
  // the database or a provider, never on the reseller API's io threads.
  api::admin::AdminApi admin_api(config.admin,
                                 {store, dstore, backend.admin(), lifecycle, *adapters, **zone, clock, ids});
  std::unique_ptr<http::Server> admin_server;
  std::thread admin_thread;
  if (config.admin_enabled) {
    admin_server = std::make_unique<http::Server>(
        config.admin_server, [](const Error& e) { return api::admin::AdminApi::error(e); });
    admin_api.mount(*admin_server);
    admin_server->routePrefix("/", std::move(console));  // the longer /admin/api/ wins
    admin_server->listen();
    std::cout << "warung admin on http://" << config.admin_server.host << ":" << admin_server->port()
              << std::endl;
    admin_thread = std::thread([&admin_server] {
      setThreadName("admin-http-0");
      admin_server->run(false);
    });
  }
  if (config.dispatcher.enabled) dispatcher.start();
  if (config.webhooks.enabled) webhooks.start();
  std::cout << "warung listening on http://" << config.server.host << ":" << server.port() << std::endl;
  spdlog::info("serving {} (time zone {})", backend.name(), config.time_zone);

  server.run(true);
  if (admin_server) {
    admin_server->stop();
    admin_thread.join();
  }

  spdlog::info("draining: committing queued orders");
  writer.shutdown();
  // Calls in flight to providers finish; what is left is picked up on the next start.
  dispatcher.stop();
  webhooks.stop();
  if (simulator) simulator->stop();
  directory.stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace warung::app
