#include "store_pg/support.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace warung::store::postgres::testing {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string runScript(const std::string& args) {
  const std::string cmd = std::string(WARUNG_SOURCE_DIR) + "/scripts/pg-test-server.sh " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  std::array<char, 256> buf{};
  while (fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
  const int rc = pclose(p);
  if (rc != 0) throw std::runtime_error("pg-test-server.sh " + args + " failed");
  return trim(out);
}

bool reachable(const std::string& url) {
  try {
    pg::Connection c(url);
    return true;
  } catch (const pg::Error&) {
    return false;
  }
}

// A server this process started; stopped and removed at exit.
class OwnServer {
 public:
  OwnServer() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "warung-pg-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    url_ = runScript("start " + dir_);
  }
  ~OwnServer() {
    try {
      runScript("stop " + dir_);
    } catch (...) {
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& url() const { return url_; }

 private:
  std::string dir_;
  std::string url_;
};

std::string findServer() {
  if (const char* env = std::getenv("WARUNG_TEST_PG_URL"); env != nullptr && *env != '\0') return env;
#ifdef WARUNG_PG_TEST_DIR
  std::ifstream f(std::string(WARUNG_PG_TEST_DIR) + "/url");
  std::string url;
  if (f && std::getline(f, url) && reachable(trim(url))) return trim(url);
#endif
  static OwnServer own;  // "" when the script found no binaries
  return own.url();
}

// Skips every test, loudly, when there is no server to test against.
class PgEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (serverUrl().empty()) {
      GTEST_SKIP() << "\n#####################################################################\n"
                   << "No PostgreSQL server binaries: every postgres store test is SKIPPED.\n"
                   << "Install them (apt-get install postgresql) or set WARUNG_TEST_PG_URL.\n"
                   << "#####################################################################";
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PgEnvironment);

}  // namespace

bool serverIsExternal() {
  const char* env = std::getenv("WARUNG_TEST_PG_URL");
  return env != nullptr && *env != '\0';
}

const std::string& serverUrl() {
  static const std::string url = findServer();
  return url;
}

std::string withDatabase(const std::string& url, const std::string& db) {
  const std::size_t scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t query = url.find('?', start);
  const std::size_t slash = url.find('/', start);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  if (slash == std::string::npos || (query != std::string::npos && slash > query)) {
    return url.substr(0, query) + "/" + db + tail;
  }
  return url.substr(0, slash) + "/" + db + tail;
}

TestDatabase::TestDatabase() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  char buf[32];
  std::snprintf(buf, sizeof buf, "t_%016llx", static_cast<unsigned long long>(dist(rd)));
  name_ = buf;
  {
    pg::Connection admin(serverUrl());
    // An identifier cannot be a parameter; the name is ours (t_ and hex digits).
    admin.exec(("CREATE DATABASE " + name_).c_str());
  }
  url_ = withDatabase(serverUrl(), name_);
  conn_ = std::make_unique<pg::Connection>(url_);
}

TestDatabase::~TestDatabase() {
  conn_.reset();
  // DROP DATABASE waits for a checkpoint (most of a second with fsync on). A throwaway
  // server is removed whole when it stops, so only someone else's server is cleaned.
  if (!serverIsExternal()) return;
  try {
    pg::Connection admin(serverUrl());
    admin.exec(("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)").c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "could not drop test database %s: %s\n", name_.c_str(), e.what());
  }
}

pg::Rows TestDatabase::exec(const std::string& sql) {
  if (!conn_->ok()) conn_ = std::make_unique<pg::Connection>(url_);
  return conn_->exec(sql.c_str());  // PQexec: several statements allowed
}

std::int64_t TestDatabase::count(const std::string& table) {
  return exec("SELECT COUNT(*) FROM " + table).int64(0, 0);
}

int TestDatabase::dropOtherConnections() {
  return exec(
             "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE datname = current_database() AND pid <> pg_backend_pid()")
      .int64(0, 0);
}

}  // namespace warung::store::postgres::testing
