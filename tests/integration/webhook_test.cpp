// Reseller webhooks end to end: a receiver on loopback (in this process) that can be
// told to fail, the real server delivering its outbox, and the CLI an operator uses
// (`user webhook`, `webhook list`, `webhook replay`). What a reseller relies on: every
// status change arrives, signed with its secret, in order for each order, even when
// its receiver was down for a while or the server was killed meanwhile.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "common/crypto.hpp"
#include "dispatch/simulator.hpp"
#include "support/harness.hpp"
#include "support/services.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using dispatch::ProviderSimulator;
using Behaviour = ProviderSimulator::Behaviour;

constexpr std::int64_t kCredit = 1'000'000;
constexpr auto kDeadline = std::chrono::seconds(20);

// A webhook receiver on 127.0.0.1 and a free port: one thread, one request per
// connection (it answers `Connection: close`), every request recorded. The first
// failNext(n) requests are answered 500.
class WebhookReceiver {
 public:
  struct Request {
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    unsigned answered = 0;
    std::string header(const std::string& name) const {
      auto it = headers.find(name);
      return it == headers.end() ? "" : it->second;
    }
  };

  WebhookReceiver() : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~WebhookReceiver() {
    stopping_ = true;
    try {  // wakes the blocking accept
      net::io_context io;
      tcp::socket s(io);
      s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    } catch (const std::exception&) {
    }
    thread_.join();
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/warung-callback"; }
  void failNext(int n) {
    std::lock_guard lock(mu_);
    fail_left_ = n;
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Requests answered 2xx.
  std::vector<Request> accepted() const {
    std::vector<Request> out;
    for (auto& r : requests()) {
      if (r.answered == 200) out.push_back(r);
    }
    return out;
  }

 private:
  void serve() {
    while (true) {
      tcp::socket sock(io_);
      boost::system::error_code ec;
      acceptor_.accept(sock, ec);
      if (stopping_) return;
      if (ec) continue;
      // A client that connects and stalls must not hold the only thread for long.
      timeval tv{2, 0};
      ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(sock, buf, req, ec);
      if (ec) continue;
      Request r;
      r.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      r.body = req.body();
      {
        std::lock_guard lock(mu_);
        r.answered = 200;
        if (fail_left_ > 0) {
          --fail_left_;
          r.answered = 500;
        }
        requests_.push_back(r);
      }
      http::response<http::string_body> res{static_cast<http::status>(r.answered), 11};
      res.set(http::field::content_type, "text/plain");
      res.keep_alive(false);
      res.body() = r.answered == 200 ? "ok" : "receiver down";
      res.prepare_payload();
      http::write(sock, res, ec);
      sock.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  int fail_left_ = 0;
  std::vector<Request> requests_;
  std::thread thread_;
};

class Webhook : public ::testing::Test {
 protected:
  void SetUp() override {
    importCatalog(db_,
                  "[" + socialServiceJson("S1") + "," + socialServiceJson("S2") + "," +
                      gameServiceJson("G1") + "," + socialServiceJson("MANUAL") + "]",
                  dir_);
    buyer_ = createReseller(db_, "Toko Hook", "standar", kCredit);
    auto j =
        runCliJson({"user", "webhook", buyer_.user_id, receiver_.url(), "--json", "--db", db_}).as_object();
    EXPECT_EQ(j.at("url").as_string(), receiver_.url());
    secret_ = std::string(j.at("secret").as_string());
    ASSERT_GE(secret_.size(), 32u);
  }

  void start(const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
    writeText(config_, fulfilmentConfigToml(overrides));
    server_ = std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--config", config_});
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db_});
    auto r = runCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  ProviderSimulator& newSim() {
    sims_.push_back(
        std::make_unique<ProviderSimulator>(ProviderSimulator::Options{.complete_after_polls = 1}));
    sims_.back()->start();
    return *sims_.back();
  }

  void addProvider(const std::string& name, const ProviderSimulator& sim) {
    const auto p = sim.provider("osimesa", name);
    cli({"provider", "add", name, "--dialect", "osimesa", "--url", p.base_url, "--key", p.api_key, "--secret",
         p.secret, "--timeout-ms", "2000"});
  }

  // Checks what every webhook must be: signed over the raw body with the account's
  // secret, the documented headers, and a body in the `type=status` entry shape.
  void expectWellFormed(const WebhookReceiver::Request& r) {
    SCOPED_TRACE(r.body);
    EXPECT_EQ(r.target, "/warung-callback");
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("x-warung-event"), "order.status");
    EXPECT_FALSE(r.header("x-warung-delivery").empty());
    const std::string expected = "sha256=" + crypto::hmacSha256Hex(secret_, r.body);
    EXPECT_EQ(r.header("x-warung-signature"), expected) << "signature does not verify";
    // Under another secret it would not verify.
    EXPECT_NE(r.header("x-warung-signature"), "sha256=" + crypto::hmacSha256Hex(secret_ + "x", r.body));
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    ASSERT_FALSE(ec) << "body is not JSON";
    ASSERT_TRUE(v.is_object());
    const auto& o = v.as_object();
    for (const char* key :
         {"data", "note", "price", "ref_id", "status", "product", "created_at", "updated_at"}) {
      EXPECT_TRUE(o.contains(key)) << "missing " << key;
    }
    if (o.contains("data")) {
      EXPECT_EQ(o.at("data").as_array().size(), 3u);
    }
    if (o.contains("product")) {
      const auto& code = o.at("product").as_object().at("code").as_string();
      if (code == "G1") {
        EXPECT_TRUE(o.contains("voucher"));
        EXPECT_FALSE(o.contains("detail"));
      } else {
        EXPECT_TRUE(o.contains("detail"));
      }
    }
  }

  static json::object body(const WebhookReceiver::Request& r) { return json::parse(r.body).as_object(); }
  static std::string refOf(const WebhookReceiver::Request& r) {
    return std::string(body(r).at("ref_id").as_string());
  }
  static std::string statusOf(const WebhookReceiver::Request& r) {
    return std::string(body(r).at("status").as_string());
  }

  // Checks that, for each order, the requests walk `expected` in order: a request
  // repeats the previous change until that one was answered 2xx, then the next follows.
  void expectInOrder(const std::vector<WebhookReceiver::Request>& all, const std::string& ref,
                     const std::vector<std::string>& expected) {
    SCOPED_TRACE("order " + ref);
    std::size_t next = 0;
    std::string delivery_id;
    for (const auto& r : all) {
      if (refOf(r) != ref) continue;
      ASSERT_LT(next, expected.size()) << "a change after the last one expected: " << r.body;
      EXPECT_EQ(statusOf(r), expected[next]) << "out of order: " << r.body;
      if (!delivery_id.empty()) {
        EXPECT_EQ(r.header("x-warung-delivery"), delivery_id) << "a retry must be the same delivery";
      }
      delivery_id = r.header("x-warung-delivery");
      if (r.answered == 200) {
        ++next;
        delivery_id.clear();
      }
    }
    EXPECT_EQ(next, expected.size()) << "not every change was delivered";
  }

  json::array deliveries(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"webhook", "list", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return json::parse(cli(args)).as_array();
  }

  TempDir dir_;
  const std::string db_ = testDatabase(dir_, "warung.db");
  const std::string config_ = dir_.file("warung.toml");
  WebhookReceiver receiver_;
  std::vector<std::unique_ptr<ProviderSimulator>> sims_;
  Reseller buyer_;
  std::string secret_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Webhook, EachStatusChangeArrivesSignedInOrderAfterTheReceiverRecovers) {
  ProviderSimulator& good = newSim();
  ProviderSimulator& failing = newSim();
  failing.setAddBehaviour(Behaviour::kFail);  // accepted, then Canceled: error + refund
  addProvider("good", good);
  addProvider("failing", failing);
  cli({"service", "route", "social-media", "S1", "good:1:900"});
  cli({"service", "route", "social-media", "S2", "failing:1:900"});
  cli({"service", "route", "game", "G1", "good:ML86:9000"});
  receiver_.failNext(4);  // the receiver is down for the first deliveries
  start();

  const auto a = postOrder(*client_, buyer_, "social-media", "S1", "https://instagram.com/p/a", "300");
  const auto b = postOrder(*client_, buyer_, "social-media", "S2", "https://instagram.com/p/b", "300");
  const auto c = postOrder(*client_, buyer_, "game", "G1", "777");
  ASSERT_TRUE(a.ok && b.ok && c.ok);

  ASSERT_TRUE(eventually([&] { return receiver_.accepted().size() >= 6; }, kDeadline))
      << receiver_.requests().size() << " requests\n"
      << server_->log();
  const auto all = receiver_.requests();
  EXPECT_EQ(all.size(), 6u + 4u) << "each failure is retried, each success is final";
  for (const auto& r : all) expectWellFormed(r);
  expectInOrder(all, a.ref_id, {"processing", "success"});
  expectInOrder(all, b.ref_id, {"processing", "error"});
  expectInOrder(all, c.ref_id, {"processing", "success"});

  // The final bodies say what the reseller needs: the voucher, the start count, the refund's reason.
  for (const auto& r : receiver_.accepted()) {
    const auto o = body(r);
    const std::string ref = refOf(r), status = statusOf(r);
    if (status == "success" && ref == c.ref_id) {
      EXPECT_TRUE(std::string(o.at("voucher").as_string()).starts_with("SN-"));
    }
    if (status == "success" && ref == a.ref_id) {
      EXPECT_GT(o.at("detail").as_object().at("start").as_int64(), 0);
      EXPECT_EQ(o.at("detail").as_object().at("remain").as_int64(), 0);
    }
    EXPECT_EQ(o.at("price").as_int64(), ref == c.ref_id ? 10'000 : 1'000);
  }

  // The operator's view: all delivered; the failed attempts are counted on them.
  const auto list = deliveries({"--user", buyer_.user_id});
  ASSERT_EQ(list.size(), 6u);
  std::int64_t failed_attempts = 0;
  for (const auto& d : list) {
    EXPECT_EQ(d.as_object().at("status").as_string(), "delivered") << json::serialize(d);
    failed_attempts += d.as_object().at("attempts").as_int64();
  }
  EXPECT_EQ(failed_attempts, 4);
  EXPECT_EQ(orderShow(db_, b.ref_id).at("webhooks").as_array().size(), 2u);
  // The refund behind the "error" webhook happened once.
  const Books bk = books(db_, buyer_.user_id);
  EXPECT_EQ(bk.balance, bk.ledger_sum);
  EXPECT_EQ(kCredit - bk.balance, a.price + c.price);
}

TEST_F(Webhook, AGivenUpDeliveryIsListedAsFailedAndReplayed) {
  receiver_.failNext(1'000'000);
  start({{"webhooks.give_up_after_s", "1"}});
  const auto o =
      postOrder(*client_, buyer_, "social-media", "MANUAL", "https://instagram.com/p/replay", "100");
  ASSERT_TRUE(o.ok);
  // No route: the operator completes it; the change is queued for the reseller.
  cli({"order", "set-status", o.ref_id, "success", "--start", "50"});

  json::array failed;
  ASSERT_TRUE(eventuallyEvery(
      [&] {
        return (failed = deliveries({"--status", "failed"})).size() == 1;
      },
      kDeadline, std::chrono::milliseconds(100)))
      << server_->log();
  const auto& d = failed[0].as_object();
  EXPECT_EQ(d.at("ref_id").as_string(), o.ref_id);
  EXPECT_GE(d.at("attempts").as_int64(), 1);
  EXPECT_NE(std::string(d.at("last_error").as_string()).find("500"), std::string::npos) << json::serialize(d);
  const std::int64_t id = d.at("id").as_int64();
  EXPECT_NE(cli({"webhook", "list", "--status", "failed"}).find("failed"), std::string::npos);
  const std::size_t tried = receiver_.requests().size();
  EXPECT_GE(tried, 1u);

  // Given up means given up: it is no longer pending, only a replay sends it again.
  receiver_.failNext(0);
  EXPECT_EQ(deliveries({"--status", "pending"}).size(), 0u);

  EXPECT_NE(cli({"webhook", "replay", std::to_string(id)}).find("queued again"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return receiver_.accepted().size() == 1; }, kDeadline)) << server_->log();
  const auto got = receiver_.accepted()[0];
  expectWellFormed(got);
  EXPECT_EQ(got.header("x-warung-delivery"), std::to_string(id));
  EXPECT_EQ(refOf(got), o.ref_id);
  EXPECT_EQ(statusOf(got), "success");
  EXPECT_EQ(body(got).at("detail").as_object().at("start").as_int64(), 50);
  ASSERT_TRUE(eventuallyEvery(
      [&] {
        return deliveries({"--status", "delivered"}).size() == 1;
      },
      kDeadline, std::chrono::milliseconds(100)));

  auto bad = runCli({"webhook", "replay", "999999", "--db", db_});
  EXPECT_NE(bad.exit_code, 0);
}

TEST_F(Webhook, PendingDeliveriesSurviveASigkill) {
  // The kill may land while a delivery is claimed (sent, its failure not yet recorded):
  // the restarted server sends it once the claim's lease ran out, so keep that short.
  const std::vector<std::pair<std::string, std::string>> lease{{"webhooks.lease_s", "3"}};
  receiver_.failNext(1'000'000);
  start(lease);
  const auto o = postOrder(*client_, buyer_, "social-media", "MANUAL", "https://instagram.com/p/kill", "100");
  ASSERT_TRUE(o.ok);
  cli({"order", "set-status", o.ref_id, "processing"});
  cli({"order", "set-status", o.ref_id, "error", "--note", "target private"});
  ASSERT_TRUE(eventually([&] { return !receiver_.requests().empty(); }, kDeadline)) << server_->log();
  server_->stop(SIGKILL);
  server_.reset();

  receiver_.failNext(0);
  start(lease);
  ASSERT_TRUE(eventually([&] { return receiver_.accepted().size() == 2; }, kDeadline)) << server_->log();
  const auto all = receiver_.requests();
  for (const auto& r : all) expectWellFormed(r);
  expectInOrder(all, o.ref_id, {"processing", "error"});
  EXPECT_EQ(body(receiver_.accepted()[1]).at("note").as_string(), "target private");
  // The sender records the delivery after the receiver answered: poll for it.
  EXPECT_TRUE(eventuallyEvery(
      [&] {
        for (const auto& d : deliveries()) {
          if (d.as_object().at("status").as_string() != "delivered") return false;
        }
        return true;
      },
      kDeadline, std::chrono::milliseconds(100)))
      << json::serialize(deliveries());
}

TEST_F(Webhook, ClearedCallbackQueuesNothing) {
  start();
  cli({"user", "webhook", buyer_.user_id, "--clear"});
  const auto o =
      postOrder(*client_, buyer_, "social-media", "MANUAL", "https://instagram.com/p/quiet", "100");
  ASSERT_TRUE(o.ok);
  cli({"order", "set-status", o.ref_id, "success"});
  EXPECT_EQ(deliveries().size(), 0u);
  EXPECT_TRUE(orderShow(db_, o.ref_id).at("webhooks").as_array().empty());
  EXPECT_TRUE(receiver_.requests().empty());
}

}  // namespace
}  // namespace warung::testing
