#pragma once
// Integration-test harness: the real `warung` binary on port 0 with a database in a
// temporary directory, the CLI as a subprocess, and a small HTTP client.
// Waiting is always polling with a deadline, never a bare sleep.
//
// Both backends: with WARUNG_TEST_BACKEND=postgres (ctest's pg.* tests), testDatabase()
// creates a fresh PostgreSQL database for each call and returns its URL, which every
// `--db` accepts; otherwise it returns an SQLite file in the test's directory. The
// PostgreSQL server is $WARUNG_TEST_PG_URL, else the one ctest's pg_server_start
// fixture wrote to WARUNG_PG_TEST_DIR/url.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/crypto.hpp"
#include "support/temp_dir.hpp"

namespace warung::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Polls `cond` every few milliseconds until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// --- the backend under test ----------------------------------------------------------

inline bool postgresBackend() {
  const char* b = std::getenv("WARUNG_TEST_BACKEND");
  return b != nullptr && std::string(b) == "postgres";
}

inline bool isDatabaseUrl(const std::string& db) {
  return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

// The test server's URL (any database on it); "" when there is none.
inline const std::string& testPgServerUrl() {
  static const std::string url = [] {
    if (const char* env = std::getenv("WARUNG_TEST_PG_URL"); env != nullptr && *env != '\0')
      return std::string(env);
#ifdef WARUNG_PG_TEST_DIR
    std::string line;
    std::ifstream f(std::string(WARUNG_PG_TEST_DIR) + "/url");
    if (f && std::getline(f, line)) {
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
        line.pop_back();
      return line;
    }
#endif
    return std::string();
  }();
  return url;
}

// `url` with its database name replaced by `db`.
inline std::string withDatabaseName(const std::string& url, const std::string& db) {
  const std::size_t start = url.find("://") + 3;
  const std::size_t query = url.find('?', start);
  const std::size_t slash = url.find('/', start);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  const std::size_t end = slash == std::string::npos || (query != std::string::npos && slash > query)
                              ? (query == std::string::npos ? url.size() : query)
                              : slash;
  return url.substr(0, end) + "/" + db + tail;
}

// Runs one statement on the test server's maintenance connection; throws on failure.
inline void pgAdmin(const std::string& sql) {
  PGconn* c = PQconnectdb(testPgServerUrl().c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to the test PostgreSQL: " + why);
  }
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string why = ok ? "" : PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error(sql + ": " + why);
}

// Skips every test of a postgres run, loudly, when there is no server to run against.
class PostgresBackendEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (postgresBackend() && testPgServerUrl().empty()) {
      GTEST_SKIP() << "WARUNG_TEST_BACKEND=postgres but no PostgreSQL server (install postgresql, or set "
                      "WARUNG_TEST_PG_URL): every test is SKIPPED";
    }
  }
};
inline ::testing::Environment* const kPostgresBackendEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresBackendEnvironment);

// A new, empty database for a test: `dir`/`name` (SQLite), or on the postgres backend
// a fresh database (it_<random>) on the test server, whose URL is returned. A throwaway
// server's databases go with the server; on $WARUNG_TEST_PG_URL they are left for
// its owner to drop (names start with it_).
inline std::string testDatabase(const TempDir& dir, const std::string& name = "warung.db") {
  if (!postgresBackend()) return dir.file(name);
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  char buf[32];
  std::snprintf(buf, sizeof buf, "it_%016llx", static_cast<unsigned long long>(dist(rd)));
  pgAdmin(std::string("CREATE DATABASE ") + buf);
  return withDatabaseName(testPgServerUrl(), buf);
}

// The [database] line of a TOML file that selects `db` (an URL or an SQLite path).
inline std::string databaseTomlLine(const std::string& db) {
  return (isDatabaseUrl(db) ? "url = \"" : "path = \"") + db + "\"\n";
}

// Runs `argv` with stdout/stderr redirected to files; returns the pid.
inline pid_t spawn(const std::vector<std::string>& argv, const std::string& out_path,
                   const std::string& err_path, const std::string& stdin_path = "/dev/null") {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int in = open(stdin_path.c_str(), O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = err_path == out_path ? out : open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `warung ARGS...` to completion.
inline CliResult runCli(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null") {
  TempDir io;
  std::vector<std::string> argv{WARUNG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, io.file("out"), io.file("err"), stdin_path);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), readFile(io.file("out")),
          readFile(io.file("err"))};
}

// The server as a child process on 127.0.0.1 and a free port.
class ServerProcess {
 public:
  ServerProcess(const std::string& db_path, std::vector<std::string> extra_args = {},
                const std::string& log_path = "")
      : log_(!log_path.empty()        ? log_path
             : isDatabaseUrl(db_path) ? log_dir_.file("server.log")
                                      : db_path + ".log") {
    std::vector<std::string> argv{WARUNG_BINARY, "serve", "--db", db_path, "--listen", "127.0.0.1:0"};
    // The admin listener's default port (8081) would clash between parallel tests.
    if (std::find(extra_args.begin(), extra_args.end(), "--admin-listen") == extra_args.end()) {
      argv.insert(argv.end(), {"--admin-listen", "127.0.0.1:0"});
    }
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::error_code ec;
    fs::remove(log_, ec);  // a previous server's log would announce its old port
    pid_ = spawn(argv, log_, log_);
    static const std::regex kListening(R"(warung listening on http://[^:]+:(\d+))");
    std::smatch m;
    const bool up = eventually(
        [&] {
          const std::string text = readFile(log_);
          if (std::regex_search(text, m, kListening)) {
            port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
            return true;
          }
          return !alive();
        },
        20s);
    if (!up || port_ == 0) {
      const std::string text = readFile(log_);
      stop(SIGKILL);
      throw std::runtime_error("server did not start: " + text);
    }
  }
  ~ServerProcess() { stop(SIGKILL); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // The admin listener's port, from its "warung admin on http://HOST:PORT" line (printed
  // before the reseller API's); throws when there is none (admin.enabled = false).
  std::uint16_t adminPort() const {
    static const std::regex kAdmin(R"(warung admin on http://[^:]+:(\d+))");
    std::smatch m;
    const std::string text = log();
    if (!std::regex_search(text, m, kAdmin)) throw std::runtime_error("no admin port in log: " + text);
    return static_cast<std::uint16_t>(std::stoi(m[1]));
  }
  std::string log() const { return readFile(log_); }
  pid_t pid() const { return pid_; }

  bool alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }

  // Sends `sig` and waits for the process to end; returns its wait status.
  int stop(int sig = SIGTERM, std::chrono::milliseconds timeout = 30s) {
    if (pid_ > 0) {
      ::kill(pid_, sig);
      if (!eventually([&] { return !alive(); }, timeout)) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        exit_status_ = status;
        pid_ = -1;
      }
    }
    return exit_status_;
  }

 private:
  TempDir log_dir_;  // the log's home when the database is a URL
  std::string log_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int exit_status_ = -1;
};

// A keep-alive HTTP/1.1 client for one connection (reconnects when the server closed it).
class HttpClient {
 public:
  struct Reply {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    boost::beast::http::response<boost::beast::http::string_body> raw;
    // The body as JSON (null when it is not JSON).
    boost::json::value json() const {
      boost::system::error_code ec;
      auto v = boost::json::parse(body, ec);
      return ec ? boost::json::value() : v;
    }
  };

  explicit HttpClient(std::uint16_t port) : port_(port) {}

  Reply request(boost::beast::http::verb method, const std::string& path, const std::string& content_type,
                const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!stream_) connect();
        http::request<http::string_body> req{method, path, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!content_type.empty()) req.set(http::field::content_type, content_type);
        for (const auto& [k, v] : headers) req.set(k, v);
        req.body() = body;
        req.prepare_payload();
        http::write(*stream_, req);
        Reply r;
        boost::beast::flat_buffer buf;
        http::read(*stream_, buf, r.raw);
        r.status = r.raw.result_int();
        r.body = r.raw.body();
        r.content_type = std::string(r.raw[http::field::content_type]);
        if (!r.raw.keep_alive()) stream_.reset();
        return r;
      } catch (const boost::system::system_error&) {
        stream_.reset();  // the server closed an idle keep-alive connection: retry once
        if (attempt == 1) throw;
      }
    }
    throw std::logic_error("unreachable");
  }

  Reply post(const std::string& path, const std::string& content_type, const std::string& body,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request(boost::beast::http::verb::post, path, content_type, body, headers);
  }

  Reply postForm(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return post(path, "application/x-www-form-urlencoded", formEncode(params), headers);
  }

  Reply postJson(const std::string& path, const boost::json::object& o) {
    return post(path, "application/json", boost::json::serialize(o));
  }

  Reply postMultipart(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& params) {
    const std::string boundary = "----warungtestboundary7MA4YWxkTrZu0gW";
    std::string body;
    for (const auto& [k, v] : params) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    return post(path, "multipart/form-data; boundary=" + boundary, body);
  }

  static std::string formEncode(const std::vector<std::pair<std::string, std::string>>& params) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    auto enc = [](const std::string& s) {
      std::string o;
      for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
          o += static_cast<char>(c);
        } else {
          o += '%';
          o += kHex[c >> 4];
          o += kHex[c & 15];
        }
      }
      return o;
    };
    std::string body;
    for (const auto& [k, v] : params) {
      if (!body.empty()) body += '&';
      body += enc(k) + "=" + enc(v);
    }
    return body;
  }

 private:
  void connect() {
    namespace net = boost::asio;
    stream_ = std::make_unique<boost::beast::tcp_stream>(ioc_);
    stream_->connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    stream_->socket().set_option(net::ip::tcp::no_delay(true));
  }

  std::uint16_t port_;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::beast::tcp_stream> stream_;
};

// A reseller account made with the CLI, as an operator would.
struct Reseller {
  std::string user_id;
  std::string api_key;
  std::string sign() const { return crypto::md5Hex(user_id + api_key); }
  std::vector<std::pair<std::string, std::string>> auth(const std::string& type) const {
    return {{"key", api_key}, {"sign", sign()}, {"type", type}};
  }
};

inline Reseller createReseller(const std::string& db, const std::string& name, const std::string& level,
                               std::int64_t credit) {
  auto r = runCli({"user", "create", "--name", name, "--level", level, "--json", "--db", db});
  if (r.exit_code != 0) throw std::runtime_error("user create failed: " + r.err);
  auto j = boost::json::parse(r.out).as_object();
  Reseller res{std::string(j.at("user_id").as_string()), std::string(j.at("api_key").as_string())};
  if (credit > 0) {
    auto c = runCli(
        {"balance", "credit", res.user_id, std::to_string(credit), "--note", "test funds", "--db", db});
    if (c.exit_code != 0) throw std::runtime_error("balance credit failed: " + c.err);
  }
  return res;
}

// Imports the demo-format catalog at `json` into `db` with the CLI.
inline void importCatalog(const std::string& db, const std::string& json, const TempDir& dir) {
  const std::string path = dir.file("catalog.json");
  std::ofstream(path) << json;
  auto r = runCli({"service", "import", path, "--db", db});
  if (r.exit_code != 0) throw std::runtime_error("service import failed: " + r.err);
}

// Balance and ledger sum of an account, read with the CLI (`ledger --json`).
struct Books {
  std::int64_t balance = 0;
  std::int64_t ledger_sum = 0;
  std::size_t entries = 0;
};
inline Books books(const std::string& db, const std::string& user_id) {
  auto r = runCli({"ledger", user_id, "--json", "--limit", "1000000", "--db", db});
  if (r.exit_code != 0) throw std::runtime_error("ledger failed: " + r.err);
  auto j = boost::json::parse(r.out).as_object();
  Books b;
  b.balance = j.at("balance").as_int64();
  for (const auto& e : j.at("entries").as_array()) {
    b.ledger_sum += e.as_object().at("amount").as_int64();
    ++b.entries;
  }
  return b;
}

}  // namespace warung::testing

// --- Helpers for the money and CLI tests (appended) -------------------------------------
namespace warung::testing {

inline void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Runs `warung ARGS...`, requires exit 0 and parses stdout as JSON.
inline boost::json::value runCliJson(const std::vector<std::string>& args) {
  auto r = runCli(args);
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    throw std::runtime_error("warung " + cmd + "failed (" + std::to_string(r.exit_code) + "): " + r.err);
  }
  return boost::json::parse(r.out);
}

// `warung order list --json --limit 100000 --db DB EXTRA...` as an array of order objects.
inline boost::json::array listOrdersJson(const std::string& db, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"order", "list", "--json", "--limit", "100000", "--db", db};
  args.insert(args.end(), extra.begin(), extra.end());
  return runCliJson(args).as_array();
}

// One `type=order` answer, decoded.
struct OrderAnswer {
  unsigned http = 0;
  bool ok = false;        // envelope "status"
  std::int64_t code = 0;  // envelope "code"
  std::string message;
  std::string ref_id;      // on success
  std::int64_t price = 0;  // on success: the charge
  boost::json::value json;
};

// Places an order on `/api/social-media` (kind "social-media") or `/api/game` (kind "game").
inline OrderAnswer postOrder(HttpClient& client, const Reseller& r, const std::string& kind,
                             const std::string& service, const std::string& data1,
                             const std::string& data2 = "") {
  auto params = r.auth("order");
  params.emplace_back("service", service);
  params.emplace_back("data1", data1);
  if (!data2.empty()) params.emplace_back("data2", data2);
  auto reply = client.postForm("/api/" + kind, params);
  OrderAnswer a;
  a.http = reply.status;
  a.json = reply.json();
  if (const auto* o = a.json.if_object()) {
    if (const auto* s = o->if_contains("status"); s && s->is_bool()) a.ok = s->get_bool();
    if (const auto* c = o->if_contains("code"); c && c->is_int64()) a.code = c->get_int64();
    if (const auto* m = o->if_contains("message"); m && m->is_string())
      a.message = std::string(m->get_string());
    if (const auto* d = o->if_contains("data"); a.ok && d && d->is_object()) {
      if (const auto* ref = d->get_object().if_contains("ref_id"); ref && ref->is_string()) {
        a.ref_id = std::string(ref->get_string());
      }
      if (const auto* p = d->get_object().if_contains("price"); p && p->is_int64()) a.price = p->get_int64();
    }
  }
  return a;
}

// `type=status` for one ref_id: the order object, or null when the answer is not a success.
inline boost::json::value orderStatus(HttpClient& client, const Reseller& r, const std::string& kind,
                                      const std::string& ref_id) {
  auto params = r.auth("status");
  params.emplace_back("ref_id", ref_id);
  auto reply = client.postForm("/api/" + kind, params);
  auto j = reply.json();
  if (reply.status != 200 || !j.is_object()) return nullptr;
  const auto* data = j.as_object().if_contains("data");
  if (data == nullptr || !data->is_array() || data->as_array().size() != 1) return nullptr;
  return data->as_array()[0];
}

}  // namespace warung::testing

// --- Helpers for the fulfilment and webhook tests (appended) ----------------------------
namespace warung::testing {

// Polls `cond` every `interval` (for conditions that run a CLI subprocess, where the
// 5 ms of eventually() would only load the machine) until it holds or `timeout` passes.
inline bool eventuallyEvery(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
                            std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(interval);
  }
  return cond();
}

// A TOML configuration with fast fulfilment timings for tests: polls every second,
// backoff of 1-2 s, new work noticed within 20 ms, webhooks retried every second.
// `overrides` ("dispatch.lease_s" -> "2", ...) replace or add keys of [dispatch] and
// [webhooks]; values are written as given (TOML literals).
inline std::string fulfilmentConfigToml(
    const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  std::vector<std::pair<std::string, std::string>> keys{
      {"dispatch.poll_interval_s", "1"}, {"dispatch.retry_base_s", "1"}, {"dispatch.retry_cap_s", "2"},
      {"dispatch.idle_wait_ms", "20"},   {"dispatch.claim_batch", "1"},  {"webhooks.retry_base_s", "1"},
      {"webhooks.retry_cap_s", "1"},     {"webhooks.timeout_ms", "2000"}};
  for (const auto& [k, v] : overrides) {
    bool replaced = false;
    for (auto& kv : keys) {
      if (kv.first == k) {
        kv.second = v;
        replaced = true;
      }
    }
    if (!replaced) keys.emplace_back(k, v);
  }
  std::string toml;
  for (const std::string section : {"dispatch", "webhooks"}) {
    toml += "[" + section + "]\n";
    for (const auto& [k, v] : keys) {
      if (k.rfind(section + ".", 0) == 0) toml += k.substr(section.size() + 1) + " = " + v + "\n";
    }
  }
  return toml;
}

// `warung order show REF --json`: the order with its "events", "dispatch" (absent
// before the dispatcher claimed it) and "webhooks".
inline boost::json::object orderShow(const std::string& db, const std::string& ref_id) {
  return runCliJson({"order", "show", ref_id, "--json", "--db", db}).as_object();
}

// The dispatch phase in an `order show --json` answer ("" when it has no dispatch row).
inline std::string dispatchPhase(const boost::json::object& shown) {
  const auto* d = shown.if_contains("dispatch");
  if (d == nullptr || !d->is_object()) return "";
  return std::string(d->as_object().at("phase").as_string());
}

// The ledger entries of `user_id` that name `ref` (an order's debit, its refund).
inline std::vector<boost::json::object> ledgerEntriesFor(const std::string& db, const std::string& user_id,
                                                         const std::string& ref) {
  auto j = runCliJson({"ledger", user_id, "--json", "--limit", "1000000", "--db", db}).as_object();
  std::vector<boost::json::object> out;
  for (const auto& e : j.at("entries").as_array()) {
    if (e.as_object().at("ref").as_string() == ref) out.push_back(e.as_object());
  }
  return out;
}

}  // namespace warung::testing
