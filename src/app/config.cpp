#include "app/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <map>

#include "domain/time_zone.hpp"

namespace warung::app {
namespace {

using Setter = std::function<void(const toml::node&, const std::string& key)>;

template <class T>
Setter integer(T& target, std::int64_t min, std::int64_t max) {
  return [&target, min, max](const toml::node& n, const std::string& key) {
    auto v = n.value<std::int64_t>();
    if (!n.is_integer() || !v || *v < min || *v > max) {
      throw ConfigError("config key '" + key + "' must be an integer from " + std::to_string(min) + " to " +
                        std::to_string(max));
    }
    target = static_cast<T>(*v);
  };
}

Setter millis(std::chrono::milliseconds& target, std::int64_t min, std::int64_t max) {
  return [&target, min, max](const toml::node& n, const std::string& key) {
    std::int64_t v = 0;
    integer(v, min, max)(n, key);
    target = std::chrono::milliseconds(v);
  };
}

Setter boolean(bool& target) {
  return [&target](const toml::node& n, const std::string& key) {
    if (!n.is_boolean()) throw ConfigError("config key '" + key + "' must be true or false");
    target = *n.value<bool>();
  };
}

Setter text(std::string& target) {
  return [&target](const toml::node& n, const std::string& key) {
    if (!n.is_string()) throw ConfigError("config key '" + key + "' must be a string");
    target = *n.value<std::string>();
  };
}

std::map<std::string, Setter> settersFor(Config& c) {
  constexpr std::int64_t kDay = 24LL * 3600 * 1000;
  return {
      {"database.url", text(c.postgres.url)},
      {"database.path", text(c.db_path)},
      {"database.pool_size", integer(c.postgres.pool_size, 1, 1024)},
      {"database.busy_retries", integer(c.postgres.busy_retries, 0, 100)},
      {"database.busy_timeout_ms", integer(c.sqlite.busy_timeout_ms, 0, 600'000)},
      {"database.read_connections", integer(c.sqlite.read_connections, 1, 256)},
      // busy_timeout_ms, cache_mb and overlap_sync: the order writer's too (orderWriterConfig)
      {"database.cache_mb", integer(c.sqlite.cache_mb, 1, 65'536)},
      {"database.queue_capacity", integer(c.writer.queue_capacity, 1, 10'000'000)},
      {"database.max_batch", integer(c.writer.max_batch, 1, 100'000)},
      {"database.overlap_sync", boolean(c.sqlite.overlap_sync)},
      {"database.checkpoint_pages", integer(c.writer.checkpoint_pages, 0, 100'000'000)},
      {"database.wal_max_pages", integer(c.writer.wal_max_pages, 1, 100'000'000)},
      {"database.checkpoint_writeback_kb", integer(c.writer.checkpoint_writeback_kb, 0, 1'048'576)},
      {"server.listen",
       [&c](const toml::node& n, const std::string& key) {
         std::string v;
         text(v)(n, key);
         setListen(c, v, "config key '" + key + "'");
       }},
      {"server.threads", integer(c.server.threads, 1, 256)},
      {"server.max_header_bytes", integer(c.server.max_header_bytes, 256, 1 << 20)},
      {"server.max_body_bytes", integer(c.server.max_body_bytes, 256, 64 << 20)},
      {"server.request_timeout_ms", millis(c.server.request_timeout, 1, kDay)},
      {"server.idle_timeout_ms", millis(c.server.idle_timeout, 1, kDay)},
      {"server.drain_timeout_ms", millis(c.server.drain_timeout, 0, kDay)},
      {"server.max_connections", integer(c.server.max_connections, 1, 1'000'000)},
      {"server.access_log", boolean(c.server.access_log)},
      {"api.always_http_200", boolean(c.osimesa.always_http_200)},
      {"api.status_cache_orders", integer(c.osimesa.status_cache_orders, 0, 1'000'000)},
      {"api.status_cache_lists", integer(c.osimesa.status_cache_lists, 0, 1'000'000)},
      {"api.max_idempotency_key_length", integer(c.reseller.max_idempotency_key_length, 1, 4096)},
      {"api.provider_webhook_workers", integer(c.provider_webhooks.workers, 1, 64)},
      {"api.provider_webhook_queue", integer(c.provider_webhooks.queue, 1, 1'000'000)},
      {"business.time_zone", text(c.time_zone)},
      {"cache.refresh_ms", millis(c.directory.refresh_interval, 10, 60'000)},
      {"cache.max_accounts", integer(c.directory.max_cached_accounts, 1, 100'000'000)},
      {"log.level", text(c.log_level)},
      {"dispatch.enabled", boolean(c.dispatcher.enabled)},
      {"dispatch.send_workers", integer(c.dispatcher.send_workers, 1, 256)},
      {"dispatch.claim_batch", integer(c.dispatcher.claim_batch, 1, 10'000)},
      {"dispatch.idle_wait_ms", millis(c.dispatcher.idle_wait, 1, 60'000)},
      {"dispatch.poll_interval_s", integer(c.dispatcher.poll_interval_s, 1, 86'400)},
      {"dispatch.poll_batch", integer(c.dispatcher.poll_batch, 1, 1'000)},
      {"dispatch.retry_base_s", integer(c.dispatcher.retry_base_s, 1, 86'400)},
      {"dispatch.retry_cap_s", integer(c.dispatcher.retry_cap_s, 1, 7 * 86'400)},
      {"dispatch.max_reconcile_attempts", integer(c.dispatcher.max_reconcile_attempts, 1, 1'000)},
      {"dispatch.max_resends", integer(c.dispatcher.max_resends, 0, 100)},
      {"dispatch.lease_s", integer(c.dispatcher.lease_s, 1, 86'400)},
      {"webhooks.enabled", boolean(c.webhooks.enabled)},
      {"webhooks.workers", integer(c.webhooks.workers, 1, 256)},
      {"webhooks.timeout_ms", millis(c.webhooks.timeout, 100, 600'000)},
      {"webhooks.retry_base_s", integer(c.webhooks.retry_base_s, 1, 86'400)},
      {"webhooks.retry_cap_s", integer(c.webhooks.retry_cap_s, 1, 7 * 86'400)},
      {"webhooks.give_up_after_s", integer(c.webhooks.give_up_after_s, 1, 90 * 86'400)},
      {"webhooks.lease_s", integer(c.webhooks.lease_s, 1, 86'400)},
      {"admin.enabled", boolean(c.admin_enabled)},
      {"admin.listen",
       [&c](const toml::node& n, const std::string& key) {
         std::string v;
         text(v)(n, key);
         setAdminListen(c, v, "config key '" + key + "'");
       }},
      {"admin.session_ttl_s", integer(c.admin.session_ttl_s, 1, 30 * 86'400)},
      {"admin.session_max_s", integer(c.admin.session_max_s, 1, 365 * 86'400)},
      {"admin.secure_cookies", boolean(c.admin.secure_cookies)},
      {"admin.max_login_failures", integer(c.admin.max_login_failures, 1, 1'000)},
      {"admin.login_window_s", integer(c.admin.login_window_s, 1, 7 * 86'400)},
      {"admin.stuck_after_s", integer(c.admin.stuck_after_s, 1, 365 * 86'400)},
      {"admin.console_dir", text(c.console_dir)},
      {"admin.console_max_bytes", integer(c.console.max_total_bytes, 1024, 1LL << 30)},
  };
}

}  // namespace

void setListen(Config& config, const std::string& listen, const std::string& what) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError(what + " must be HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || p > 65535) {
    throw ConfigError(what + " has a bad port in '" + listen + "'");
  }
  config.server.host = host;
  config.server.port = static_cast<std::uint16_t>(p);
}

void setAdminListen(Config& config, const std::string& listen, const std::string& what) {
  Config parsed;
  setListen(parsed, listen, what);
  config.admin_server.host = parsed.server.host;
  config.admin_server.port = parsed.server.port;
}

store::sqlite::WriterConfig Config::orderWriterConfig() const {
  store::sqlite::WriterConfig w = writer;
  w.busy_timeout_ms = sqlite.busy_timeout_ms;
  w.cache_mb = sqlite.cache_mb;
  w.overlap_sync = sqlite.overlap_sync;
  return w;
}

Config loadConfig(const std::string& path) {
  Config c;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError("cannot read config file '" + path + "': " + std::string(e.description()) +
                      " at line " + std::to_string(e.source().begin.line));
  }
  auto setters = settersFor(c);
  for (auto&& [section, node] : root) {
    const std::string s(section.str());
    const toml::table* t = node.as_table();
    if (t == nullptr) throw ConfigError("config key '" + s + "' must be a section like [" + s + "]");
    for (auto&& [key, value] : *t) {
      const std::string full = s + "." + std::string(key.str());
      auto it = setters.find(full);
      if (it == setters.end()) throw ConfigError("unknown config key '" + full + "' in '" + path + "'");
      it->second(value, full);
    }
  }
  validate(c);
  return c;
}

bool isPostgresUrl(const std::string& s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

void setDatabase(Config& config, const std::string& value) {
  if (isPostgresUrl(value)) {
    config.postgres.url = value;
  } else {
    config.postgres.url.clear();
    config.db_path = value;
  }
}

std::string databaseName(const Config& config) {
  return config.postgres.url.empty() ? config.db_path : store::postgres::redactedUrl(config.postgres.url);
}

void validate(const Config& c) {
  if (!c.postgres.url.empty() && !isPostgresUrl(c.postgres.url)) {
    throw ConfigError("config key 'database.url' must start with postgresql:// or postgres://");
  }
  if (c.postgres.pool_size < 1 || c.postgres.pool_size > 1024) {
    throw ConfigError("config key 'database.pool_size' must be an integer from 1 to 1024");
  }
  if (c.postgres.busy_retries < 0 || c.postgres.busy_retries > 100) {
    throw ConfigError("config key 'database.busy_retries' must be an integer from 0 to 100");
  }
  if (c.writer.checkpoint_pages > 0 && c.writer.wal_max_pages < c.writer.checkpoint_pages) {
    throw ConfigError("config key 'database.wal_max_pages' must not be below 'database.checkpoint_pages' (" +
                      std::to_string(c.writer.checkpoint_pages) + ")");
  }
  if (c.postgres.url.empty() && c.db_path.empty()) {
    throw ConfigError("config key 'database.path' must not be empty");
  }
  if (auto z = domain::loadTimeZone(c.time_zone); !z) {
    throw ConfigError("config key 'business.time_zone': " + z.error().detail);
  }
  static const std::vector<std::string> kLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(kLevels.begin(), kLevels.end(), c.log_level) == kLevels.end()) {
    throw ConfigError("config key 'log.level' must be one of trace, debug, info, warn, error, critical, off");
  }
}

}  // namespace warung::app
