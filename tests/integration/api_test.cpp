// The public reseller API (/api/social-media, /api/game) against the real server:
// answer shapes and key order as the two documents show them, every error of
// API-NOTES with its status, idempotency, and the books after each order or refusal.
//
// One server per suite (each ctest case runs in its own process, so each gets its
// own temporary database and port); tests stay independent by using their own
// reseller accounts, and catalog changes touch services reserved for one test.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;
using Params = std::vector<std::pair<std::string, std::string>>;
using Reply = HttpClient::Reply;

constexpr const char* kSocial = "/api/social-media";
constexpr const char* kGame = "/api/game";
constexpr const char* kOrderPlaced =
    "Thank you for purchasing the product, please wait for the transaction to be processed.";

// The demo catalog of src/app/demo.cpp (so the entries the documents show come back
// exactly as shown), plus services reserved for tests that change the catalog.
constexpr const char* kCatalog = R"JSON([
  {"kind": "social-media", "code": "5", "name": "LIKES INDO PAKAI INI", "note": "LINK POSTINGAN</p>",
   "category": {"main": "Instagram Like Indonesia", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 0, "maxlength": 999999999, "placeholder": "Masukan Link Postingan"}},
     "field2": {"type": "input", "input": {"type": "text", "label": "Jumlah", "minlength": 0, "maxlength": 999999999, "placeholder": "0"}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "1000"},
   "price": {"list": {"standar": 33500, "premium": 33500, "spesial": 33500}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready", "updated_at": 1725168682},
  {"kind": "social-media", "code": "6", "name": "TIKTOK SAVE", "note": "\nMASUKAN LINK</p>",
   "category": {"main": "TIKTOK SAVE", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "LINK", "minlength": 0, "maxlength": 999999999, "placeholder": "MASUKAN LINK"}},
     "field2": {"type": "input", "input": {"type": "text", "label": "TOTAL", "minlength": 0, "maxlength": 999999999, "placeholder": "NAH TOTAL"}},
     "field3": {"type": "none"}},
   "order": {"min": "50", "max": "20000"},
   "price": {"list": {"standar": 6000, "premium": 6000, "spesial": 6000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready", "updated_at": 1691558984},
  {"kind": "social-media", "code": "11", "name": "Instagram Followers Indonesia Real Aktif", "note": "Akun tidak boleh private.",
   "category": {"main": "Instagram Followers Indonesia", "type": "default"},
   "fields": {"info": "Username tanpa @",
     "field1": {"type": "input", "input": {"type": "text", "label": "Username", "minlength": 1, "maxlength": 30, "placeholder": "username"}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": "100"}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "10000"},
   "price": {"list": {"standar": 45000, "premium": 43000, "spesial": 41000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "21", "name": "YouTube Views Worldwide", "note": "Video harus publik.",
   "category": {"main": "YouTube Views", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link Video", "minlength": 10, "maxlength": 500, "placeholder": "https://youtu.be/..."}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 7, "placeholder": "1000"}},
     "field3": {"type": "none"}},
   "order": {"min": "1000", "max": "1000000"},
   "price": {"list": {"standar": 18000, "premium": 17500, "spesial": 17000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "31", "name": "TikTok Followers Global", "note": "Pilih kecepatan pengiriman.",
   "category": {"main": "TikTok Followers", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link Profil", "minlength": 1, "maxlength": 500, "placeholder": "https://tiktok.com/@..."}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": "100"}},
     "field3": {"type": "select", "select": {"label": "Kecepatan", "options": "Normal,Cepat", "placeholder": "Pilih kecepatan"}}},
   "order": {"min": "100", "max": "50000"},
   "price": {"list": {"standar": 52000, "premium": 50000, "spesial": 48500}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "41", "name": "Twitter Retweet (maintenance)", "note": "Sedang gangguan.",
   "category": {"main": "Twitter Retweet", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link Tweet", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "50", "max": "5000"},
   "price": {"list": {"standar": 30000, "premium": 29000, "spesial": 28000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready", "enabled": false},
  {"kind": "social-media", "code": "91", "name": "Test Disable Later", "note": "",
   "category": {"main": "Test Disable", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "10", "max": "100"},
   "price": {"list": {"standar": 1000, "premium": 1000, "spesial": 1000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "OW6", "name": "Axis OWSEM 24 GB + Unlimited Games / 30 Hari", "note": "OWSEM 24GB + Kuota Games 30hr",
   "category": {"main": "Kuota Axis", "slug": "kuota-axis"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Masukkan Nomor HP", "minlength": 0, "maxlength": 1000, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 42475, "premium": 42275, "spesial": 42125}},
   "cutoff": {"start": "23:30", "end": "00:15"}, "status": "empty", "updated_at": 1770948021},
  {"kind": "game", "code": "SMT70", "name": "Smartfren Pulsa Transfer 70.000", "note": "Pulsa Transfer",
   "category": {"main": "Smartfren Transfer", "slug": "smartfren-transfer"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Masukkan Nomor HP", "minlength": 0, "maxlength": 1000, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 67275, "premium": 67075, "spesial": 66925}},
   "cutoff": {"start": "23:44", "end": "00:15"}, "status": "empty", "updated_at": 1742176810},
  {"kind": "game", "code": "ML86", "name": "Mobile Legends 86 Diamonds", "note": "Masukkan User ID dan Zone ID.",
   "category": {"main": "Mobile Legends", "slug": "mobile-legends"},
   "fields": {"title": "Masukkan Data", "info": "Contoh: 12345678 (1234)",
     "field1": {"type": "input", "input": {"type": "number", "label": "User ID", "minlength": 4, "maxlength": 12, "placeholder": "12345678"}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Zone ID", "minlength": 1, "maxlength": 6, "placeholder": "1234"}},
     "field3": {"type": "none"}},
   "price": {"list": {"standar": 19500, "premium": 19300, "spesial": 19100}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "FF140", "name": "Free Fire 140 Diamonds", "note": "Masukkan Player ID.",
   "category": {"main": "Free Fire", "slug": "free-fire"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 6, "maxlength": 12, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 18000, "premium": 17800, "spesial": 17600}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "GI60", "name": "Genshin Impact 60 Genesis Crystals", "note": "Pilih server akun.",
   "category": {"main": "Genshin Impact", "slug": "genshin-impact"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "UID", "minlength": 9, "maxlength": 10, "placeholder": "800000000"}},
     "field2": {"type": "select", "select": {"label": "Server", "options": ["Asia", "America", "Europe", "TW, HK, MO"], "placeholder": "Pilih server"}},
     "field3": {"type": "none"}},
   "price": {"list": {"standar": 15000, "premium": 14800, "spesial": 14600}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "TSEL10", "name": "Telkomsel Pulsa 10.000", "note": "Pulsa reguler.",
   "category": {"main": "Pulsa Telkomsel", "slug": "pulsa-telkomsel"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Nomor HP", "minlength": 10, "maxlength": 14, "placeholder": "08xxxxxxxxxx"}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10850, "premium": 10750, "spesial": 10700}},
   "cutoff": {"start": "23:45", "end": "00:30"}, "status": "ready"},
  {"kind": "game", "code": "IDEM1", "name": "Test Idempotency Pulsa", "note": "",
   "category": {"main": "Test Idempotency", "slug": "test-idempotency"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Nomor HP", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 5000, "premium": 4900, "spesial": 4800}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "CUT1", "name": "Test Cutoff Pulsa", "note": "",
   "category": {"main": "Test Cutoff", "slug": "test-cutoff"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Nomor HP", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 1000, "premium": 1000, "spesial": 1000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "STOCK1", "name": "Test Empty Pulsa", "note": "",
   "category": {"main": "Test Stock", "slug": "test-stock"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Nomor HP", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 1000, "premium": 1000, "spesial": 1000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "empty"}
])JSON";

// The first two entries of the social media document's "Get Service" example and the
// two of the game document's, as JSON text in the documents' key order.
// price.current is set per caller by the test.
constexpr const char* kDocSocial5 =
    R"({"category":{"main":"Instagram Like Indonesia","type":"default"},"fields":{"info":"","field1":{"type":"input","input":{"type":"text","label":"Link","minlength":0,"maxlength":999999999,"placeholder":"Masukan Link Postingan"},"select":{"label":"","options":"","placeholder":""}},"field2":{"type":"input","input":{"type":"text","label":"Jumlah","minlength":0,"maxlength":999999999,"placeholder":"0"},"select":{"label":"","options":"","placeholder":""}},"field3":{"type":"none","input":{"type":"text","label":"","minlength":0,"maxlength":0,"placeholder":""},"select":{"label":"","options":"","placeholder":""}}},"order":{"min":"100","max":"1000"},"name":"LIKES INDO PAKAI INI","note":"LINK POSTINGAN<\/p>","code":"5","price":{"list":{"standar":33500,"premium":33500,"spesial":33500},"current":12500},"cutoff":{"start":"00:00","end":"00:00"},"status":"ready","updated_at":1725168682})";
constexpr const char* kDocSocial6 =
    R"({"category":{"main":"TIKTOK SAVE","type":"default"},"fields":{"info":"","field1":{"type":"input","input":{"type":"text","label":"LINK","minlength":0,"maxlength":999999999,"placeholder":"MASUKAN LINK"},"select":{"label":"","options":"","placeholder":""}},"field2":{"type":"input","input":{"type":"text","label":"TOTAL","minlength":0,"maxlength":999999999,"placeholder":"NAH TOTAL"},"select":{"label":"","options":"","placeholder":""}},"field3":{"type":"none","input":{"type":"text","label":"","minlength":0,"maxlength":0,"placeholder":""},"select":{"label":"","options":"","placeholder":""}}},"order":{"min":"50","max":"20000"},"name":"TIKTOK SAVE","note":"\nMASUKAN LINK<\/p>","code":"6","price":{"list":{"standar":6000,"premium":6000,"spesial":6000},"current":620},"cutoff":{"start":"00:00","end":"00:00"},"status":"ready","updated_at":1691558984})";
constexpr const char* kDocGameOW6 =
    R"({"category":{"main":"Kuota Axis","slug":"kuota-axis"},"fields":{"title":"Masukkan Data","info":"","field1":{"type":"input","input":{"type":"tel","label":"Masukkan Nomor HP","minlength":0,"maxlength":1000,"placeholder":""},"select":{"label":"","options":[],"placeholder":""}},"field2":{"type":"none","input":{"type":"text","label":"","minlength":0,"maxlength":0,"placeholder":""},"select":{"label":"","options":[],"placeholder":""}},"field3":{"type":"none","input":{"type":"text","label":"","minlength":0,"maxlength":0,"placeholder":""},"select":{"label":"","options":[],"placeholder":""}}},"name":"Axis OWSEM 24 GB + Unlimited Games \/ 30 Hari","note":"OWSEM 24GB + Kuota Games 30hr","code":"OW6","price":{"list":{"standar":42475,"premium":42275,"spesial":42125},"current":41975},"cutoff":{"start":"23:30","end":"00:15"},"status":"empty","updated_at":1770948021})";
constexpr const char* kDocGameSMT70 =
    R"({"category":{"main":"Smartfren Transfer","slug":"smartfren-transfer"},"fields":{"title":"Masukkan Data","info":"","field1":{"type":"input","input":{"type":"tel","label":"Masukkan Nomor HP","minlength":0,"maxlength":1000,"placeholder":""},"select":{"label":"","options":[],"placeholder":""}},"field2":{"type":"none","input":{"type":"text","label":"","minlength":0,"maxlength":0,"placeholder":""},"select":{"label":"","options":[],"placeholder":""}},"field3":{"type":"none","input":{"type":"text","label":"","minlength":0,"maxlength":0,"placeholder":""},"select":{"label":"","options":[],"placeholder":""}}},"name":"Smartfren Pulsa Transfer 70.000","note":"Pulsa Transfer","code":"SMT70","price":{"list":{"standar":67275,"premium":67075,"spesial":66925},"current":66775},"cutoff":{"start":"23:44","end":"00:15"},"status":"empty","updated_at":1742176810})";

Params with(Params base, const Params& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

std::vector<std::string> keysOf(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

using Keys = std::vector<std::string>;

// The document's entry with price.current replaced, re-serialized in its own key order.
std::string docEntry(const char* text, std::int64_t current) {
  json::value v = json::parse(text);
  v.at("price").as_object()["current"] = current;
  return json::serialize(v);
}

const json::object* findByCode(const json::array& list, std::string_view code) {
  for (const auto& e : list) {
    if (e.is_object() && e.as_object().contains("code") && e.at("code").is_string() &&
        e.at("code").as_string() == code) {
      return &e.as_object();
    }
  }
  return nullptr;
}

// A success answer: HTTP 200, JSON, envelope keys in order, code 200, status true.
void expectSuccess(const Reply& r, std::string_view message) {
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << r.content_type;
  const json::value v = r.json();
  ASSERT_TRUE(v.is_object()) << r.body;
  const auto& o = v.as_object();
  EXPECT_EQ(keysOf(o), (Keys{"code", "data", "status", "message"})) << r.body;
  ASSERT_TRUE(o.contains("code") && o.contains("status") && o.contains("message")) << r.body;
  EXPECT_TRUE(o.at("code").is_int64() && o.at("code").as_int64() == 200) << r.body;
  EXPECT_EQ(o.at("status"), json::value(true)) << r.body;
  EXPECT_EQ(o.at("message"), json::value(message)) << r.body;
}

// An error answer: HTTP `code` (or 200 when `http_status` says so), JSON envelope
// {"code":code,"data":null,"status":false,"message":...}, message containing every part.
void expectError(const Reply& r, unsigned code, const std::vector<std::string>& message_parts,
                 unsigned http_status = 0) {
  EXPECT_EQ(r.status, http_status ? http_status : code) << r.body;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << r.content_type << " " << r.body;
  const json::value v = r.json();
  ASSERT_TRUE(v.is_object()) << "not JSON: " << r.body;
  const auto& o = v.as_object();
  EXPECT_EQ(keysOf(o), (Keys{"code", "data", "status", "message"})) << r.body;
  ASSERT_TRUE(o.contains("code") && o.contains("data") && o.contains("status") && o.contains("message"))
      << r.body;
  EXPECT_TRUE(o.at("code").is_int64() && o.at("code").as_int64() == code) << r.body;
  EXPECT_TRUE(o.at("data").is_null()) << r.body;
  EXPECT_EQ(o.at("status"), json::value(false)) << r.body;
  ASSERT_TRUE(o.at("message").is_string()) << r.body;
  const std::string message(o.at("message").as_string());
  EXPECT_FALSE(message.empty());
  for (const auto& part : message_parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "message '" << message << "' lacks '" << part << "'";
  }
}

std::string message(const Reply& r) {
  const json::value v = r.json();
  if (!v.is_object() || !v.as_object().contains("message") || !v.at("message").is_string()) return {};
  return std::string(v.at("message").as_string());
}

const json::array& dataArray(const json::value& v) { return v.at("data").as_array(); }

// The first entry of a status answer's data array (null when there is none).
json::value firstEntry(const Reply& r) {
  const json::value v = r.json();
  if (!v.is_object() || !v.as_object().contains("data") || !v.at("data").is_array() ||
      v.at("data").as_array().empty()) {
    ADD_FAILURE() << "no entry in " << r.body;
    return json::object{};
  }
  return v.at("data").as_array()[0];
}

std::string hhmm(int minute) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// Asia/Jakarta is UTC+7 all year (no daylight saving).
int jakartaMinuteOfDay() {
  const std::int64_t now = std::time(nullptr);
  return static_cast<int>(((now + 7 * 3600) % 86400) / 60);
}

void expectCli(const std::vector<std::string>& args) {
  auto r = runCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// ---------------------------------------------------------------------------

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = testDatabase(*dir_, "warung.db");
    importCatalog(db_, kCatalog, *dir_);
    server_ = new ServerProcess(db_);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->alive()) << server_->log();
    http_ = std::make_unique<HttpClient>(server_->port());
  }
  void TearDown() override {
    http_.reset();
    EXPECT_TRUE(server_->alive()) << "the server died:\n" << server_->log();
  }

  static Reseller reseller(const std::string& level = "standar", std::int64_t credit = 1'000'000) {
    static int n = 0;
    return createReseller(db_, "Reseller " + std::to_string(++n), level, credit);
  }

  Reply call(const char* path, const Reseller& who, const std::string& type, const Params& extra = {},
             const Params& headers = {}) {
    return http_->postForm(path, with(who.auth(type), extra), headers);
  }
  Reply order(const char* path, const Reseller& who, const Params& extra, const Params& headers = {}) {
    return call(path, who, "order", extra, headers);
  }

  // The service list of `path` as seen by `who` (asserts the call succeeded).
  json::array services(const char* path, const Reseller& who) {
    Reply r = call(path, who, "service");
    if (r.status != 200) return {};
    json::value v = r.json();
    if (!v.is_object() || !v.at("data").is_array()) return {};
    return v.at("data").as_array();
  }

  // Polls the service list until `pred` holds for the entry `code` (nullptr when the
  // service is not listed): how a test waits for the server to see a CLI change.
  bool waitForService(const char* path, const Reseller& who, std::string_view code,
                      const std::function<bool(const json::object*)>& pred) {
    return eventually(
        [&] {
          json::array list = services(path, who);
          return pred(findByCode(list, code));
        },
        5s);
  }

  std::string refOf(const Reply& r) {
    json::value v = r.json();
    if (!v.is_object() || !v.at("data").is_object()) return {};
    return std::string(v.at("data").at("ref_id").as_string());
  }

  static Books booksOf(const Reseller& who) { return books(db_, who.user_id); }

  static void expectBooks(const Reseller& who, std::int64_t balance) {
    const Books b = booksOf(who);
    EXPECT_EQ(b.balance, balance);
    EXPECT_EQ(b.ledger_sum, balance) << "ledger does not sum to the balance";
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string db_;
  static inline ServerProcess* server_ = nullptr;
  std::unique_ptr<HttpClient> http_;
};

// --- type=service -------------------------------------------------------------

TEST_F(ApiTest, SocialServiceListMatchesTheDocumentEntryForEntry) {
  const Reseller a = reseller("standar");
  Reply r = call(kSocial, a, "service");
  expectSuccess(r, "Success.");
  const json::value v = r.json();
  ASSERT_TRUE(v.at("data").is_array()) << r.body;
  const auto& list = dataArray(v);

  const json::object* e5 = findByCode(list, "5");
  const json::object* e6 = findByCode(list, "6");
  ASSERT_NE(e5, nullptr) << r.body;
  ASSERT_NE(e6, nullptr) << r.body;
  // Serialized in the server's key order: equal to the document's text means same keys,
  // same order, same types (order.min as a string, select.options as a string, ...).
  EXPECT_EQ(json::serialize(*e5), docEntry(kDocSocial5, 33500));
  EXPECT_EQ(json::serialize(*e6), docEntry(kDocSocial6, 6000));

  const Keys kEntry{"category", "fields", "order",  "name",   "note",
                    "code",     "price",  "cutoff", "status", "updated_at"};
  for (const auto& e : list) {
    const auto& o = e.as_object();
    SCOPED_TRACE(json::serialize(o.at("code")));
    EXPECT_EQ(keysOf(o), kEntry);
    EXPECT_EQ(keysOf(o.at("category").as_object()), (Keys{"main", "type"}));
    EXPECT_EQ(keysOf(o.at("fields").as_object()), (Keys{"info", "field1", "field2", "field3"}));
    EXPECT_TRUE(o.at("order").at("min").is_string());
    EXPECT_TRUE(o.at("order").at("max").is_string());
    EXPECT_TRUE(o.at("code").is_string());
    EXPECT_TRUE(o.at("updated_at").is_int64());
    for (const char* f : {"field1", "field2", "field3"}) {
      EXPECT_TRUE(o.at("fields").at(f).at("select").at("options").is_string());
    }
    EXPECT_EQ(keysOf(o.at("price").as_object()), (Keys{"list", "current"}));
    EXPECT_EQ(keysOf(o.at("price").at("list").as_object()), (Keys{"standar", "premium", "spesial"}));
    for (const char* l : {"standar", "premium", "spesial"})
      EXPECT_TRUE(o.at("price").at("list").at(l).is_int64());
    EXPECT_TRUE(o.at("price").at("current").is_int64());
  }
  // A select field: options as one comma-separated string.
  const json::object* e31 = findByCode(list, "31");
  ASSERT_NE(e31, nullptr);
  EXPECT_EQ(e31->at("fields").at("field3").at("type"), json::value("select"));
  EXPECT_EQ(e31->at("fields").at("field3").at("select").at("options"), json::value("Normal,Cepat"));
  EXPECT_EQ(e31->at("fields").at("field3").at("select").at("label"), json::value("Kecepatan"));
}

TEST_F(ApiTest, GameServiceListMatchesTheDocumentEntryForEntry) {
  const Reseller a = reseller("standar");
  Reply r = call(kGame, a, "service");
  expectSuccess(r, "Success.");
  const json::value v = r.json();
  ASSERT_TRUE(v.at("data").is_array()) << r.body;
  const auto& list = dataArray(v);

  const json::object* ow6 = findByCode(list, "OW6");
  const json::object* smt = findByCode(list, "SMT70");
  ASSERT_NE(ow6, nullptr) << r.body;
  ASSERT_NE(smt, nullptr) << r.body;
  EXPECT_EQ(json::serialize(*ow6), docEntry(kDocGameOW6, 42475));
  EXPECT_EQ(json::serialize(*smt), docEntry(kDocGameSMT70, 67275));

  const Keys kEntry{"category", "fields", "name", "note", "code", "price", "cutoff", "status", "updated_at"};
  for (const auto& e : list) {
    const auto& o = e.as_object();
    SCOPED_TRACE(json::serialize(o.at("code")));
    EXPECT_EQ(keysOf(o), kEntry);  // no "order" key on the game endpoint
    EXPECT_EQ(keysOf(o.at("category").as_object()), (Keys{"main", "slug"}));
    EXPECT_EQ(keysOf(o.at("fields").as_object()), (Keys{"title", "info", "field1", "field2", "field3"}));
    for (const char* f : {"field1", "field2", "field3"}) {
      EXPECT_TRUE(o.at("fields").at(f).at("select").at("options").is_array());
    }
  }
  // Only game services here, none of the social ones.
  EXPECT_EQ(findByCode(list, "5"), nullptr);
  const json::object* gi = findByCode(list, "GI60");
  ASSERT_NE(gi, nullptr);
  EXPECT_EQ(json::serialize(gi->at("fields").at("field2").at("select").at("options")),
            R"(["Asia","America","Europe","TW, HK, MO"])");
  EXPECT_EQ(gi->at("fields").at("field2").at("type"), json::value("select"));
}

// The cached list goes out gzipped to clients that accept it, byte-identical once
// decompressed, and plain to the others (PHP's curl without ENCODING sends no header).
TEST_F(ApiTest, ServiceListIsGzippedOnlyForClientsThatAcceptIt) {
  const Reseller a = reseller();
  for (const char* path : {kSocial, kGame}) {
    Reply plain = call(path, a, "service");
    ASSERT_EQ(plain.status, 200u) << plain.body;
    EXPECT_EQ(plain.raw[boost::beast::http::field::content_encoding], "");
    Reply gz = call(path, a, "service", {}, {{"Accept-Encoding", "gzip, deflate"}});
    ASSERT_EQ(gz.status, 200u);
    EXPECT_EQ(gz.raw[boost::beast::http::field::content_encoding], "gzip");
    EXPECT_EQ(gz.raw[boost::beast::http::field::vary], "Accept-Encoding");
    ASSERT_GE(gz.body.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f);
    EXPECT_LT(gz.body.size(), plain.body.size());
    z_stream zs{};
    ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
    std::string out(plain.body.size() + 1, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(gz.body.data());
    zs.avail_in = static_cast<uInt>(gz.body.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    EXPECT_EQ(out, plain.body);
  }
}

TEST_F(ApiTest, ServiceListIsStableSortedAndSkipsDisabledServices) {
  const Reseller a = reseller();
  for (const char* path : {kSocial, kGame}) {
    SCOPED_TRACE(path);
    Reply first = call(path, a, "service");
    Reply second = call(path, a, "services");  // the alias
    expectSuccess(first, "Success.");
    expectSuccess(second, "Success.");
    EXPECT_EQ(first.body, second.body);
    const auto list = dataArray(first.json());
    ASSERT_FALSE(list.empty());
    std::vector<std::tuple<std::string, std::string>> keys;
    for (const auto& e : list) {
      keys.emplace_back(std::string(e.at("category").at("main").as_string()),
                        std::string(e.at("name").as_string()));
    }
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end())) << first.body;
  }
  // Service 41 is disabled in the catalog.
  const auto social = services(kSocial, a);
  EXPECT_EQ(findByCode(social, "41"), nullptr);
  EXPECT_NE(findByCode(social, "5"), nullptr);
  std::set<std::string> codes;
  for (const auto& e : social) codes.insert(std::string(e.at("code").as_string()));
  EXPECT_EQ(codes, (std::set<std::string>{"5", "6", "11", "21", "31", "91"}));
  expectError(order(kSocial, a, {{"service", "41"}, {"data1", "https://x.com/1"}, {"data2", "100"}}), 404,
              {"41"});
}

TEST_F(ApiTest, DisablingAServiceAtRuntimeRemovesItFromTheListAndFromOrdering) {
  const Reseller a = reseller();
  ASSERT_TRUE(waitForService(kSocial, a, "91", [](const json::object* e) { return e != nullptr; }));
  expectCli({"service", "set", "social-media", "91", "--enabled", "false", "--db", db_});
  EXPECT_TRUE(waitForService(kSocial, a, "91", [](const json::object* e) { return e == nullptr; }))
      << "a disabled service is still listed";
  expectError(order(kSocial, a, {{"service", "91"}, {"data1", "https://x.com/a"}, {"data2", "10"}}), 404,
              {"service", "91"});
  expectBooks(a, 1'000'000);
}

TEST_F(ApiTest, PriceCurrentIsTheCallersLevelPriceOrOverride) {
  const Reseller standar = reseller("standar");
  const Reseller premium = reseller("premium");
  const Reseller spesial = reseller("spesial");
  auto current = [&](const char* path, const Reseller& who, std::string_view code) -> std::int64_t {
    const auto list = services(path, who);
    const json::object* e = findByCode(list, code);
    return e ? e->at("price").at("current").as_int64() : -1;
  };
  EXPECT_EQ(current(kSocial, standar, "11"), 45000);
  EXPECT_EQ(current(kSocial, premium, "11"), 43000);
  EXPECT_EQ(current(kSocial, spesial, "11"), 41000);
  EXPECT_EQ(current(kGame, standar, "ML86"), 19500);
  EXPECT_EQ(current(kGame, premium, "ML86"), 19300);
  EXPECT_EQ(current(kGame, spesial, "ML86"), 19100);

  // The list prices are the same for everybody.
  const auto list = services(kSocial, premium);
  const json::object* e11 = findByCode(list, "11");
  ASSERT_NE(e11, nullptr);
  EXPECT_EQ(json::serialize(e11->at("price").at("list")),
            R"({"standar":45000,"premium":43000,"spesial":41000})");

  // A per-account override: only for that account and that service.
  expectCli({"user", "price", premium.user_id, "social-media", "5", "12345", "--db", db_});
  expectCli({"user", "price", premium.user_id, "game", "ML86", "18000", "--db", db_});
  EXPECT_TRUE(eventually([&] { return current(kSocial, premium, "5") == 12345; }, 5s))
      << "override not seen: " << current(kSocial, premium, "5");
  EXPECT_EQ(current(kGame, premium, "ML86"), 18000);
  EXPECT_EQ(current(kSocial, premium, "11"), 43000);
  EXPECT_EQ(current(kSocial, standar, "5"), 33500);
  EXPECT_EQ(current(kSocial, spesial, "5"), 33500);
  EXPECT_EQ(current(kGame, standar, "ML86"), 19500);

  // And the order is charged at the override: ceil(12345 * 100 / 1000) = 1235.
  Reply r = order(kSocial, premium,
                  {{"service", "5"}, {"data1", "https://instagram.com/p/override"}, {"data2", "100"}});
  expectSuccess(r, kOrderPlaced);
  EXPECT_EQ(r.json().at("data").at("price"), json::value(1235)) << r.body;
  Reply g = order(kGame, premium, {{"service", "ML86"}, {"data1", "99887766"}, {"data2", "1"}});
  expectSuccess(g, kOrderPlaced);
  EXPECT_EQ(g.json().at("data").at("price"), json::value(18000)) << g.body;
  expectBooks(premium, 1'000'000 - 1235 - 18000);

  // A premium account without override pays the premium price.
  Reply p = order(kGame, spesial, {{"service", "ML86"}, {"data1", "99887766"}, {"data2", "1"}});
  expectSuccess(p, kOrderPlaced);
  EXPECT_EQ(p.json().at("data").at("price"), json::value(19100)) << p.body;

  // Clearing the override brings the level price back.
  expectCli({"user", "price", premium.user_id, "social-media", "5", "--clear", "--db", db_});
  EXPECT_TRUE(eventually([&] { return current(kSocial, premium, "5") == 33500; }, 5s));

  // A level change is seen too.
  expectCli({"user", "set-level", standar.user_id, "spesial", "--db", db_});
  EXPECT_TRUE(eventually([&] { return current(kGame, standar, "ML86") == 19100; }, 5s))
      << current(kGame, standar, "ML86");
  EXPECT_EQ(current(kSocial, standar, "11"), 41000);
  Reply l = order(kGame, standar, {{"service", "FF140"}, {"data1", "1234567"}});
  expectSuccess(l, kOrderPlaced);
  EXPECT_EQ(l.json().at("data").at("price"), json::value(17600)) << l.body;
}

// --- type=order ---------------------------------------------------------------

TEST_F(ApiTest, SocialOrderAnswerShapeAndBooks) {
  const Reseller a = reseller("standar", 100'000);
  // 33500 per 1,000 units x 101 = 3383.5: rounded up to 3384.
  Reply r = order(kSocial, a,
                  {{"service", "5"},
                   {"data1", "https://instagram.com/p/abc"},
                   {"data2", "101"},
                   {"data3", "ignored"},
                   {"unknown_param", "x"}});
  expectSuccess(r, kOrderPlaced);
  const json::value v = r.json();
  ASSERT_TRUE(v.at("data").is_object()) << r.body;
  const auto& d = v.at("data").as_object();
  EXPECT_EQ(keysOf(d), (Keys{"data", "note", "price", "ref_id", "detail", "status", "product"})) << r.body;
  EXPECT_EQ(json::serialize(d.at("data")), R"(["https://instagram.com/p/abc","101",""])");
  EXPECT_EQ(d.at("note"), json::value(""));
  EXPECT_TRUE(d.at("price").is_int64());
  EXPECT_EQ(d.at("price"), json::value(3384));
  ASSERT_TRUE(d.at("ref_id").is_string());
  const std::string ref(d.at("ref_id").as_string());
  EXPECT_GE(ref.size(), 8u) << "ref_id should not be guessable: " << ref;
  EXPECT_EQ(json::serialize(d.at("detail")), R"({"start":0,"amount":101,"remain":101})");
  EXPECT_EQ(d.at("status"), json::value("waiting"));
  EXPECT_EQ(json::serialize(d.at("product")),
            R"({"code":"5","type":"default","service":"LIKES INDO PAKAI INI"})");

  const Books b = booksOf(a);
  EXPECT_EQ(b.balance, 100'000 - 3384);
  EXPECT_EQ(b.ledger_sum, b.balance);
  EXPECT_EQ(b.entries, 2u);  // the credit and the charge

  // A second order gets a new ref_id.
  Reply r2 = order(kSocial, a, {{"service", "6"}, {"data1", "https://tiktok.com/v/1"}, {"data2", "50"}});
  expectSuccess(r2, kOrderPlaced);
  EXPECT_NE(refOf(r2), ref);
  EXPECT_EQ(r2.json().at("data").at("price"), json::value(300));  // 6000 * 50 / 1000
  expectBooks(a, 100'000 - 3384 - 300);
}

TEST_F(ApiTest, GameOrderAnswerShapeAndBooks) {
  const Reseller a = reseller("standar", 50'000);
  Reply r = order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}});
  expectSuccess(r, kOrderPlaced);
  const json::value v = r.json();
  ASSERT_TRUE(v.at("data").is_object()) << r.body;
  const auto& d = v.at("data").as_object();
  EXPECT_EQ(keysOf(d), (Keys{"data", "note", "price", "ref_id", "status", "product", "voucher"})) << r.body;
  EXPECT_EQ(json::serialize(d.at("data")), R"(["12345678","1234",""])");
  EXPECT_EQ(d.at("note"), json::value(""));
  EXPECT_EQ(d.at("price"), json::value(19500));
  EXPECT_TRUE(d.at("ref_id").is_string());
  EXPECT_EQ(d.at("status"), json::value("waiting"));
  EXPECT_EQ(json::serialize(d.at("product")),
            R"({"code":"ML86","slug":"mobile-legends","service":"Mobile Legends 86 Diamonds"})");
  EXPECT_EQ(d.at("voucher"), json::value(""));
  EXPECT_FALSE(d.contains("detail"));
  expectBooks(a, 50'000 - 19500);

  // A select field among its options.
  Reply g = order(kGame, a, {{"service", "GI60"}, {"data1", "800000001"}, {"data2", "TW, HK, MO"}});
  expectSuccess(g, kOrderPlaced);
  EXPECT_EQ(json::serialize(g.json().at("data").at("data")), R"(["800000001","TW, HK, MO",""])");
  expectBooks(a, 50'000 - 19500 - 15000);
}

TEST_F(ApiTest, MultipartBodyWorksForOrderAndStatus) {
  const Reseller a = reseller("standar", 100'000);
  Reply r = http_->postMultipart(
      kSocial, with(a.auth("order"),
                    {{"service", "5"}, {"data1", "https://instagram.com/p/multi part"}, {"data2", "200"}}));
  expectSuccess(r, kOrderPlaced);
  EXPECT_EQ(json::serialize(r.json().at("data").at("data")),
            R"(["https://instagram.com/p/multi part","200",""])");
  EXPECT_EQ(r.json().at("data").at("price"), json::value(6700));
  const std::string ref = refOf(r);
  Reply s = http_->postMultipart(kSocial, with(a.auth("status"), {{"ref_id", ref}}));
  expectSuccess(s, "Success.");
  ASSERT_EQ(dataArray(s.json()).size(), 1u) << s.body;
  EXPECT_EQ(firstEntry(s).at("ref_id"), json::value(ref));
  Reply l = http_->postMultipart(kGame, a.auth("service"));
  expectSuccess(l, "Success.");
  expectBooks(a, 100'000 - 6700);
}

TEST_F(ApiTest, JsonBodyWorksWithNumbersForDataAndLimit) {
  const Reseller a = reseller("standar", 100'000);
  json::object o{{"key", a.api_key},
                 {"sign", a.sign()},
                 {"type", "order"},
                 {"service", 5},
                 {"data1", "https://instagram.com/p/json"},
                 {"data2", 150},
                 {"data3", nullptr}};
  Reply r = http_->postJson(kSocial, o);
  expectSuccess(r, kOrderPlaced);
  EXPECT_EQ(json::serialize(r.json().at("data").at("data")), R"(["https://instagram.com/p/json","150",""])");
  EXPECT_EQ(r.json().at("data").at("price"), json::value(5025));  // 33500 * 150 / 1000
  EXPECT_EQ(json::serialize(r.json().at("data").at("detail")), R"({"start":0,"amount":150,"remain":150})");

  json::object g{{"key", a.api_key},  {"sign", a.sign()},  {"type", "order"},
                 {"service", "ML86"}, {"data1", 12345678}, {"data2", 1234}};
  Reply gr = http_->postJson(kGame, g);
  expectSuccess(gr, kOrderPlaced);
  EXPECT_EQ(json::serialize(gr.json().at("data").at("data")), R"(["12345678","1234",""])");

  json::object st{{"key", a.api_key}, {"sign", a.sign()}, {"type", "status"}, {"limit", 1}};
  Reply s = http_->postJson(kSocial, st);
  expectSuccess(s, "Success.");
  EXPECT_EQ(dataArray(s.json()).size(), 1u) << s.body;

  json::object bad{{"key", a.api_key}, {"sign", a.sign()}, {"type", "status"}, {"limit", 16}};
  expectError(http_->postJson(kSocial, bad), 400, {"limit"});

  json::object svc{{"key", a.api_key}, {"sign", a.sign()}, {"type", "service"}};
  expectSuccess(http_->postJson(kGame, svc), "Success.");
  // Content types with parameters, as PHP and browsers send them.
  expectSuccess(http_->post(kGame, "application/json; charset=utf-8", json::serialize(svc)), "Success.");
  expectSuccess(http_->post(kGame, "application/x-www-form-urlencoded; charset=UTF-8",
                            HttpClient::formEncode(a.auth("service"))),
                "Success.");
  // No content type at all: taken as a form.
  expectSuccess(http_->post(kGame, "", HttpClient::formEncode(a.auth("service"))), "Success.");
  expectBooks(a, 100'000 - 5025 - 19500);
}

// --- type=status --------------------------------------------------------------

TEST_F(ApiTest, StatusByRefIdHasTheOrderWithTimes) {
  const Reseller a = reseller("standar", 100'000);
  const std::int64_t before = std::time(nullptr);
  Reply placed =
      order(kSocial, a, {{"service", "5"}, {"data1", "https://instagram.com/p/st"}, {"data2", "100"}});
  expectSuccess(placed, kOrderPlaced);
  const std::string ref = refOf(placed);

  Reply s = call(kSocial, a, "status", {{"ref_id", ref}});
  expectSuccess(s, "Success.");
  const json::value v = s.json();
  ASSERT_TRUE(v.at("data").is_array()) << s.body;
  ASSERT_EQ(dataArray(v).size(), 1u) << s.body;
  const auto& e = dataArray(v)[0].as_object();
  EXPECT_EQ(keysOf(e), (Keys{"data", "note", "price", "ref_id", "detail", "status", "product", "created_at",
                             "updated_at"}));
  // Everything but the times is what the order answer said.
  json::object without_times = e;
  without_times.erase("created_at");
  without_times.erase("updated_at");
  EXPECT_EQ(json::serialize(without_times), json::serialize(placed.json().at("data")));
  ASSERT_TRUE(e.at("created_at").is_int64());
  ASSERT_TRUE(e.at("updated_at").is_int64());
  EXPECT_GE(e.at("created_at").as_int64(), before - 1);
  EXPECT_LE(e.at("created_at").as_int64(), static_cast<std::int64_t>(std::time(nullptr)) + 1);
  EXPECT_GE(e.at("updated_at").as_int64(), e.at("created_at").as_int64());

  // Game entries: product.slug, voucher, then the times.
  Reply g = order(kGame, a, {{"service", "FF140"}, {"data1", "1234567"}});
  expectSuccess(g, kOrderPlaced);
  Reply gs = call(kGame, a, "status", {{"ref_id", refOf(g)}});
  expectSuccess(gs, "Success.");
  ASSERT_EQ(dataArray(gs.json()).size(), 1u) << gs.body;
  EXPECT_EQ(keysOf(firstEntry(gs).as_object()), (Keys{"data", "note", "price", "ref_id", "status", "product",
                                                      "voucher", "created_at", "updated_at"}));
}

TEST_F(ApiTest, StatusLatestIsNewestFirstWithLimits) {
  const Reseller a = reseller("standar", 1'000'000);
  std::vector<std::string> refs;
  for (int i = 0; i < 17; ++i) {
    Reply r = order(kGame, a, {{"service", "FF140"}, {"data1", std::to_string(5550000 + i)}});
    ASSERT_EQ(r.status, 200u) << r.body;
    refs.push_back(refOf(r));
  }
  // A social order must not appear in the game list.
  expectSuccess(
      order(kSocial, a, {{"service", "6"}, {"data1", "https://tiktok.com/v/latest"}, {"data2", "50"}}),
      kOrderPlaced);
  auto refsOf = [](const Reply& r) {
    std::vector<std::string> out;
    const json::value v = r.json();
    if (!v.is_object() || !v.at("data").is_array()) return out;
    for (const auto& e : v.at("data").as_array()) out.emplace_back(e.at("ref_id").as_string());
    return out;
  };
  const std::vector<std::string> newest_first(refs.rbegin(), refs.rend());

  Reply all = call(kGame, a, "status");
  expectSuccess(all, "Success.");
  EXPECT_EQ(refsOf(all), std::vector<std::string>(newest_first.begin(), newest_first.begin() + 15));
  Reply empty_limit = call(kGame, a, "status", {{"limit", ""}});
  EXPECT_EQ(refsOf(empty_limit).size(), 15u);
  Reply one = call(kGame, a, "status", {{"limit", "1"}});
  expectSuccess(one, "Success.");
  EXPECT_EQ(refsOf(one), std::vector<std::string>{refs.back()});
  Reply five = call(kGame, a, "status", {{"limit", "5"}});
  EXPECT_EQ(refsOf(five), std::vector<std::string>(newest_first.begin(), newest_first.begin() + 5));
  Reply fifteen = call(kGame, a, "status", {{"limit", "15"}});
  EXPECT_EQ(refsOf(fifteen).size(), 15u);

  for (const char* bad : {"0", "16", "abc", "-1", "1.5", "5x"}) {
    SCOPED_TRACE(bad);
    expectError(call(kGame, a, "status", {{"limit", bad}}), 400, {"limit", "1", "15"});
  }

  Reply social = call(kSocial, a, "status");
  expectSuccess(social, "Success.");
  EXPECT_EQ(refsOf(social).size(), 1u) << social.body;

  // A new account has no orders: an empty list, not an error.
  const Reseller fresh = reseller("standar", 0);
  Reply none = call(kGame, fresh, "status");
  expectSuccess(none, "Success.");
  EXPECT_EQ(none.json().at("data"), json::value(json::array{}));
}

TEST_F(ApiTest, StatusIsScopedToTheAccountAndTheEndpoint) {
  const Reseller a = reseller("standar", 100'000);
  const Reseller b = reseller("standar", 100'000);
  Reply sa =
      order(kSocial, a, {{"service", "5"}, {"data1", "https://instagram.com/p/scope"}, {"data2", "100"}});
  ASSERT_EQ(sa.status, 200u) << sa.body;
  Reply ga = order(kGame, a, {{"service", "FF140"}, {"data1", "7654321"}});
  ASSERT_EQ(ga.status, 200u) << ga.body;
  const std::string social_ref = refOf(sa), game_ref = refOf(ga);

  expectError(call(kSocial, a, "status", {{"ref_id", "doesnotexist123"}}), 404, {"doesnotexist123"});
  // Another account's ref_id reads exactly like an unknown one.
  Reply other = call(kSocial, b, "status", {{"ref_id", social_ref}});
  expectError(other, 404, {social_ref});
  std::string unknown = message(call(kSocial, b, "status", {{"ref_id", "NOSUCHREF"}}));
  ASSERT_NE(unknown.find("NOSUCHREF"), std::string::npos) << unknown;
  unknown.replace(unknown.find("NOSUCHREF"), 9, social_ref);
  EXPECT_EQ(message(other), unknown);
  expectError(call(kGame, b, "status", {{"ref_id", game_ref}}), 404, {game_ref});
  // The wrong endpoint: 404 as well.
  expectError(call(kGame, a, "status", {{"ref_id", social_ref}}), 404, {social_ref});
  expectError(call(kSocial, a, "status", {{"ref_id", game_ref}}), 404, {game_ref});
  // b's latest list does not show a's orders.
  Reply bl = call(kSocial, b, "status");
  expectSuccess(bl, "Success.");
  EXPECT_EQ(bl.json().at("data"), json::value(json::array{}));
  // And the owner still sees it.
  expectSuccess(call(kSocial, a, "status", {{"ref_id", social_ref}}), "Success.");
}

TEST_F(ApiTest, StatusFollowsTheOperatorsStatusChanges) {
  const Reseller a = reseller("standar", 100'000);
  Reply s =
      order(kSocial, a, {{"service", "5"}, {"data1", "https://instagram.com/p/done"}, {"data2", "100"}});
  ASSERT_EQ(s.status, 200u) << s.body;
  const std::string ref = refOf(s);
  expectCli({"order", "set-status", ref, "processing", "--db", db_});
  Reply p = call(kSocial, a, "status", {{"ref_id", ref}});
  expectSuccess(p, "Success.");
  EXPECT_EQ(firstEntry(p).at("status"), json::value("processing"));

  expectCli({"order", "set-status", ref, "success", "--start", "50", "--note", "done ok", "--db", db_});
  Reply r = call(kSocial, a, "status", {{"ref_id", ref}});
  expectSuccess(r, "Success.");
  const json::value rv = r.json();
  const auto& e = dataArray(rv)[0];
  EXPECT_EQ(e.at("status"), json::value("success"));
  EXPECT_EQ(json::serialize(e.at("detail")), R"({"start":50,"amount":100,"remain":0})");
  EXPECT_EQ(e.at("note"), json::value("done ok"));
  EXPECT_EQ(e.at("price"), json::value(3350));
  expectBooks(a, 100'000 - 3350);

  Reply g = order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}});
  ASSERT_EQ(g.status, 200u) << g.body;
  const std::string gref = refOf(g);
  expectCli({"order", "set-status", gref, "success", "--voucher", "SN-0042-ABCD", "--db", db_});
  Reply gs = call(kGame, a, "status", {{"ref_id", gref}});
  expectSuccess(gs, "Success.");
  EXPECT_EQ(firstEntry(gs).at("status"), json::value("success"));
  EXPECT_EQ(firstEntry(gs).at("voucher"), json::value("SN-0042-ABCD"));
  // The latest list shows the same.
  Reply gl = call(kGame, a, "status", {{"limit", "1"}});
  EXPECT_EQ(firstEntry(gl).at("voucher"), json::value("SN-0042-ABCD"));
  expectBooks(a, 100'000 - 3350 - 19500);

  // An error refunds the whole charge; the reseller sees "error".
  Reply x = order(kGame, a, {{"service", "FF140"}, {"data1", "1112223"}});
  ASSERT_EQ(x.status, 200u) << x.body;
  expectCli({"order", "set-status", refOf(x), "error", "--db", db_});
  Reply xs = call(kGame, a, "status", {{"ref_id", refOf(x)}});
  EXPECT_EQ(firstEntry(xs).at("status"), json::value("error"));
  expectBooks(a, 100'000 - 3350 - 19500);
}

TEST_F(ApiTest, StatusLatestFollowsChangesMadeByAnotherProcess) {
  // The latest list is answered whole while the account's orders are unchanged, and
  // from encoded orders kept per (order, status): a change made by the CLI, another
  // process, must show in the very next answer, entry for entry the same as the
  // order's answer by ref_id.
  const Reseller a = reseller("standar", 100'000);
  std::vector<std::string> refs;
  for (int i = 0; i < 3; ++i) {
    Reply r = order(
        kSocial, a,
        {{"service", "5"}, {"data1", "https://instagram.com/p/keep" + std::to_string(i)}, {"data2", "100"}});
    ASSERT_EQ(r.status, 200u) << r.body;
    refs.push_back(refOf(r));
  }
  auto expectListMatchesRefs = [&](const std::vector<std::string>& statuses) {
    Reply list = call(kSocial, a, "status");
    expectSuccess(list, "Success.");
    const json::value lv = list.json();
    const auto& entries = dataArray(lv);
    ASSERT_EQ(entries.size(), refs.size()) << list.body;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      const std::string& ref = refs[refs.size() - 1 - i];  // newest first
      SCOPED_TRACE(ref);
      EXPECT_EQ(entries[i].at("status"), json::value(statuses[refs.size() - 1 - i]));
      // By ref_id too the answer is kept per (order, status): it must move with the list.
      Reply one = call(kSocial, a, "status", {{"ref_id", ref}});
      EXPECT_EQ(firstEntry(one).at("status"), json::value(statuses[refs.size() - 1 - i]));
      EXPECT_EQ(json::serialize(entries[i]), json::serialize(firstEntry(one)));
    }
    // Asked again, the answer is the same bytes.
    EXPECT_EQ(call(kSocial, a, "status").body, list.body);
  };
  expectListMatchesRefs({"waiting", "waiting", "waiting"});
  expectCli({"order", "set-status", refs[1], "processing", "--db", db_});
  expectListMatchesRefs({"waiting", "processing", "waiting"});
  expectCli({"order", "set-status", refs[1], "partial", "--start", "7", "--remain", "40", "--note", "part",
             "--db", db_});
  expectCli({"order", "set-status", refs[0], "success", "--start", "50", "--note", "done ok", "--db", db_});
  expectListMatchesRefs({"success", "partial", "waiting"});
  Reply list = call(kSocial, a, "status");
  const json::value lv = list.json();
  EXPECT_EQ(json::serialize(dataArray(lv)[1].at("detail")), R"({"start":7,"amount":100,"remain":40})");
  EXPECT_EQ(dataArray(lv)[1].at("note"), json::value("part"));
  // A refund (the CLI's "error") and a new order placed here move the list too.
  expectCli({"order", "set-status", refs[2], "error", "--db", db_});
  expectListMatchesRefs({"success", "partial", "error"});
  Reply r =
      order(kSocial, a, {{"service", "5"}, {"data1", "https://instagram.com/p/keep-new"}, {"data2", "100"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  refs.push_back(refOf(r));
  expectListMatchesRefs({"success", "partial", "error", "waiting"});
}

// --- errors -------------------------------------------------------------------

TEST_F(ApiTest, AuthenticationErrors) {
  const Reseller a = reseller("standar", 100'000);
  for (const char* path : {kSocial, kGame}) {
    SCOPED_TRACE(path);
    expectError(http_->postForm(path, {{"sign", a.sign()}, {"type", "service"}}), 400, {"key"});
    expectError(http_->postForm(path, {{"key", a.api_key}, {"type", "service"}}), 400, {"sign"});
    expectError(http_->postForm(path, {{"key", ""}, {"sign", a.sign()}, {"type", "service"}}), 400, {"key"});

    Reply wrong_key =
        http_->postForm(path, {{"key", a.api_key + "x"}, {"sign", a.sign()}, {"type", "service"}});
    Reply wrong_sign = http_->postForm(
        path,
        {{"key", a.api_key}, {"sign", crypto::md5Hex(a.user_id + "x" + a.api_key)}, {"type", "service"}});
    Reply unknown_key = http_->postForm(
        path, {{"key", "nosuchkey"}, {"sign", a.sign()}, {"type", "order"}, {"service", "5"}});
    expectError(wrong_key, 401, {});
    expectError(wrong_sign, 401, {});
    expectError(unknown_key, 401, {});
    // The answer must not tell which one was wrong.
    EXPECT_EQ(wrong_key.body, wrong_sign.body);
    EXPECT_EQ(wrong_key.body, unknown_key.body);

    // Upper-case hex sign is accepted.
    std::string upper = a.sign();
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    expectSuccess(http_->postForm(path, {{"key", a.api_key}, {"sign", upper}, {"type", "service"}}),
                  "Success.");
  }
  // A refused order charged nothing.
  expectError(http_->postForm(kSocial, {{"key", a.api_key},
                                        {"sign", "0123"},
                                        {"type", "order"},
                                        {"service", "5"},
                                        {"data1", "https://x.com/p"},
                                        {"data2", "100"}}),
              401, {});
  expectBooks(a, 100'000);
}

TEST_F(ApiTest, SuspendedAccountGets403UntilReactivated) {
  const Reseller a = reseller("standar", 100'000);
  expectSuccess(call(kGame, a, "service"), "Success.");
  expectCli({"user", "suspend", a.user_id, "--db", db_});
  EXPECT_TRUE(eventually([&] { return call(kGame, a, "service").status == 403; }, 5s))
      << "suspension not seen: " << call(kGame, a, "service").body;
  expectError(call(kGame, a, "service"), 403, {"suspended"});
  expectError(call(kSocial, a, "status"), 403, {"suspended"});
  expectError(order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}), 403,
              {"suspended"});
  // A wrong sign is still 401: suspension is not revealed to someone without the secret.
  expectError(http_->postForm(kGame, {{"key", a.api_key}, {"sign", "00"}, {"type", "service"}}), 401, {});
  expectBooks(a, 100'000);

  expectCli({"user", "activate", a.user_id, "--db", db_});
  EXPECT_TRUE(eventually([&] { return call(kGame, a, "service").status == 200; }, 5s));
  expectSuccess(order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}),
                kOrderPlaced);
  expectBooks(a, 100'000 - 19500);
}

TEST_F(ApiTest, BadOrMissingType) {
  const Reseller a = reseller();
  for (const char* path : {kSocial, kGame}) {
    SCOPED_TRACE(path);
    expectError(call(path, a, "refund"), 400, {"type", "order", "status", "service"});
    expectError(call(path, a, ""), 400, {"type", "order", "status", "service"});
    expectError(http_->postForm(path, {{"key", a.api_key}, {"sign", a.sign()}}), 400,
                {"type", "order", "status", "service"});
    expectError(call(path, a, "ORDER"), 400, {"type"});
  }
}

TEST_F(ApiTest, WrongMethodIs405JsonWithAllow) {
  for (const char* path : {kSocial, kGame}) {
    SCOPED_TRACE(path);
    for (auto verb :
         {boost::beast::http::verb::get, boost::beast::http::verb::put, boost::beast::http::verb::delete_}) {
      Reply r = http_->request(verb, path, "", "");
      expectError(r, 405, {"POST"});
      EXPECT_EQ(r.raw["Allow"], "POST");
    }
    Reply q = http_->request(boost::beast::http::verb::get, std::string(path) + "?key=a&sign=b&type=service",
                             "", "");
    expectError(q, 405, {"POST"});
  }
}

TEST_F(ApiTest, UnknownPathIs404Json) {
  const Reseller a = reseller();
  expectError(http_->postForm("/api/nope", a.auth("service")), 404, {"/api/nope"});
  expectError(http_->request(boost::beast::http::verb::get, "/", "", ""), 404, {});
  expectError(http_->postForm("/api/games", a.auth("service")), 404, {"/api/games"});
  // The connection stays usable.
  expectSuccess(call(kGame, a, "service"), "Success.");
}

TEST_F(ApiTest, UnknownOrMissingServiceRefused) {
  const Reseller a = reseller("standar", 100'000);
  expectError(order(kSocial, a, {{"service", "999"}, {"data1", "https://x.com/p"}, {"data2", "100"}}), 404,
              {"service", "999"});
  expectError(order(kGame, a, {{"service", "NOPE"}, {"data1", "12345678"}}), 404, {"NOPE"});
  // Each endpoint only knows its own kind.
  expectError(order(kGame, a, {{"service", "5"}, {"data1", "https://x.com/p"}, {"data2", "100"}}), 404,
              {"5"});
  expectError(order(kSocial, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}), 404,
              {"ML86"});
  expectError(order(kGame, a, {{"data1", "12345678"}}), 400, {"service"});
  expectError(order(kGame, a, {{"service", ""}, {"data1", "12345678"}}), 400, {"service"});
  expectBooks(a, 100'000);
}

TEST_F(ApiTest, EmptyServiceIs503AndChargesNothing) {
  const Reseller a = reseller("standar", 100'000);
  expectError(order(kGame, a, {{"service", "STOCK1"}, {"data1", "08123456789"}}), 503,
              {"STOCK1", "out of stock"});
  // OW6 is empty in the demo catalog (its message may give the cut-off instead, when
  // the test runs inside 23:30-00:15 Jakarta time).
  expectError(order(kGame, a, {{"service", "OW6"}, {"data1", "08123456789"}}), 503, {"OW6"});
  expectError(order(kGame, a, {{"service", "SMT70"}, {"data1", "08123456789"}}), 503, {"SMT70"});
  expectBooks(a, 100'000);
  EXPECT_EQ(booksOf(a).entries, 1u);
}

TEST_F(ApiTest, InsideCutoffIs503NamingTheWindow) {
  const Reseller a = reseller("standar", 100'000);
  expectSuccess(order(kGame, a, {{"service", "CUT1"}, {"data1", "0811111"}}), kOrderPlaced);
  const int now = jakartaMinuteOfDay();
  const std::string start = hhmm((now + 1440 - 60) % 1440), end = hhmm((now + 60) % 1440);
  expectCli({"service", "set", "game", "CUT1", "--cutoff", start + "-" + end, "--db", db_});
  ASSERT_TRUE(waitForService(kGame, a, "CUT1", [&](const json::object* e) {
    return e && e->at("cutoff").at("start") == json::value(start) &&
           e->at("cutoff").at("end") == json::value(end);
  })) << "cut-off change not seen";
  expectError(order(kGame, a, {{"service", "CUT1"}, {"data1", "0822222"}}), 503, {"CUT1", start, end});
  expectBooks(a, 100'000 - 1000);

  // Equal start and end mean no cut-off.
  expectCli({"service", "set", "game", "CUT1", "--cutoff", "00:00-00:00", "--db", db_});
  ASSERT_TRUE(waitForService(kGame, a, "CUT1", [&](const json::object* e) {
    return e && e->at("cutoff").at("start") == json::value("00:00");
  }));
  expectSuccess(order(kGame, a, {{"service", "CUT1"}, {"data1", "0822222"}}), kOrderPlaced);
  expectBooks(a, 100'000 - 2000);
}

TEST_F(ApiTest, InsufficientBalanceIs402AndChargesNothing) {
  const Reseller a = reseller("standar", 19'499);
  expectError(order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}), 402,
              {"balance"});
  const Books b = booksOf(a);
  EXPECT_EQ(b.balance, 19'499);
  EXPECT_EQ(b.ledger_sum, 19'499);
  EXPECT_EQ(b.entries, 1u);
  Reply st = call(kGame, a, "status");
  EXPECT_EQ(st.json().at("data"), json::value(json::array{})) << "a refused order was stored: " << st.body;
  // Exactly enough is enough.
  const Reseller c = reseller("standar", 19'500);
  expectSuccess(order(kGame, c, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}),
                kOrderPlaced);
  expectBooks(c, 0);
  expectError(order(kGame, c, {{"service", "FF140"}, {"data1", "1234567"}}), 402, {"balance"});
  expectBooks(c, 0);
  // A zero-balance account with no credit at all.
  const Reseller z = reseller("standar", 0);
  expectError(order(kSocial, z, {{"service", "6"}, {"data1", "https://tiktok.com/v/z"}, {"data2", "50"}}),
              402, {});
  expectBooks(z, 0);
}

TEST_F(ApiTest, DuplicatePendingTargetIs409UntilTheFirstIsDone) {
  const Reseller a = reseller("standar", 100'000);
  const Params same{{"service", "5"}, {"data1", "https://instagram.com/p/dup"}, {"data2", "100"}};
  Reply first = order(kSocial, a, same);
  expectSuccess(first, kOrderPlaced);
  expectBooks(a, 100'000 - 3350);
  // Same target, even with another quantity.
  expectError(order(kSocial, a, same), 409, {"pending"});
  expectError(
      order(kSocial, a, {{"service", "5"}, {"data1", "https://instagram.com/p/dup"}, {"data2", "200"}}), 409,
      {});
  expectBooks(a, 100'000 - 3350);
  // Another target, another service, or another account: fine.
  expectSuccess(
      order(kSocial, a, {{"service", "5"}, {"data1", "https://instagram.com/p/dup2"}, {"data2", "100"}}),
      kOrderPlaced);
  expectSuccess(
      order(kSocial, a, {{"service", "6"}, {"data1", "https://instagram.com/p/dup"}, {"data2", "50"}}),
      kOrderPlaced);
  const Reseller b = reseller("standar", 100'000);
  expectSuccess(order(kSocial, b, same), kOrderPlaced);
  expectBooks(a, 100'000 - 3350 - 3350 - 300);

  // Game: the target is the input fields together.
  Reply g = order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}});
  expectSuccess(g, kOrderPlaced);
  expectError(order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}), 409, {});
  expectSuccess(order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "4321"}}),
                kOrderPlaced);

  // Still pending while processing; accepted again once the first one is final.
  expectCli({"order", "set-status", refOf(first), "processing", "--db", db_});
  expectError(order(kSocial, a, same), 409, {});
  expectCli({"order", "set-status", refOf(first), "success", "--start", "10", "--db", db_});
  Reply again = order(kSocial, a, same);
  expectSuccess(again, kOrderPlaced);
  EXPECT_NE(refOf(again), refOf(first));
  expectBooks(a, 100'000 - 3350 - 3350 - 300 - 19500 - 19500 - 3350);
}

TEST_F(ApiTest, FieldValidationIs422NamingTheLabel) {
  const Reseller a = reseller("standar", 1'000'000);
  struct Case {
    const char* path;
    Params params;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases{
      {kSocial, {{"service", "5"}, {"data2", "100"}}, {"Link", "required"}},
      {kSocial, {{"service", "5"}, {"data1", "https://x.com/p"}}, {"Jumlah"}},
      {kSocial, {{"service", "5"}, {"data1", "https://x.com/p"}, {"data2", "99"}}, {"Jumlah", "100", "1000"}},
      {kSocial,
       {{"service", "5"}, {"data1", "https://x.com/p"}, {"data2", "1001"}},
       {"Jumlah", "100", "1000"}},
      {kSocial, {{"service", "5"}, {"data1", "https://x.com/p"}, {"data2", "abc"}}, {"Jumlah"}},
      {kSocial, {{"service", "5"}, {"data1", "https://x.com/p"}, {"data2", "-100"}}, {"Jumlah"}},
      {kSocial, {{"service", "5"}, {"data1", "https://x.com/p"}, {"data2", "150.5"}}, {"Jumlah"}},
      {kSocial,
       {{"service", "6"}, {"data1", "https://x.com/p"}, {"data2", "20001"}},
       {"TOTAL", "50", "20000"}},
      {kSocial,
       {{"service", "11"}, {"data1", "this_username_is_much_too_long_x"}, {"data2", "100"}},
       {"Username", "30"}},
      {kSocial, {{"service", "21"}, {"data1", "short"}, {"data2", "1000"}}, {"Link Video", "10"}},
      {kSocial, {{"service", "11"}, {"data1", "someone"}, {"data2", "1OO"}}, {"Jumlah", "digits"}},
      {kSocial,
       {{"service", "31"}, {"data1", "https://tiktok.com/@a"}, {"data2", "100"}, {"data3", "Kilat"}},
       {"Kecepatan", "Normal", "Cepat"}},
      {kSocial, {{"service", "31"}, {"data1", "https://tiktok.com/@a"}, {"data2", "100"}}, {"Kecepatan"}},
      {kGame, {{"service", "TSEL10"}, {"data1", "0812345abc89"}}, {"Nomor HP", "digits"}},
      {kGame, {{"service", "TSEL10"}, {"data1", "081234"}}, {"Nomor HP", "10"}},
      {kGame, {{"service", "TSEL10"}, {"data1", "081234567890123"}}, {"Nomor HP", "14"}},
      {kGame, {{"service", "ML86"}, {"data1", "12345678"}}, {"Zone ID", "required"}},
      {kGame, {{"service", "ML86"}, {"data1", "12ab5678"}, {"data2", "1234"}}, {"User ID", "digits"}},
      {kGame, {{"service", "FF140"}, {"data1", ""}}, {"Player ID"}},
      {kGame,
       {{"service", "GI60"}, {"data1", "800000001"}, {"data2", "Mars"}},
       {"Server", "Asia", "America"}},
      {kGame, {{"service", "GI60"}, {"data1", "800000001"}, {"data2", "asia"}}, {"Server"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(HttpClient::formEncode(c.params));
    expectError(order(c.path, a, c.params), 422, c.parts);
  }
  expectBooks(a, 1'000'000);
  EXPECT_EQ(booksOf(a).entries, 1u);
  // The bounds themselves are accepted.
  expectSuccess(order(kSocial, a, {{"service", "5"}, {"data1", "https://x.com/lo"}, {"data2", "100"}}),
                kOrderPlaced);
  expectSuccess(order(kSocial, a, {{"service", "5"}, {"data1", "https://x.com/hi"}, {"data2", "1000"}}),
                kOrderPlaced);
  expectSuccess(
      order(kSocial, a,
            {{"service", "31"}, {"data1", "https://tiktok.com/@a"}, {"data2", "100"}, {"data3", "Cepat"}}),
      kOrderPlaced);
  expectBooks(a, 1'000'000 - 3350 - 33500 - 5200);
}

TEST_F(ApiTest, MalformedBodiesAre400) {
  const Reseller a = reseller("standar", 100'000);
  expectError(http_->post(kSocial, "application/json", "{\"key\": \"abc\", "), 400, {"JSON"});
  expectError(http_->post(kSocial, "application/json", "[1,2]"), 400, {"JSON"});
  expectError(
      http_->post(kGame, "application/json",
                  "{\"key\":\"" + a.api_key + "\",\"sign\":\"" + a.sign() + "\",\"type\":[\"order\"]}"),
      400, {"type"});
  expectError(http_->post(kSocial, "text/plain", HttpClient::formEncode(a.auth("service"))), 400,
              {"content type", "text/plain"});
  expectError(http_->post(kSocial, "application/xml", "<key>x</key>"), 400, {"content type"});
  expectError(http_->post(kSocial, "multipart/form-data", "--x\r\n"), 400, {"boundary"});
  expectError(http_->post(kSocial, "application/x-www-form-urlencoded", "key=%zz&sign=1"), 400, {});
  // A malformed order body charges nothing.
  expectError(http_->post(kGame, "application/json",
                          "{\"key\":\"" + a.api_key + "\",\"sign\":\"" + a.sign() +
                              "\",\"type\":\"order\",\"service\":\"ML86\",\"data1\":\"12345678\""),
              400, {"JSON"});
  expectBooks(a, 100'000);
  // The server still answers well-formed requests on the same connection.
  expectSuccess(call(kGame, a, "service"), "Success.");
}

TEST_F(ApiTest, RotatedKeyStopsWorking) {
  const Reseller a = reseller("standar", 100'000);
  expectSuccess(call(kGame, a, "service"), "Success.");
  auto r = runCli({"key", "rotate", a.user_id, "--json", "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Reseller rotated{a.user_id, std::string(json::parse(r.out).at("api_key").as_string())};
  ASSERT_NE(rotated.api_key, a.api_key);
  EXPECT_TRUE(eventually([&] { return call(kGame, a, "service").status == 401; }, 5s))
      << "the old key still works: " << call(kGame, a, "service").body;
  expectError(order(kGame, a, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}), 401, {});
  expectSuccess(call(kGame, rotated, "service"), "Success.");
  expectSuccess(order(kGame, rotated, {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}}),
                kOrderPlaced);
  expectBooks(a, 100'000 - 19500);
}

TEST_F(ApiTest, InputIsEchoedAsValidJson) {
  const Reseller a = reseller("standar", 100'000);
  const std::string link = "https://x.com/\"q\"\\b/<p>\n\ttab\x01 caf\xC3\xA9 \xF0\x9F\x98\x80 +%&=";
  Reply r = order(kSocial, a, {{"service", "5"}, {"data1", link}, {"data2", "100"}});
  expectSuccess(r, kOrderPlaced);
  EXPECT_EQ(r.json().at("data").at("data").at(0), json::value(link)) << r.body;
  Reply s = call(kSocial, a, "status", {{"ref_id", refOf(r)}});
  expectSuccess(s, "Success.");
  EXPECT_EQ(firstEntry(s).at("data").at(0), json::value(link)) << s.body;
  // Echoed in error messages too.
  expectError(order(kGame, a, {{"service", "NO\"PE\\"}, {"data1", "1"}}), 404, {"NO\"PE\\"});
}

TEST_F(ApiTest, InvalidUtf8InputNeverBreaksTheJsonAnswer) {
  const Reseller a = reseller("standar", 100'000);
  Reply r = order(kSocial, a, {{"service", "5"}, {"data1", "https://x.com/\xFF\xFE"}, {"data2", "100"}});
  ASSERT_TRUE(r.json().is_object()) << "not valid JSON: " << r.body;
  // Charged exactly when the answer says the order was placed.
  expectBooks(a, r.status == 200 ? 100'000 - 3350 : 100'000);
  // The account's transaction list stays readable.
  Reply s = call(kSocial, a, "status");
  EXPECT_TRUE(s.json().is_object()) << "not valid JSON: " << s.body;
  expectSuccess(s, "Success.");
  // Error messages that quote the input too.
  Reply e = order(kGame, a, {{"service", "X\xC3"}, {"data1", "1"}});
  EXPECT_TRUE(e.json().is_object()) << "not valid JSON: " << e.body;
  expectError(e, 404, {});
}

// --- idempotency --------------------------------------------------------------

TEST_F(ApiTest, IdempotencyKeyParamReturnsTheFirstOrderAndChargesOnce) {
  const Reseller a = reseller("standar", 100'000);
  const Params p{{"service", "5"},
                 {"data1", "https://instagram.com/p/idem"},
                 {"data2", "100"},
                 {"idempotency_key", "order-7f3a"}};
  Reply first = order(kSocial, a, p);
  expectSuccess(first, kOrderPlaced);
  Reply second = order(kSocial, a, p);
  expectSuccess(second, kOrderPlaced);
  EXPECT_EQ(refOf(first), refOf(second));
  EXPECT_EQ(first.json().at("data"), second.json().at("data"));
  expectBooks(a, 100'000 - 3350);
  EXPECT_EQ(booksOf(a).entries, 2u);
  Reply st = call(kSocial, a, "status");
  EXPECT_EQ(dataArray(st.json()).size(), 1u) << st.body;

  // The same key with different parameters: 409, nothing charged.
  expectError(order(kSocial, a,
                    {{"service", "5"},
                     {"data1", "https://instagram.com/p/idem"},
                     {"data2", "200"},
                     {"idempotency_key", "order-7f3a"}}),
              409, {"idempotency_key"});
  expectError(order(kSocial, a,
                    {{"service", "6"},
                     {"data1", "https://instagram.com/p/other"},
                     {"data2", "50"},
                     {"idempotency_key", "order-7f3a"}}),
              409, {"idempotency_key"});
  expectBooks(a, 100'000 - 3350);

  // Keys belong to one account: another account's same key is its own order.
  const Reseller b = reseller("standar", 100'000);
  Reply other = order(kSocial, b, p);
  expectSuccess(other, kOrderPlaced);
  EXPECT_NE(refOf(other), refOf(first));
  expectBooks(b, 100'000 - 3350);

  // An over-long key is refused.
  expectError(order(kGame, a,
                    {{"service", "FF140"}, {"data1", "1234567"}, {"idempotency_key", std::string(129, 'k')}}),
              400, {"idempotency_key"});
  expectBooks(a, 100'000 - 3350);
}

TEST_F(ApiTest, IdempotencyKeyHeaderWorksToo) {
  const Reseller a = reseller("standar", 100'000);
  const Params p{{"service", "FF140"}, {"data1", "7000001"}};
  Reply first = order(kGame, a, p, {{"Idempotency-Key", "hdr-1"}});
  expectSuccess(first, kOrderPlaced);
  Reply second = order(kGame, a, p, {{"Idempotency-Key", "hdr-1"}});
  expectSuccess(second, kOrderPlaced);
  EXPECT_EQ(refOf(first), refOf(second));
  // The parameter and the header name the same key.
  Reply third = order(kGame, a, with(p, {{"idempotency_key", "hdr-1"}}));
  expectSuccess(third, kOrderPlaced);
  EXPECT_EQ(refOf(first), refOf(third));
  expectError(order(kGame, a, {{"service", "FF140"}, {"data1", "7000002"}}, {{"Idempotency-Key", "hdr-1"}}),
              409, {"idempotency_key"});
  expectBooks(a, 100'000 - 18000);
  // JSON bodies carry it too.
  json::object o{{"key", a.api_key},   {"sign", a.sign()},   {"type", "order"},
                 {"service", "FF140"}, {"data1", "7000003"}, {"idempotency_key", "json-1"}};
  Reply j1 = http_->postJson(kGame, o);
  Reply j2 = http_->postJson(kGame, o);
  expectSuccess(j1, kOrderPlaced);
  expectSuccess(j2, kOrderPlaced);
  EXPECT_EQ(refOf(j1), refOf(j2));
  expectBooks(a, 100'000 - 18000 - 18000);
}

TEST_F(ApiTest, IdempotentRetryStillAnswersAfterTheServiceWentEmpty) {
  const Reseller a = reseller("standar", 100'000);
  const Params p{{"service", "IDEM1"}, {"data1", "08111"}, {"idempotency_key", "retry-after-empty"}};
  Reply first = order(kGame, a, p);
  expectSuccess(first, kOrderPlaced);
  expectCli({"service", "set", "game", "IDEM1", "--status", "empty", "--db", db_});
  ASSERT_TRUE(waitForService(
      kGame, a, "IDEM1", [](const json::object* e) { return e && e->at("status") == json::value("empty"); }));
  // A new order is refused now ...
  expectError(order(kGame, a, {{"service", "IDEM1"}, {"data1", "08222"}}), 503, {"IDEM1"});
  // ... but the retry of the placed one still gets its order, charged once.
  Reply retry = order(kGame, a, p);
  expectSuccess(retry, kOrderPlaced);
  EXPECT_EQ(refOf(retry), refOf(first));
  expectBooks(a, 100'000 - 5000);
}

TEST_F(ApiTest, ConcurrentRetriesWithOneKeyChargeOnce) {
  const Reseller a = reseller("standar", 100'000);
  const Params p =
      with(a.auth("order"),
           {{"service", "ML86"}, {"data1", "31415926"}, {"data2", "27"}, {"idempotency_key", "burst-1"}});
  constexpr int kClients = 8;
  std::vector<std::string> refs(kClients);
  std::vector<unsigned> statuses(kClients);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server_->port());
      ++ready;
      while (ready.load() < kClients) std::this_thread::yield();
      try {
        Reply r = c.postForm(kGame, p);
        statuses[i] = r.status;
        refs[i] = refOf(r);
      } catch (const std::exception&) {
        statuses[i] = 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(statuses[i], 200u) << "client " << i;
    EXPECT_EQ(refs[i], refs[0]) << "client " << i;
  }
  expectBooks(a, 100'000 - 19500);
  EXPECT_EQ(booksOf(a).entries, 2u);
}

// --- servers with their own configuration --------------------------------------

class ApiConfigTest : public ::testing::Test {
 protected:
  std::string writeConfig(const std::string& toml) {
    const std::string path = dir_.file("warung.toml");
    std::ofstream(path) << toml;
    return path;
  }
  TempDir dir_;
  std::string db_ = testDatabase(dir_, "warung.db");
};

TEST_F(ApiConfigTest, AlwaysHttp200PutsTheRealCodeInTheBody) {
  importCatalog(db_, kCatalog, dir_);
  const Reseller a = createReseller(db_, "Always200", "standar", 10'000);
  ServerProcess server(db_, {"--config", writeConfig("[api]\nalways_http_200 = true\n")});
  HttpClient http(server.port());

  expectError(http.postForm(kGame, {{"key", "nope"}, {"sign", "nope"}, {"type", "service"}}), 401, {}, 200);
  expectError(http.postForm(kGame, with(a.auth("order"),
                                        {{"service", "ML86"}, {"data1", "12345678"}, {"data2", "1234"}})),
              402, {"balance"}, 200);
  expectError(http.postForm(kGame, with(a.auth("order"), {{"service", "NOPE"}})), 404, {"NOPE"}, 200);
  expectError(http.postForm(kGame, with(a.auth("order"), {{"service", "TSEL10"}, {"data1", "abc"}})), 422,
              {"Nomor HP"}, 200);
  expectError(http.postForm(kSocial, with(a.auth("status"), {{"limit", "99"}})), 400, {"limit"}, 200);
  expectError(http.request(boost::beast::http::verb::get, kGame, "", ""), 405, {}, 200);
  expectError(http.postForm("/nowhere", a.auth("service")), 404, {}, 200);
  expectSuccess(http.postForm(kGame, a.auth("service")), "Success.");
  expectSuccess(http.postForm(kGame, with(a.auth("order"), {{"service", "CUT1"}, {"data1", "0812"}})),
                kOrderPlaced);
  const Books b = books(db_, a.user_id);
  EXPECT_EQ(b.balance, 9'000);
  EXPECT_EQ(b.ledger_sum, 9'000);
  EXPECT_TRUE(server.alive()) << server.log();
}

TEST_F(ApiConfigTest, StatusListWithoutTheOrderOrListCacheAnswersTheSame) {
  importCatalog(db_, kCatalog, dir_);
  int n = 0;
  for (const char* config : {"[api]\nstatus_cache_orders = 0\n", "[api]\nstatus_cache_lists = 0\n",
                             "[api]\nstatus_cache_orders = 0\nstatus_cache_lists = 0\n"}) {
    SCOPED_TRACE(config);
    const Reseller a = createReseller(db_, "NoCache" + std::to_string(++n), "standar", 100'000);
    ServerProcess server(db_, {"--config", writeConfig(config)});
    HttpClient http(server.port());
    Reply placed = http.postForm(kGame, with(a.auth("order"), {{"service", "CUT1"}, {"data1", "0812"}}));
    ASSERT_EQ(placed.status, 200u) << placed.body;
    const std::string ref(placed.json().at("data").at("ref_id").as_string());
    Reply list = http.postForm(kGame, a.auth("status"));
    expectSuccess(list, "Success.");
    EXPECT_EQ(firstEntry(list).at("status"), json::value("waiting"));
    EXPECT_EQ(http.postForm(kGame, a.auth("status")).body, list.body);
    expectCli({"order", "set-status", ref, "success", "--voucher", "SN-7", "--db", db_});
    Reply after = http.postForm(kGame, a.auth("status"));
    EXPECT_EQ(firstEntry(after).at("status"), json::value("success"));
    EXPECT_EQ(json::serialize(firstEntry(after)),
              json::serialize(firstEntry(http.postForm(kGame, with(a.auth("status"), {{"ref_id", ref}})))));
  }
}

TEST_F(ApiConfigTest, CutoffFollowsTheConfiguredTimeZone) {
  importCatalog(db_, kCatalog, dir_);
  const Reseller a = createReseller(db_, "Makassar", "standar", 10'000);
  // A window around the current time in Asia/Makassar (UTC+8), which does not hold
  // the current Jakarta time (an hour earlier).
  const int makassar = (jakartaMinuteOfDay() + 60) % 1440;
  const std::string start = hhmm((makassar + 1440 - 20) % 1440), end = hhmm((makassar + 20) % 1440);
  expectCli({"service", "set", "game", "CUT1", "--cutoff", start + "-" + end, "--db", db_});
  {
    ServerProcess server(db_, {"--config", writeConfig("[business]\ntime_zone = \"Asia/Makassar\"\n")});
    HttpClient http(server.port());
    expectError(http.postForm(kGame, with(a.auth("order"), {{"service", "CUT1"}, {"data1", "0812"}})), 503,
                {"CUT1", start, end, "Asia/Makassar"});
    EXPECT_TRUE(server.alive()) << server.log();
  }
  {
    // Asia/Jakarta: outside the window. (Its own log file: the first server's log
    // still names the first port.)
    ServerProcess server(db_, {}, dir_.file("second.log"));
    HttpClient http(server.port());
    expectSuccess(http.postForm(kGame, with(a.auth("order"), {{"service", "CUT1"}, {"data1", "0812"}})),
                  kOrderPlaced);
  }
  const Books b = books(db_, a.user_id);
  EXPECT_EQ(b.balance, 9'000);
  EXPECT_EQ(b.ledger_sum, 9'000);
}

TEST_F(ApiConfigTest, BodyLargerThanTheLimitIs413Json) {
  importCatalog(db_, kCatalog, dir_);
  const Reseller a = createReseller(db_, "BigBody", "standar", 100'000);
  ServerProcess server(db_, {"--config", writeConfig("[server]\nmax_body_bytes = 512\n")});
  HttpClient http(server.port());

  Params big =
      with(a.auth("order"),
           {{"service", "5"}, {"data1", "https://x.com/" + std::string(2000, 'a')}, {"data2", "100"}});
  expectError(http.postForm(kSocial, big), 413, {"512"});
  Reply j = http.post(kGame, "application/json", "{\"pad\":\"" + std::string(4000, 'x') + "\"}");
  expectError(j, 413, {"512"});
  // Under the limit: served normally, and nothing was charged for the refused order.
  expectSuccess(http.postForm(kGame, a.auth("service")), "Success.");
  const Books b = books(db_, a.user_id);
  EXPECT_EQ(b.balance, 100'000);
  EXPECT_EQ(b.ledger_sum, 100'000);
  EXPECT_TRUE(server.alive()) << server.log();
}

}  // namespace
}  // namespace warung::testing
