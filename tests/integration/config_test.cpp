// Start-up configuration and shutdown of `warung serve`: a bad file or value stops
// start-up with a message naming the key, a busy port is a clear error, and SIGTERM
// drains and exits 0.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

// Runs `warung ARGS...` like runCli, but kills it after `timeout`: a serve that
// wrongly starts must fail the test, not hang it.
CliResult runBounded(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 20s) {
  TempDir io;
  std::vector<std::string> argv{WARUNG_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, io.file("out"), io.file("err"));
  int status = 0;
  bool done = eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout);
  if (!done) {
    ::kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  CliResult r{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), readFile(io.file("out")),
              readFile(io.file("err"))};
  if (!done) r.err += "\n[killed: still running after the timeout]";
  return r;
}

class ConfigTest : public ::testing::Test {
 protected:
  std::string writeConfig(const std::string& toml, const std::string& name = "warung.toml") {
    const std::string path = dir_.file(name);
    std::ofstream(path) << toml;
    return path;
  }
  CliResult serveWith(const std::string& toml) {
    return runBounded({"serve", "--config", writeConfig(toml), "--db", db_, "--listen", "127.0.0.1:0",
                       "--admin-listen", "127.0.0.1:0"});
  }
  void expectRefused(const std::string& toml, const std::vector<std::string>& parts) {
    SCOPED_TRACE(toml);
    const CliResult r = serveWith(toml);
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    for (const auto& p : parts)
      EXPECT_NE(r.err.find(p), std::string::npos) << "stderr lacks '" << p << "': " << r.err;
    EXPECT_EQ(r.out.find("warung listening"), std::string::npos) << r.out;
  }

  TempDir dir_;
  std::string db_ = testDatabase(dir_, "warung.db");
};

TEST_F(ConfigTest, UnknownKeyStopsStartUpNamingIt) {
  expectRefused("[server]\nthreadz = 4\n", {"server.threadz"});
  expectRefused("[nosuch]\nthing = 1\n", {"nosuch.thing"});
  expectRefused("[api]\nalways_http_200 = false\nalways_http200 = true\n", {"api.always_http200"});
}

TEST_F(ConfigTest, BadValueStopsStartUpNamingTheKey) {
  expectRefused("[server]\nthreads = 0\n", {"server.threads"});
  expectRefused("[business]\ntime_zone = \"Mars/Base\"\n", {"business.time_zone"});
  expectRefused("[server]\nmax_body_bytes = \"big\"\n", {"server.max_body_bytes"});
  expectRefused("[api]\nalways_http_200 = \"yes\"\n", {"api.always_http_200"});
  expectRefused("[api]\nstatus_cache_orders = -1\n", {"api.status_cache_orders", "0 to 1000000"});
  expectRefused("[api]\nstatus_cache_orders = 1000001\n", {"api.status_cache_orders", "0 to 1000000"});
  expectRefused("[api]\nstatus_cache_lists = -1\n", {"api.status_cache_lists", "0 to 1000000"});
  expectRefused("[api]\nstatus_cache_lists = 1000001\n", {"api.status_cache_lists", "0 to 1000000"});
  expectRefused("[log]\nlevel = \"loud\"\n", {"log.level"});
  expectRefused("[cache]\nmax_accounts = 0\n", {"cache.max_accounts", "1 to 100000000"});
  expectRefused("[server]\nlisten = \"no-port-here\"\n", {"server.listen"});
  expectRefused("[database]\nurl = \"mysql://db/warung\"\n", {"database.url"});
  expectRefused("[database]\npool_size = 0\n", {"database.pool_size"});
  expectRefused("[database]\nbusy_retries = 101\n", {"database.busy_retries"});
  expectRefused("[database]\ncheckpoint_pages = -1\n", {"database.checkpoint_pages"});
  expectRefused("[database]\ncache_mb = 0\n", {"database.cache_mb", "1 to 65536"});
  expectRefused("[database]\ncheckpoint_pages = 500\nwal_max_pages = 400\n",
                {"database.wal_max_pages", "database.checkpoint_pages"});
  expectRefused("[database]\noverlap_sync = 1\n", {"database.overlap_sync", "true or false"});
  expectRefused("[database]\ncheckpoint_writeback_kb = -1\n",
                {"database.checkpoint_writeback_kb", "0 to 1048576"});
}

// On SQLite one server takes the orders of a file (its order writer keeps the
// duplicate-pending rule in memory): a second one stops at start, saying why.
TEST_F(ConfigTest, ASecondServerOnOneSqliteFileStopsAtStart) {
  if (postgresBackend()) GTEST_SKIP() << "several servers on one PostgreSQL database are the point there";
  ServerProcess first(db_);
  const CliResult r =
      runBounded({"serve", "--db", db_, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("another server is taking orders on it"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("warung listening"), std::string::npos) << r.out;
  EXPECT_TRUE(first.alive());
}

TEST_F(ConfigTest, BadConsoleSettingsStopStartUpNamingTheKey) {
  expectRefused("[admin]\nconsole_dir = 5\n", {"admin.console_dir"});
  expectRefused("[admin]\nconsole_max_bytes = 10\n", {"admin.console_max_bytes"});
  const std::string file = writeConfig("", "not-a-directory");
  expectRefused("[admin]\nconsole_dir = \"" + file + "\"\n", {"admin.console_dir", "not a directory"});
  const std::string console = dir_.file("console");
  fs::create_directories(console);
  writeText(console + "/index.html", std::string(2000, 'x'));
  expectRefused("[admin]\nconsole_dir = \"" + console + "\"\nconsole_max_bytes = 1024\n",
                {"admin.console_max_bytes", "1024 bytes"});
  fs::create_symlink(file, console + "/elsewhere.txt");
  expectRefused("[admin]\nconsole_dir = \"" + console + "\"\n", {"admin.console_dir", "elsewhere.txt"});
}

TEST_F(ConfigTest, UnparsableFileIsRefusedNamingTheFile) {
  const CliResult r = serveWith("[server\nthreads = = 2\n");
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("warung.toml"), std::string::npos) << r.err;
}

TEST_F(ConfigTest, BadFlagsAreRefused) {
  const CliResult tz =
      runBounded({"serve", "--db", db_, "--listen", "127.0.0.1:0", "--time-zone", "Mars/Base"});
  EXPECT_NE(tz.exit_code, 0) << tz.out << tz.err;
  EXPECT_NE(tz.err.find("Mars/Base"), std::string::npos) << tz.err;
  const CliResult listen = runBounded({"serve", "--db", db_, "--listen", "127.0.0.1"});
  EXPECT_NE(listen.exit_code, 0) << listen.out << listen.err;
  EXPECT_NE(listen.err.find("--listen"), std::string::npos) << listen.err;
}

TEST_F(ConfigTest, PortAlreadyInUseFailsClearly) {
  ServerProcess first(db_);
  const std::string address = "127.0.0.1:" + std::to_string(first.port());
  const CliResult r = runBounded({"serve", "--db", testDatabase(dir_, "other.db"), "--listen", address,
                                  "--admin-listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find(address), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("warung listening"), std::string::npos) << r.out;
  // The first server is unaffected.
  EXPECT_TRUE(first.alive());
  HttpClient http(first.port());
  EXPECT_EQ(http.request(boost::beast::http::verb::get, "/healthz", "", "").status, 200u);
}

TEST_F(ConfigTest, ValidConfigFileIsApplied) {
  // A body cap from the file shows in the 413 message; the server otherwise runs.
  ServerProcess server(db_, {"--config", writeConfig("[server]\nmax_body_bytes = 300\nthreads = 3\n"
                                                     "[business]\ntime_zone = \"Asia/Makassar\"\n"
                                                     "[api]\nalways_http_200 = false\n")});
  HttpClient http(server.port());
  auto r = http.post("/api/game", "application/x-www-form-urlencoded", "pad=" + std::string(1000, 'x'));
  EXPECT_EQ(r.status, 413u) << r.body;
  EXPECT_NE(r.body.find("300"), std::string::npos) << r.body;
  EXPECT_TRUE(server.alive()) << server.log();
}

// The README's configuration example, every key at its default, is a file the server
// takes as it is (the command line still picks the database and the ports).
TEST_F(ConfigTest, TheReadmesConfigurationExampleStartsTheServer) {
  const std::string readme = readFile(std::string(WARUNG_SOURCE_DIR) + "/README.md");
  const std::size_t section = readme.find("\n## Configuration");
  ASSERT_NE(section, std::string::npos);
  const std::size_t open = readme.find("```toml\n", section);
  ASSERT_NE(open, std::string::npos);
  const std::size_t body = open + 8;
  const std::size_t close = readme.find("```", body);
  ASSERT_NE(close, std::string::npos);
  const std::string example = readme.substr(body, close - body);
  for (const char* section_name : {"[database]", "[server]", "[api]", "[dispatch]", "[webhooks]", "[admin]"})
    EXPECT_NE(example.find(section_name), std::string::npos) << section_name;
  ServerProcess server(db_, {"--config", writeConfig(example)});
  HttpClient http(server.port());
  EXPECT_EQ(http.request(boost::beast::http::verb::get, "/healthz", "", "").status, 200u);
  EXPECT_TRUE(server.alive()) << server.log();
}

TEST_F(ConfigTest, SigtermWhileIdleExitsZeroAndLogsCleanStop) {
  ServerProcess server(db_);
  {
    HttpClient http(server.port());
    EXPECT_EQ(http.request(boost::beast::http::verb::get, "/healthz", "", "").status, 200u);
  }
  const int status = server.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0)
                                 << "\n"
                                 << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  EXPECT_NE(server.log().find("stopped cleanly"), std::string::npos) << server.log();
}

TEST_F(ConfigTest, SigtermWithAnIdleKeepAliveConnectionStillExitsZero) {
  ServerProcess server(db_);
  HttpClient http(server.port());  // stays connected across the shutdown
  EXPECT_EQ(http.request(boost::beast::http::verb::get, "/healthz", "", "").status, 200u);
  const int status = server.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  EXPECT_NE(server.log().find("stopped cleanly"), std::string::npos) << server.log();
  // And it does not take the drain timeout (10 s) to get there.
  EXPECT_EQ(server.log().find("drain timeout"), std::string::npos) << server.log();
}

TEST_F(ConfigTest, SigintAlsoStopsCleanly) {
  ServerProcess server(db_);
  const int status = server.stop(SIGINT);
  ASSERT_TRUE(WIFEXITED(status)) << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  EXPECT_NE(server.log().find("stopped cleanly"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace warung::testing
