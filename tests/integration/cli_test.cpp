// The operator's command line: its output contract, its errors, and that what it
// changes reaches a running server within a second. Also manual fulfilment with
// `order set-status`, where refunds must happen exactly once.
#include <gtest/gtest.h>

#include <set>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;

constexpr std::int64_t kGamePrice = 10'000;
constexpr std::int64_t kSocialPerThousand = 3'333;
constexpr const char* kCatalog = R"JSON([
  {"kind": "game", "code": "G1", "name": "Test Diamonds 100", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 9900, "spesial": 9800}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "S1", "name": "Test Followers", "note": "",
   "category": {"main": "Test Followers", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 7, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "100000"},
   "price": {"list": {"standar": 3333, "premium": 3300, "spesial": 3200}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"}
])JSON";

std::int64_t socialCharge(std::int64_t quantity) { return (kSocialPerThousand * quantity + 999) / 1000; }

// The demo catalog, read from src/app/demo.cpp: a richer round trip (selects with both
// option shapes, a disabled service, cut-offs that wrap midnight).
std::string demoCatalog() {
  const std::string src = readFile(std::string(WARUNG_SOURCE_DIR) + "/src/app/demo.cpp");
  const auto begin = src.find("R\"JSON(");
  const auto end = src.find(")JSON\"");
  if (begin == std::string::npos || end == std::string::npos)
    throw std::runtime_error("demo catalog not found");
  return src.substr(begin + 7, end - begin - 7);
}

json::array ledgerEntries(const std::string& db, const std::string& user_id) {
  return runCliJson({"ledger", user_id, "--json", "--limit", "1000000", "--db", db}).at("entries").as_array();
}

// Ledger entries of `reason` (and, when given, for `ref`).
std::vector<std::int64_t> amountsOf(const json::array& entries, std::string_view reason,
                                    std::string_view ref = {}) {
  std::vector<std::int64_t> out;
  for (const auto& e : entries) {
    if (e.at("reason").as_string() != reason) continue;
    if (!ref.empty() && e.at("ref").as_string() != ref) continue;
    out.push_back(e.at("amount").as_int64());
  }
  return out;
}

// A service as `type=service` lists it, or null.
json::value listedService(HttpClient& client, const Reseller& r, const std::string& kind,
                          const std::string& code) {
  auto reply = client.postForm("/api/" + kind, r.auth("service"));
  auto j = reply.json();
  if (reply.status != 200 || !j.is_object()) return nullptr;
  for (const auto& s : j.at("data").as_array()) {
    if (s.at("code").as_string() == code) return s;
  }
  return nullptr;
}

unsigned authStatus(HttpClient& client, const Reseller& r) {
  return client.postForm("/api/game", r.auth("service")).status;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { importCatalog(db_, kCatalog, dir_); }

  std::vector<std::string> withDb(std::vector<std::string> args) const {
    args.insert(args.end(), {"--db", db_});
    return args;
  }
  CliResult cli(const std::vector<std::string>& args) const { return runCli(withDb(args)); }
  // Expects a clean refusal: non-zero exit, a message on stderr, nothing on stdout.
  void expectRefused(const std::vector<std::string>& args, const std::string& message_part = "") const {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    auto r = cli(args);
    EXPECT_NE(r.exit_code, 0) << cmd << "\nstdout: " << r.out;
    EXPECT_FALSE(r.err.empty()) << cmd;
    EXPECT_TRUE(r.out.empty()) << cmd << "\nstdout: " << r.out;
    if (!message_part.empty()) {
      EXPECT_NE(r.err.find(message_part), std::string::npos) << cmd << "\nstderr: " << r.err;
    }
  }
  std::string exportCatalogText(const std::string& db) const {
    auto r = runCli({"service", "export", "--db", db});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir dir_;
  const std::string db_ = testDatabase(dir_, "warung.db");
};

// --- accounts and keys ------------------------------------------------------------------

TEST_F(Cli, UserCreateJsonPrintsExactlyUserIdAndApiKey) {
  auto r = cli({"user", "create", "--name", "Toko Budi", "--level", "premium", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line of JSON: " << r.out;
  const auto j = json::parse(r.out).as_object();
  ASSERT_EQ(j.size(), 2u) << r.out;
  auto it = j.begin();
  EXPECT_EQ(it->key(), "user_id");
  EXPECT_EQ((++it)->key(), "api_key");
  const std::string user_id(j.at("user_id").as_string()), key(j.at("api_key").as_string());
  EXPECT_FALSE(user_id.empty());
  EXPECT_GE(key.size(), 16u);

  auto list = runCliJson(withDb({"user", "list", "--json"})).as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("user_id").as_string(), user_id);
  EXPECT_EQ(list[0].at("name").as_string(), "Toko Budi");
  EXPECT_EQ(list[0].at("level").as_string(), "premium");
  EXPECT_EQ(list[0].at("status").as_string(), "active");
  EXPECT_EQ(list[0].at("balance").as_int64(), 0);
  EXPECT_EQ(list[0].as_object().find("api_key"), list[0].as_object().end()) << "keys are never listed";

  ServerProcess server(db_);
  HttpClient client(server.port());
  EXPECT_EQ(authStatus(client, {user_id, key}), 200u);
  // Premium pays the premium price.
  auto g1 = listedService(client, {user_id, key}, "game", "G1");
  ASSERT_TRUE(g1.is_object());
  EXPECT_EQ(g1.at("price").at("current").as_int64(), 9900);
}

TEST_F(Cli, UserCreateTextShowsTheKeyOnceAndUserListShowsTheAccount) {
  auto r = cli({"user", "create", "--name", "Warung Sari"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(user id: (\S+))"))) << r.out;
  const std::string user_id = m[1];
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(api key: (\S+))"))) << r.out;
  const std::string key = m[1];
  std::size_t count = 0;
  for (auto pos = r.out.find(key); pos != std::string::npos; pos = r.out.find(key, pos + 1)) ++count;
  EXPECT_EQ(count, 1u) << r.out;

  auto list = cli({"user", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(user_id), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Warung Sari"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("standar"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(key), std::string::npos) << "the key is shown only at creation";

  ServerProcess server(db_);
  HttpClient client(server.port());
  EXPECT_EQ(authStatus(client, {user_id, key}), 200u);
}

TEST_F(Cli, SuspendAnswers403WithinASecondAndActivateRestores) {
  const Reseller r = createReseller(db_, "suspendme", "standar", 5 * kGamePrice);
  ServerProcess server(db_);
  HttpClient client(server.port());
  ASSERT_EQ(authStatus(client, r), 200u);

  auto s = cli({"user", "suspend", r.user_id});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_TRUE(eventually([&] { return authStatus(client, r) == 403; }, 1s))
      << "suspension not seen within 1 s";
  auto refused = postOrder(client, r, "game", "G1", "123456");
  EXPECT_EQ(refused.http, 403u);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.code, 403);
  EXPECT_EQ(books(db_, r.user_id).balance, 5 * kGamePrice) << "nothing charged while suspended";
  auto listed = runCliJson(withDb({"user", "list", "--json"})).as_array();
  EXPECT_EQ(listed[0].at("status").as_string(), "suspended");

  auto a = cli({"user", "activate", r.user_id});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(eventually([&] { return authStatus(client, r) == 200; }, 1s))
      << "activation not seen within 1 s";
  EXPECT_EQ(postOrder(client, r, "game", "G1", "123456").http, 200u);
}

TEST_F(Cli, KeyRotateRevokesTheOldKeyWithinASecond) {
  const Reseller old_r = createReseller(db_, "rotator", "standar", 0);
  ServerProcess server(db_);
  HttpClient client(server.port());
  ASSERT_EQ(authStatus(client, old_r), 200u);

  auto j = runCliJson(withDb({"key", "rotate", old_r.user_id, "--json"})).as_object();
  ASSERT_EQ(j.at("user_id").as_string(), old_r.user_id);
  const Reseller new_r{old_r.user_id, std::string(j.at("api_key").as_string())};
  ASSERT_NE(new_r.api_key, old_r.api_key);
  EXPECT_TRUE(eventually([&] { return authStatus(client, old_r) == 401; }, 1s))
      << "old key still works after 1 s";
  EXPECT_TRUE(eventually([&] { return authStatus(client, new_r) == 200; }, 1s))
      << "new key not accepted within 1 s";

  // Text output: the new key once.
  auto t = cli({"key", "rotate", old_r.user_id});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(t.out, m, std::regex(R"(new api key for \S+: (\S+))"))) << t.out;
  const Reseller third{old_r.user_id, m[1]};
  EXPECT_TRUE(
      eventually([&] { return authStatus(client, new_r) == 401 && authStatus(client, third) == 200; }, 1s));
}

// --- balances ---------------------------------------------------------------------------

TEST_F(Cli, BalanceCreditIsSpendableByTheRunningServerAtOnce) {
  const Reseller r = createReseller(db_, "topup", "standar", 0);
  ServerProcess server(db_);
  HttpClient client(server.port());
  auto broke = postOrder(client, r, "game", "G1", "42424242");
  EXPECT_EQ(broke.http, 402u);
  EXPECT_EQ(broke.code, 402);

  auto c = runCliJson(withDb({"balance", "credit", r.user_id, std::to_string(kGamePrice), "--note",
                              "transfer BCA", "--json"}))
               .as_object();
  EXPECT_EQ(c.at("amount").as_int64(), kGamePrice);
  EXPECT_EQ(c.at("balance_after").as_int64(), kGamePrice);
  EXPECT_EQ(c.at("reason").as_string(), "credit");
  EXPECT_EQ(c.at("ref").as_string(), "transfer BCA");

  OrderAnswer placed;
  EXPECT_TRUE(eventually(
      [&] {
        placed = postOrder(client, r, "game", "G1", "42424242");
        return placed.http == 200;
      },
      1s))
      << "credit not spendable within 1 s: " << json::serialize(placed.json);
  EXPECT_EQ(placed.price, kGamePrice);
  const Books b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, 0);
  EXPECT_EQ(b.ledger_sum, 0);
  EXPECT_EQ(b.entries, 2u);

  // Text output names the new balance.
  auto t = cli({"balance", "credit", r.user_id, "12500", "--note", "bonus"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("Rp 12.500"), std::string::npos) << t.out;
}

TEST_F(Cli, BalanceDebitBelowZeroIsRefusedAndChangesNothing) {
  const Reseller r = createReseller(db_, "debitor", "standar", 1'000);
  expectRefused({"balance", "debit", r.user_id, "1001", "--note", "too much"}, "below");
  Books b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, 1'000);
  EXPECT_EQ(b.entries, 1u);

  auto d = cli({"balance", "debit", r.user_id, "400", "--note", "correction"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto entries = ledgerEntries(db_, r.user_id);
  EXPECT_EQ(amountsOf(entries, "debit"), std::vector<std::int64_t>{-400});
  // Down to exactly zero is allowed; one rupiah more is not.
  ASSERT_EQ(cli({"balance", "debit", r.user_id, "600", "--note", "all"}).exit_code, 0);
  expectRefused({"balance", "debit", r.user_id, "1", "--note", "one more"});
  b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, 0);
  EXPECT_EQ(b.ledger_sum, 0);
  EXPECT_EQ(b.entries, 3u);
}

// --- the catalog ------------------------------------------------------------------------

TEST_F(Cli, ServiceExportThenImportRoundTrips) {
  importCatalog(db_, demoCatalog(), dir_);
  const std::string first = exportCatalogText(db_);
  const auto parsed = json::parse(first).as_array();
  EXPECT_EQ(parsed.size(), 14u) << "12 demo services and our 2";

  // Into a fresh database, and back over the same one: the export does not change.
  const std::string file = dir_.file("export.json");
  writeText(file, first);
  const std::string db2 = testDatabase(dir_, "second.db");
  auto imp = runCli({"service", "import", file, "--db", db2});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_NE(imp.out.find("imported 14 services"), std::string::npos) << imp.out;
  EXPECT_EQ(exportCatalogText(db2), first);
  ASSERT_EQ(cli({"service", "import", file}).exit_code, 0);
  EXPECT_EQ(exportCatalogText(db_), first);

  // --kind narrows it.
  auto games = runCli({"service", "export", "--kind", "game", "--db", db_});
  ASSERT_EQ(games.exit_code, 0) << games.err;
  const auto game_list = json::parse(games.out).as_array();
  EXPECT_FALSE(game_list.empty());
  for (const auto& s : game_list) EXPECT_EQ(s.at("kind").as_string(), "game");

  // Import from stdin ('-').
  const std::string db3 = testDatabase(dir_, "third.db");
  auto from_stdin = runCli({"service", "import", "-", "--db", db3}, file);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(exportCatalogText(db3), first);
}

TEST_F(Cli, ServiceSetReachesTheRunningServerWithinASecond) {
  const Reseller r = createReseller(db_, "setter", "standar", 10 * kGamePrice);
  ServerProcess server(db_);
  HttpClient client(server.port());
  ASSERT_EQ(postOrder(client, r, "game", "G1", "1001").http, 200u);

  std::int64_t spent = kGamePrice;
  ASSERT_EQ(cli({"service", "set", "game", "G1", "--status", "empty"}).exit_code, 0);
  // Polled through the listing, which costs nothing; orders read the same catalog.
  EXPECT_TRUE(eventually(
      [&] {
        auto s = listedService(client, r, "game", "G1");
        return s.is_object() && s.at("status").as_string() == "empty";
      },
      1s))
      << "out of stock not seen within 1 s";
  OrderAnswer ans = postOrder(client, r, "game", "G1", "1002");
  EXPECT_EQ(ans.http, 503u) << json::serialize(ans.json);
  EXPECT_FALSE(ans.ok);
  EXPECT_EQ(ans.code, 503);
  EXPECT_NE(ans.message.find("G1"), std::string::npos) << ans.message;
  EXPECT_EQ(books(db_, r.user_id).balance, 10 * kGamePrice - spent) << "nothing charged for a refused order";

  ASSERT_EQ(cli({"service", "set", "game", "G1", "--status", "ready", "--standar", "12345"}).exit_code, 0);
  EXPECT_TRUE(eventually(
      [&] {
        auto s = listedService(client, r, "game", "G1");
        return s.is_object() && s.at("price").at("current").as_int64() == 12345 &&
               s.at("status").as_string() == "ready";
      },
      1s))
      << "new price not listed within 1 s";
  ans = postOrder(client, r, "game", "G1", "1003");
  EXPECT_EQ(ans.http, 200u) << json::serialize(ans.json);
  EXPECT_EQ(ans.price, 12345);
  spent += ans.price;
  const Books b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, 10 * kGamePrice - spent);
  EXPECT_EQ(b.ledger_sum, b.balance);

  // Disabling hides it and orders get 404.
  ASSERT_EQ(cli({"service", "set", "game", "G1", "--enabled", "false"}).exit_code, 0);
  EXPECT_TRUE(eventually([&] { return postOrder(client, r, "game", "G1", "1004").http == 404; }, 1s));
  EXPECT_TRUE(listedService(client, r, "game", "G1").is_null());
}

// --- orders -----------------------------------------------------------------------------

TEST_F(Cli, OrderListFilters) {
  const Reseller a = createReseller(db_, "alpha", "standar", 1'000'000);
  const Reseller b = createReseller(db_, "beta", "standar", 1'000'000);
  ServerProcess server(db_);
  HttpClient client(server.port());
  std::vector<std::string> a_game, a_social;
  for (int i = 0; i < 3; ++i) {
    auto o = postOrder(client, a, "game", "G1", "7000" + std::to_string(i));
    ASSERT_EQ(o.http, 200u) << json::serialize(o.json);
    a_game.push_back(o.ref_id);
  }
  for (int i = 0; i < 2; ++i) {
    auto o =
        postOrder(client, a, "social-media", "S1", "https://instagram.com/alpha" + std::to_string(i), "1000");
    ASSERT_EQ(o.http, 200u) << json::serialize(o.json);
    a_social.push_back(o.ref_id);
  }
  auto bo = postOrder(client, b, "game", "G1", "70000");  // same target, other account
  ASSERT_EQ(bo.http, 200u) << json::serialize(bo.json);
  ASSERT_EQ(cli({"order", "set-status", a_game[1], "processing"}).exit_code, 0);
  ASSERT_EQ(cli({"order", "set-status", a_social[0], "error"}).exit_code, 0);

  auto refs = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> out;
    for (const auto& o : listOrdersJson(db_, extra)) out.emplace_back(o.at("ref_id").as_string());
    return out;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(refs({}).size(), 6u);
  // Newest first.
  EXPECT_EQ(refs({"--user", a.user_id}),
            (std::vector<std::string>{a_social[1], a_social[0], a_game[2], a_game[1], a_game[0]}));
  EXPECT_EQ(refs({"--user", b.user_id}), std::vector<std::string>{bo.ref_id});
  EXPECT_EQ(refs({"--kind", "game"}).size(), 4u);
  EXPECT_EQ(sorted(refs({"--kind", "social-media"})), sorted(a_social));
  EXPECT_EQ(sorted(refs({"--service", "S1"})), sorted(a_social));
  EXPECT_EQ(refs({"--service", "G1"}).size(), 4u);
  EXPECT_EQ(refs({"--status", "processing"}), std::vector<std::string>{a_game[1]});
  EXPECT_EQ(refs({"--status", "error"}), std::vector<std::string>{a_social[0]});
  EXPECT_EQ(refs({"--status", "waiting"}).size(), 4u);
  EXPECT_EQ(refs({"--status", "success"}).size(), 0u);
  EXPECT_EQ(refs({"--user", a.user_id, "--kind", "game", "--status", "waiting"}),
            (std::vector<std::string>{a_game[2], a_game[0]}));
  EXPECT_EQ(refs({"--target", "https://instagram.com/alpha1"}), std::vector<std::string>{a_social[1]});
  EXPECT_EQ(sorted(refs({"--target", "70000"})), sorted({a_game[0], bo.ref_id}));
  auto limited =
      runCliJson(withDb({"order", "list", "--json", "--user", a.user_id, "--limit", "2"})).as_array();
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_EQ(limited[0].at("ref_id").as_string(), a_social[1]);
  EXPECT_EQ(limited[1].at("ref_id").as_string(), a_social[0]);

  // The text table lists the same orders.
  auto text = cli({"order", "list", "--user", b.user_id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(bo.ref_id), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(a_game[0]), std::string::npos) << text.out;

  expectRefused({"order", "list", "--status", "done"}, "--status");
  expectRefused({"order", "list", "--kind", "tv"}, "kind");
  expectRefused({"order", "list", "--user", "NOSUCHUSER"}, "NOSUCHUSER");
}

// --- every command takes --config ------------------------------------------------------

// `warung serve --config FILE` on the port the config names (0), stopped with SIGTERM.
class ConfiguredServer {
 public:
  ConfiguredServer(const std::string& config, const std::string& log) : log_(log) {
    pid_ = spawn({WARUNG_BINARY, "serve", "--config", config, "--admin-listen", "127.0.0.1:0"}, log_, log_);
    static const std::regex kListening(R"(warung listening on http://[^:]+:(\d+))");
    std::smatch m;
    eventually(
        [&] {
          const std::string text = readFile(log_);
          if (std::regex_search(text, m, kListening)) port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
          return port_ != 0 || waitpid(pid_, nullptr, WNOHANG) == pid_;
        },
        20s);
  }
  ~ConfiguredServer() { stop(); }
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
    return status_;
  }
  std::uint16_t port() const { return port_; }
  std::string log() const { return readFile(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int status_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(Cli, EveryCommandAcceptsAConfigFileInsteadOfDb) {
  const std::string cfg = dir_.file("warung.toml");
  writeText(cfg, "[database]\n" + databaseTomlLine(db_) + "\n[server]\nlisten = \"127.0.0.1:0\"\n");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--config", cfg});
    auto r = runCli(args);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.err;
    return r;
  };
  auto created = json::parse(run({"user", "create", "--name", "viaconfig", "--json"}).out).as_object();
  const Reseller r{std::string(created.at("user_id").as_string()),
                   std::string(created.at("api_key").as_string())};
  // What --config wrote, --db sees: same database.
  EXPECT_EQ(runCliJson(withDb({"user", "list", "--json"})).as_array().size(), 1u);
  EXPECT_NE(run({"user", "list"}).out.find(r.user_id), std::string::npos);
  run({"user", "set-level", r.user_id, "spesial"});
  run({"user", "price", r.user_id, "game", "G1", "9000"});
  run({"user", "price", r.user_id, "game", "G1", "--clear"});
  run({"user", "suspend", r.user_id});
  run({"user", "activate", r.user_id});
  run({"balance", "credit", r.user_id, "100000", "--note", "via config"});
  run({"balance", "debit", r.user_id, "1000", "--note", "via config"});
  EXPECT_EQ(books(db_, r.user_id).balance, 99'000);
  run({"ledger", r.user_id});
  const std::string exported = run({"service", "export"}).out;
  EXPECT_EQ(exported, exportCatalogText(db_));
  const std::string file = dir_.file("cat.json");
  writeText(file, exported);
  run({"service", "import", file});
  run({"service", "set", "game", "G1", "--standar", "10000"});

  ConfiguredServer server(cfg, dir_.file("configured.log"));
  ASSERT_NE(server.port(), 0) << server.log();
  HttpClient client(server.port());
  auto o = postOrder(client, r, "game", "G1", "31337");
  ASSERT_EQ(o.http, 200u) << json::serialize(o.json);
  EXPECT_EQ(o.price, 9800) << "spesial level price";
  const auto listed = json::parse(run({"order", "list", "--json"}).out).as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("ref_id").as_string(), o.ref_id);
  run({"order", "set-status", o.ref_id, "processing"});
  auto rotated = json::parse(run({"key", "rotate", r.user_id, "--json"}).out).as_object();
  EXPECT_NE(rotated.at("api_key").as_string(), r.api_key);
  const int status = server.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server.log();

  // A config that does not exist, or names an unknown key, is an error naming it.
  expectRefused({"user", "list", "--config", dir_.file("nope.toml")}, "nope.toml");
  const std::string bad = dir_.file("bad.toml");
  writeText(bad, "[database]\n" + databaseTomlLine(db_) + "paht = \"x\"\n");
  auto r2 = runCli({"user", "list", "--config", bad});
  EXPECT_NE(r2.exit_code, 0);
  EXPECT_NE(r2.err.find("database.paht"), std::string::npos) << r2.err;
}

// Logs belong on stderr: stdout of a --json command is read by scripts.
TEST_F(Cli, OutputOnAFreshDatabaseIsOnlyTheResult) {
  const std::string fresh = testDatabase(dir_, "fresh.db");
  auto created = runCli({"user", "create", "--name", "first", "--json", "--db", fresh});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  boost::system::error_code ec;
  auto j = json::parse(created.out, ec);
  ASSERT_FALSE(ec) << "stdout is not just the JSON: " << created.out;
  EXPECT_EQ(j.as_object().size(), 2u);

  auto exported = runCli({"service", "export", "--db", testDatabase(dir_, "fresh2.db")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out, "[]\n");
}

TEST_F(Cli, AStorageErrorGoesToStderrAndMovesNoMoney) {
  const Reseller r = createReseller(db_, "rich", "standar", 0);
  auto max = cli({"balance", "credit", r.user_id, std::to_string(INT64_MAX), "--note", "max"});
  ASSERT_EQ(max.exit_code, 0) << max.err;
  // One rupiah more would overflow: the database refuses (balance must stay an integer).
  auto over = cli({"balance", "credit", r.user_id, "1", "--note", "overflow"});
  EXPECT_NE(over.exit_code, 0);
  EXPECT_FALSE(over.err.empty());
  const Books b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, INT64_MAX);
  EXPECT_EQ(b.entries, 1u);
  EXPECT_EQ(over.out, "") << "logs must go to stderr";
}

// --- errors -----------------------------------------------------------------------------

TEST_F(Cli, ErrorsGoToStderrWithNonZeroExit) {
  const Reseller r = createReseller(db_, "errs", "standar", 500);
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"ledger", "NOSUCHUSER"},
           {"balance", "credit", "NOSUCHUSER", "100", "--note", "x"},
           {"balance", "debit", "NOSUCHUSER", "100", "--note", "x"},
           {"user", "suspend", "NOSUCHUSER"},
           {"user", "activate", "NOSUCHUSER"},
           {"user", "set-level", "NOSUCHUSER", "premium"},
           {"key", "rotate", "NOSUCHUSER"},
           {"user", "price", "NOSUCHUSER", "game", "G1", "100"},
       }) {
    expectRefused(cmd, "NOSUCHUSER");
  }
  expectRefused({"user", "create", "--name", "Gold", "--level", "gold"}, "level");
  expectRefused({"user", "set-level", r.user_id, "gold"}, "level");
  EXPECT_EQ(runCliJson(withDb({"user", "list", "--json"})).as_array().size(), 1u)
      << "no account for a bad level";

  for (const std::string amount : {"-5", "abc", "0", "1.5", "", "99999999999999999999"}) {
    expectRefused({"balance", "credit", r.user_id, amount, "--note", "bad"});
    expectRefused({"balance", "debit", r.user_id, amount, "--note", "bad"});
  }
  expectRefused({"balance", "credit", r.user_id, "100"}, "--note");
  const Books b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, 500);
  EXPECT_EQ(b.entries, 1u);

  expectRefused({"order", "set-status", "NOSUCHREF", "processing"}, "NOSUCHREF");
  expectRefused({"service", "set", "game", "NOPE", "--status", "empty"}, "NOPE");
  expectRefused({"service", "set", "game", "G1", "--status", "maybe"}, "--status");
  expectRefused({"service", "set", "game", "G1", "--standar", "-1"});
  expectRefused({"service", "set", "tv", "G1", "--status", "empty"}, "kind");
  expectRefused({"service", "import", dir_.file("missing.json")}, "missing.json");
  expectRefused({"user", "frobnicate"});
}

TEST_F(Cli, MalformedCatalogImportNamesTheEntryAndKeyAndImportsNothing) {
  const std::string before = exportCatalogText(db_);
  auto bad = [&](const std::string& text, const std::string& message_part) {
    const std::string file = dir_.file("bad.json");
    writeText(file, text);
    SCOPED_TRACE(text);
    expectRefused({"service", "import", file}, message_part);
    EXPECT_EQ(exportCatalogText(db_), before) << "a failed import must change nothing";
  };
  const std::string ok_entry =
      R"({"kind": "game", "code": "OK1", "name": "Fine", "category": {"main": "X", "slug": "x"},
          "price": {"list": {"standar": 1, "premium": 1, "spesial": 1}}})";
  bad(R"([{"kind": "game", "code": "X1", "name": "No standar", "category": {"main": "X", "slug": "x"},
          "price": {"list": {"premium": 1, "spesial": 1}}}])",
      "services[0].price.list.standar");
  bad("[" + ok_entry + R"(, {"kind": "game", "code": "X2", "name": "Text price", "category": {"main": "X"},
          "price": {"list": {"standar": "abc", "premium": 1, "spesial": 1}}}])",
      "services[1].price.list.standar");
  bad("[" + ok_entry + R"(, {"kind": "game", "code": "X3", "name": "Negative", "category": {"main": "X"},
          "price": {"list": {"standar": 1, "premium": -1, "spesial": 1}}}])",
      "services[1].price.list.premium");
  bad("[" + ok_entry + R"(, {"kind": "radio", "code": "X4", "name": "Kind", "category": {"main": "X"},
          "price": {"list": {"standar": 1, "premium": 1, "spesial": 1}}}])",
      "services[1].kind");
  bad("[" + ok_entry + "," + ok_entry + "]", "services[1].code");
  bad(R"([{"kind": "social-media", "code": "S9", "name": "No order", "category": {"main": "X"},
          "fields": {"field2": {"type": "input"}},
          "price": {"list": {"standar": 1, "premium": 1, "spesial": 1}}}])",
      "services[0].order");
  bad(R"([{"kind": "game", "code": "X5", "name": "Cutoff", "category": {"main": "X"},
          "price": {"list": {"standar": 1, "premium": 1, "spesial": 1}}, "cutoff": {"start": "25:00"}}])",
      "services[0].cutoff.start");
  bad("[{\"kind\": ", "JSON");
  bad(R"({"not": "a catalog"})", "array");
}

// --- manual fulfilment ------------------------------------------------------------------

class CliFulfilment : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    reseller_ = createReseller(db_, "fulfil", "standar", kInitial);
    server_ = std::make_unique<ServerProcess>(db_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  OrderAnswer order(const std::string& kind, const std::string& data1, const std::string& data2 = "") {
    auto a = postOrder(*client_, reseller_, kind, kind == "game" ? "G1" : "S1", data1, data2);
    EXPECT_EQ(a.http, 200u) << json::serialize(a.json);
    return a;
  }
  json::object setStatus(const std::string& ref, std::vector<std::string> args) {
    std::vector<std::string> full{"order", "set-status", ref};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back("--json");
    return runCliJson(withDb(full)).as_object();
  }
  json::value apiStatus(const std::string& kind, const std::string& ref) {
    return orderStatus(*client_, reseller_, kind, ref);
  }
  void expectBooksBalanced(std::int64_t expected_balance) {
    const Books b = books(db_, reseller_.user_id);
    EXPECT_EQ(b.balance, expected_balance);
    EXPECT_EQ(b.ledger_sum, b.balance);
  }

  static constexpr std::int64_t kInitial = 1'000'000;
  Reseller reseller_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(CliFulfilment, SocialSuccessRecordsStartCountWithoutRefund) {
  auto o = order("social-media", "https://instagram.com/p/success", "2000");
  ASSERT_EQ(o.price, socialCharge(2000));
  auto p = setStatus(o.ref_id, {"processing"});
  EXPECT_EQ(p.at("status").as_string(), "processing");
  EXPECT_EQ(p.at("refund").as_int64(), 0);
  EXPECT_EQ(apiStatus("social-media", o.ref_id).at("status").as_string(), "processing");

  auto s = setStatus(o.ref_id, {"success", "--start", "1234", "--note", "done, thanks"});
  EXPECT_EQ(s.at("status").as_string(), "success");
  EXPECT_EQ(s.at("refund").as_int64(), 0);
  auto seen = apiStatus("social-media", o.ref_id);
  ASSERT_TRUE(seen.is_object());
  EXPECT_EQ(seen.at("status").as_string(), "success");
  EXPECT_EQ(seen.at("detail").at("start").as_int64(), 1234);
  EXPECT_EQ(seen.at("detail").at("amount").as_int64(), 2000);
  EXPECT_EQ(seen.at("detail").at("remain").as_int64(), 0);
  EXPECT_EQ(seen.at("note").as_string(), "done, thanks");
  EXPECT_TRUE(amountsOf(ledgerEntries(db_, reseller_.user_id), "refund").empty());
  expectBooksBalanced(kInitial - socialCharge(2000));

  // Final: no way out, and no money moves.
  expectRefused({"order", "set-status", o.ref_id, "error"}, o.ref_id);
  expectRefused({"order", "set-status", o.ref_id, "partial", "--remain", "10"}, o.ref_id);
  expectBooksBalanced(kInitial - socialCharge(2000));
}

TEST_F(CliFulfilment, PartialRefundsTheUndeliveredUnitsExactlyOnce) {
  // 1500 units at 3333 per 1000: charge ceil(4999.5) = 5000; 1100 delivered cost
  // ceil(3666.3) = 3667, so the refund is 1333.
  auto o = order("social-media", "https://instagram.com/p/partial", "1500");
  ASSERT_EQ(o.price, 5000);
  setStatus(o.ref_id, {"processing"});
  auto p = setStatus(o.ref_id, {"partial", "--remain", "400", "--start", "10"});
  EXPECT_EQ(p.at("status").as_string(), "partial");
  EXPECT_EQ(p.at("remain").as_int64(), 400);
  EXPECT_EQ(p.at("refund").as_int64(), 5000 - 3667);
  EXPECT_EQ(5000 - 3667, o.price - socialCharge(1500 - 400));

  auto entries = ledgerEntries(db_, reseller_.user_id);
  EXPECT_EQ(amountsOf(entries, "refund"), std::vector<std::int64_t>{1333});
  EXPECT_EQ(amountsOf(entries, "refund", o.ref_id), std::vector<std::int64_t>{1333})
      << "refund names the order";
  EXPECT_EQ(amountsOf(entries, "order", o.ref_id), std::vector<std::int64_t>{-5000});
  expectBooksBalanced(kInitial - 5000 + 1333);
  auto seen = apiStatus("social-media", o.ref_id);
  ASSERT_TRUE(seen.is_object());
  EXPECT_EQ(seen.at("status").as_string(), "partial");
  EXPECT_EQ(seen.at("detail").at("remain").as_int64(), 400);
  EXPECT_EQ(seen.at("detail").at("start").as_int64(), 10);
  EXPECT_EQ(seen.at("price").as_int64(), 5000) << "the order keeps its original charge";

  // Again, or any other final status: refused, and no second refund.
  expectRefused({"order", "set-status", o.ref_id, "partial", "--remain", "400"}, o.ref_id);
  expectRefused({"order", "set-status", o.ref_id, "partial", "--remain", "1000"}, o.ref_id);
  expectRefused({"order", "set-status", o.ref_id, "error"}, o.ref_id);
  expectRefused({"order", "set-status", o.ref_id, "success"}, o.ref_id);
  EXPECT_EQ(amountsOf(ledgerEntries(db_, reseller_.user_id), "refund"), std::vector<std::int64_t>{1333});
  expectBooksBalanced(kInitial - 5000 + 1333);
}

TEST_F(CliFulfilment, PartialNeedsARemainWithinTheQuantity) {
  auto o = order("social-media", "https://instagram.com/p/bounds", "300");
  setStatus(o.ref_id, {"processing"});
  expectRefused({"order", "set-status", o.ref_id, "partial"}, "remain");
  expectRefused({"order", "set-status", o.ref_id, "partial", "--remain", "0"}, "remain");
  expectRefused({"order", "set-status", o.ref_id, "partial", "--remain", "301"}, "remain");
  expectRefused({"order", "set-status", o.ref_id, "success", "--remain", "5"}, "remain");
  expectRefused({"order", "set-status", o.ref_id, "success", "--voucher", "V1"}, "voucher");
  expectRefused({"order", "set-status", o.ref_id, "processing"}, o.ref_id);
  expectRefused({"order", "set-status", o.ref_id, "done"}, "STATUS");
  EXPECT_EQ(apiStatus("social-media", o.ref_id).at("status").as_string(), "processing");
  // remain == quantity is a partial that delivered nothing: the whole charge comes back.
  auto p = setStatus(o.ref_id, {"partial", "--remain", "300"});
  EXPECT_EQ(p.at("refund").as_int64(), o.price);
  expectBooksBalanced(kInitial);
}

TEST_F(CliFulfilment, GameSuccessCarriesTheVoucherAndCannotTurnIntoError) {
  auto o = order("game", "55501");
  ASSERT_EQ(o.price, kGamePrice);
  setStatus(o.ref_id, {"processing"});
  auto s = setStatus(o.ref_id, {"success", "--voucher", "SN-1234-5678"});
  EXPECT_EQ(s.at("refund").as_int64(), 0);
  auto seen = apiStatus("game", o.ref_id);
  ASSERT_TRUE(seen.is_object());
  EXPECT_EQ(seen.at("status").as_string(), "success");
  EXPECT_EQ(seen.at("voucher").as_string(), "SN-1234-5678");

  expectRefused({"order", "set-status", o.ref_id, "error"}, o.ref_id);
  EXPECT_TRUE(amountsOf(ledgerEntries(db_, reseller_.user_id), "refund").empty());
  expectBooksBalanced(kInitial - kGamePrice);
  EXPECT_EQ(apiStatus("game", o.ref_id).at("status").as_string(), "success");
}

TEST_F(CliFulfilment, PartialIsRefusedForGameOrders) {
  auto o = order("game", "55502");
  setStatus(o.ref_id, {"processing"});
  expectRefused({"order", "set-status", o.ref_id, "partial", "--remain", "1"});
  expectRefused({"order", "set-status", o.ref_id, "success", "--start", "5"}, "social media");
  EXPECT_EQ(apiStatus("game", o.ref_id).at("status").as_string(), "processing");
  expectBooksBalanced(kInitial - kGamePrice);
}

TEST_F(CliFulfilment, ErrorRefundsTheWholeChargeExactlyOnce) {
  auto g = order("game", "55503");
  auto m = order("social-media", "https://instagram.com/p/error", "777");
  ASSERT_EQ(m.price, socialCharge(777));
  setStatus(g.ref_id, {"processing"});
  auto e1 = setStatus(g.ref_id, {"error", "--note", "wrong player id"});
  EXPECT_EQ(e1.at("refund").as_int64(), kGamePrice);
  // Straight from waiting is allowed too (the operator cancels before sending it on).
  auto e2 = setStatus(m.ref_id, {"error"});
  EXPECT_EQ(e2.at("refund").as_int64(), socialCharge(777));
  EXPECT_EQ(e2.at("remain").as_int64(), 777);

  expectRefused({"order", "set-status", g.ref_id, "error"}, g.ref_id);
  expectRefused({"order", "set-status", m.ref_id, "error"}, m.ref_id);
  expectRefused({"order", "set-status", g.ref_id, "success"}, g.ref_id);
  auto entries = ledgerEntries(db_, reseller_.user_id);
  EXPECT_EQ(amountsOf(entries, "refund", g.ref_id), std::vector<std::int64_t>{kGamePrice});
  EXPECT_EQ(amountsOf(entries, "refund", m.ref_id), std::vector<std::int64_t>{socialCharge(777)});
  EXPECT_EQ(amountsOf(entries, "refund").size(), 2u);
  expectBooksBalanced(kInitial);
  auto seen = apiStatus("game", g.ref_id);
  EXPECT_EQ(seen.at("status").as_string(), "error");
  EXPECT_EQ(seen.at("note").as_string(), "wrong player id");

  // The target is no longer pending: it can be ordered again.
  auto again = order("game", "55503");
  EXPECT_NE(again.ref_id, g.ref_id);
  expectBooksBalanced(kInitial - kGamePrice);
}

// Several operators (or scripts) finishing the same orders at once: one transition
// wins per order, and money moves only for the winner.
TEST_F(CliFulfilment, RacingSetStatusMovesMoneyOnce) {
  constexpr int kOrders = 6, kRacers = 4;
  std::vector<std::string> refs;
  for (int i = 0; i < kOrders; ++i) refs.push_back(order("game", std::to_string(880'000 + i)).ref_id);
  std::vector<std::vector<pid_t>> pids(kOrders);
  for (int i = 0; i < kOrders; ++i) {
    for (int k = 0; k < kRacers; ++k) {
      const std::string base = dir_.file("race-" + std::to_string(i) + "-" + std::to_string(k));
      std::vector<std::string> argv{WARUNG_BINARY, "order", "set-status", refs[static_cast<std::size_t>(i)]};
      if (k % 2 == 0) {
        argv.insert(argv.end(), {"error"});
      } else {
        argv.insert(argv.end(), {"success", "--voucher", "V" + std::to_string(k)});
      }
      argv.insert(argv.end(), {"--db", db_});
      pids[static_cast<std::size_t>(i)].push_back(spawn(argv, base + ".out", base + ".err"));
    }
  }
  std::int64_t expected = kInitial - kOrders * kGamePrice;
  std::vector<int> winners(kOrders, 0);
  for (int i = 0; i < kOrders; ++i) {
    for (const pid_t pid : pids[static_cast<std::size_t>(i)]) {
      int status = 0;
      waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFEXITED(status));
      if (WEXITSTATUS(status) == 0) ++winners[static_cast<std::size_t>(i)];
    }
  }
  const auto entries = ledgerEntries(db_, reseller_.user_id);
  for (int i = 0; i < kOrders; ++i) {
    const std::string& ref = refs[static_cast<std::size_t>(i)];
    SCOPED_TRACE(ref);
    EXPECT_EQ(winners[static_cast<std::size_t>(i)], 1) << "exactly one transition may win";
    auto seen = apiStatus("game", ref);
    ASSERT_TRUE(seen.is_object());
    const auto refunds = amountsOf(entries, "refund", ref);
    if (seen.at("status").as_string() == "error") {
      EXPECT_EQ(refunds, std::vector<std::int64_t>{kGamePrice});
      expected += kGamePrice;
    } else {
      EXPECT_EQ(seen.at("status").as_string(), "success");
      EXPECT_TRUE(refunds.empty());
    }
  }
  expectBooksBalanced(expected);
}

}  // namespace
}  // namespace warung::testing
