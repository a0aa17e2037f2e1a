#include "dispatch/adapters/osimesa.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/crypto.hpp"
#include "dispatch/simulator.hpp"
#include "dispatch/support.hpp"

namespace warung::dispatch {
namespace {

using namespace std::chrono_literals;
using adapters::OsimesaAdapter;
using domain::Kind;
using domain::RemoteState;
using Behaviour = ProviderSimulator::Behaviour;
using Outcome = ProviderSimulator::Outcome;

class OsimesaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.start();
    provider_ = sim_.provider("osimesa");
  }

  static AddRequest social(const std::string& ref, const std::string& link = "https://instagram.com/p/x",
                           std::int64_t quantity = 300, const std::string& service = "1") {
    AddRequest r;
    r.our_ref = ref;
    r.kind = Kind::kSocialMedia;
    r.provider_service = service;
    r.data = {link, std::to_string(quantity), ""};
    r.quantity = quantity;
    return r;
  }
  static AddRequest game(const std::string& ref, const std::string& service = "ML86") {
    AddRequest r;
    r.our_ref = ref;
    r.kind = Kind::kGame;
    r.provider_service = service;
    r.data = {"12345678", "1234", ""};
    return r;
  }

  ProviderSimulator sim_{[] {
    ProviderSimulator::Options o;
    o.accept_any_service = false;
    return o;
  }()};
  std::shared_ptr<HttpClient> http_{makeCurlHttpClient()};
  OsimesaAdapter adapter_{http_};
  domain::Provider provider_;
};

TEST_F(OsimesaTest, AddSocialMediaAcceptedWithOurReferenceAsIdempotencyKey) {
  auto r = adapter_.add(provider_, social("our-ref-1"));
  ASSERT_EQ(r.outcome, AddOutcome::kAccepted) << r.raw;
  EXPECT_EQ(r.provider_order_id, "sim00000000000001001");
  auto order = sim_.findOrder(r.provider_order_id);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->idempotency_key, "our-ref-1");
  EXPECT_EQ(order->kind, Kind::kSocialMedia);
  EXPECT_EQ(order->quantity, 300);
  EXPECT_EQ(order->data[0], "https://instagram.com/p/x");
  EXPECT_EQ(sim_.addCalls("our-ref-1"), 1);
  auto doc = boost::json::parse(r.raw);
  EXPECT_EQ(doc.at("data").at("status").as_string(), "waiting");
}

TEST_F(OsimesaTest, AddSendsQuantityAsData2ForSocialMedia) {
  auto req = social("r", "link", 250);
  req.data[1] = "";  // the request's quantity is what counts
  ASSERT_EQ(adapter_.add(provider_, req).outcome, AddOutcome::kAccepted);
  EXPECT_EQ(sim_.orders().at(0).data[1], "250");
}

TEST_F(OsimesaTest, GameOrderGoesToTheGameEndpointAndEndsWithAVoucher) {
  sim_.setCompletion(Outcome::kSuccess, 2);
  auto r = adapter_.add(provider_, game("g-1"));
  ASSERT_EQ(r.outcome, AddOutcome::kAccepted) << r.raw;
  EXPECT_EQ(sim_.findOrder(r.provider_order_id)->kind, Kind::kGame);
  auto first = adapter_.status(provider_, {r.provider_order_id});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].state, RemoteState::kProcessing) << first[0].raw;
  auto second = adapter_.status(provider_, {r.provider_order_id});
  EXPECT_EQ(second[0].state, RemoteState::kSuccess) << second[0].raw;
  EXPECT_EQ(second[0].voucher, "SN-1001");
  EXPECT_EQ(second[0].provider_order_id, r.provider_order_id);
  // The adapter remembered the kind: one call per poll.
  EXPECT_EQ(sim_.statusCalls(), 2);
}

TEST_F(OsimesaTest, StatusFindsAGameOrderWithoutKnowingItsKind) {
  auto r = adapter_.add(provider_, game("g-2"));
  OsimesaAdapter fresh(http_);  // nothing remembered, as after a restart
  auto s = fresh.status(provider_, {r.provider_order_id});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].state, RemoteState::kProcessing) << s[0].reason;
  EXPECT_EQ(sim_.statusCalls(), 2);  // social media said 404, then game
  fresh.status(provider_, {r.provider_order_id});
  EXPECT_EQ(sim_.statusCalls(), 3);  // learnt
}

TEST_F(OsimesaTest, StatusPartialAndErrorAndNotFound) {
  sim_.setCompletion(Outcome::kPartial, 1, 100);
  auto partial = adapter_.add(provider_, social("p", "l1", 300));
  sim_.setAddBehaviour(Behaviour::kFail, 1);
  auto failed = adapter_.add(provider_, social("f", "l2"));
  auto s = adapter_.status(provider_, {partial.provider_order_id, "nosuchref", failed.provider_order_id});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].state, RemoteState::kPartial) << s[0].raw;
  EXPECT_EQ(s[0].remain, 100);
  EXPECT_EQ(s[0].start_count, 1001);
  EXPECT_EQ(s[1].state, RemoteState::kNotFound);
  EXPECT_EQ(s[1].provider_order_id, "nosuchref");
  EXPECT_EQ(s[2].state, RemoteState::kError) << s[2].raw;
}

TEST_F(OsimesaTest, RefusalsAreDefinite) {
  sim_.setAddBehaviour(Behaviour::kRefuseBalance, 1);
  auto balance = adapter_.add(provider_, social("a", "l1"));
  EXPECT_EQ(balance.outcome, AddOutcome::kRefused);
  EXPECT_EQ(balance.reason, "402 balance Rp 0 is below the charge Rp 1000");

  auto service = adapter_.add(provider_, social("b", "l2", 300, "NOPE"));
  EXPECT_EQ(service.outcome, AddOutcome::kRefused);
  EXPECT_EQ(service.reason, "404 service 'NOPE' not found");

  domain::Provider bad_sign = provider_;
  bad_sign.secret = "someone-else";
  auto sign = adapter_.add(bad_sign, social("c", "l3"));
  EXPECT_EQ(sign.outcome, AddOutcome::kRefused);
  EXPECT_EQ(sign.reason, "401 invalid key or sign");

  EXPECT_TRUE(sim_.orders().empty());
  EXPECT_EQ(sim_.totalAddCalls(), 3);
}

TEST_F(OsimesaTest, TimeoutIsUnknownAndLookupFindsTheOrder) {
  provider_.timeout_ms = 300;
  sim_.setAddBehaviour(Behaviour::kTimeout, 1, 30s);
  auto r = adapter_.add(provider_, social("slow-ref"));
  EXPECT_EQ(r.outcome, AddOutcome::kUnknown);
  EXPECT_EQ(sim_.addCalls("slow-ref"), 1);

  ASSERT_TRUE(adapter_.canLookupByReference());
  auto found = adapter_.lookup(provider_, "slow-ref");
  EXPECT_EQ(found.state, RemoteState::kProcessing) << found.reason << " " << found.raw;
  EXPECT_EQ(found.provider_order_id, sim_.orders().at(0).provider_order_id);

  // Sending again with the same reference answers the same order, creating nothing.
  auto again = adapter_.add(provider_, social("slow-ref"));
  EXPECT_EQ(again.outcome, AddOutcome::kAccepted);
  EXPECT_EQ(again.provider_order_id, found.provider_order_id);
  EXPECT_EQ(sim_.orders().size(), 1u);
  EXPECT_EQ(sim_.addCalls("slow-ref"), 2);
}

TEST_F(OsimesaTest, LookupOfAGameOrderTriesBothEndpoints) {
  provider_.timeout_ms = 300;
  sim_.setAddBehaviour(Behaviour::kTimeout, 1, 30s);
  EXPECT_EQ(adapter_.add(provider_, game("g-slow")).outcome, AddOutcome::kUnknown);
  OsimesaAdapter fresh(http_);
  auto found = fresh.lookup(provider_, "g-slow");
  EXPECT_EQ(found.state, RemoteState::kProcessing) << found.reason;
  EXPECT_EQ(found.provider_order_id, sim_.orders().at(0).provider_order_id);
}

TEST_F(OsimesaTest, LookupNotFoundWhenNeitherEndpointHasIt) {
  auto r = adapter_.lookup(provider_, "never-sent");
  EXPECT_EQ(r.state, RemoteState::kNotFound) << r.reason;
  EXPECT_EQ(sim_.statusCalls(), 2);
}

TEST_F(OsimesaTest, TimeoutWithoutCreationThenLookupSaysNotFound) {
  provider_.timeout_ms = 300;
  sim_.setAddBehaviour(Behaviour::kTimeoutNoCreate, 1, 30s);
  EXPECT_EQ(adapter_.add(provider_, social("lost")).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(adapter_.lookup(provider_, "lost").state, RemoteState::kNotFound);
}

TEST_F(OsimesaTest, ServerErrorIsUnknown) {
  sim_.setAddBehaviour(Behaviour::kServerError, 1);
  auto r = adapter_.add(provider_, social("e1", "l1"));
  EXPECT_EQ(r.outcome, AddOutcome::kUnknown);
  EXPECT_NE(r.raw.find("\"code\":500"), std::string::npos) << r.raw;
  EXPECT_EQ(adapter_.lookup(provider_, "e1").state, RemoteState::kNotFound);

  sim_.setAddBehaviour(Behaviour::kServerErrorButCreated, 1);
  EXPECT_EQ(adapter_.add(provider_, social("e2", "l2")).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(adapter_.lookup(provider_, "e2").state, RemoteState::kProcessing);
}

TEST_F(OsimesaTest, GarbageIsUnknownWithTheRawBodyKept) {
  sim_.setAddBehaviour(Behaviour::kGarbage, 1);
  auto r = adapter_.add(provider_, social("g"));
  EXPECT_EQ(r.outcome, AddOutcome::kUnknown);
  EXPECT_EQ(r.raw, "<html><body>OK</body></html>");
  EXPECT_EQ(adapter_.lookup(provider_, "g").state, RemoteState::kProcessing);
}

TEST_F(OsimesaTest, ReusedReferenceWithOtherParametersIsRefused) {
  ASSERT_EQ(adapter_.add(provider_, social("same", "l1")).outcome, AddOutcome::kAccepted);
  auto r = adapter_.add(provider_, social("same", "l2"));
  EXPECT_EQ(r.outcome, AddOutcome::kRefused);
  EXPECT_EQ(r.reason, "409 idempotency_key was already used with different parameters");
}

TEST_F(OsimesaTest, ConnectionRefusedIsARefusalAndStatusUnknown) {
  provider_.base_url = "http://127.0.0.1:" + std::to_string(testing::closedPort());
  EXPECT_EQ(adapter_.add(provider_, social("x")).outcome, AddOutcome::kRefused);
  EXPECT_EQ(adapter_.status(provider_, {"x"})[0].state, RemoteState::kUnknown);
  EXPECT_EQ(adapter_.lookup(provider_, "x").state, RemoteState::kUnknown);
}

TEST_F(OsimesaTest, BalanceIsNotInTheDialect) {
  auto b = adapter_.balance(provider_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(b.error().detail, "the osimesa dialect has no balance call");
}

TEST_F(OsimesaTest, ServicesFromBothEndpoints) {
  auto s = adapter_.services(provider_);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  ASSERT_EQ(s->size(), 6u);
  EXPECT_EQ((*s)[0].code, "1");
  EXPECT_EQ((*s)[0].kind, Kind::kSocialMedia);
  EXPECT_EQ((*s)[0].rate.rupiah, 28501);
  EXPECT_EQ((*s)[0].category, "Instagram Followers");
  EXPECT_EQ((*s)[0].min, 100);
  EXPECT_EQ((*s)[0].max, 10000);
  EXPECT_EQ((*s)[3].code, "ML86");
  EXPECT_EQ((*s)[3].kind, Kind::kGame);
  EXPECT_EQ((*s)[3].name, "Mobile Legends 86 Diamonds");
  EXPECT_EQ((*s)[3].rate.rupiah, 19500);
  EXPECT_EQ((*s)[3].min, 1);
  EXPECT_EQ((*s)[3].max, 1);

  provider_.api_key = "wrong";
  auto refused = adapter_.services(provider_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
}

// --- answers a warung server may give that the simulator does not

domain::Provider scriptedProvider() {
  domain::Provider p;
  p.base_url = "http://other.example/";
  p.api_key = "KEY";
  p.secret = "U123";
  return p;
}

TEST(OsimesaScripted, SignsAndEncodesTheOrder) {
  auto http = std::make_shared<testing::ScriptedHttpClient>();
  OsimesaAdapter adapter(http);
  http->pushReply(
      200, R"({"code":200,"data":{"ref_id":"abc","status":"processing"},"status":true,"message":"x"})");
  AddRequest req;
  req.our_ref = "ours 1";
  req.kind = Kind::kGame;
  req.provider_service = "ML86";
  req.data = {"123", "45", "a&b"};
  auto r = adapter.add(scriptedProvider(), req);
  EXPECT_EQ(r.outcome, AddOutcome::kAccepted);
  EXPECT_EQ(r.provider_order_id, "abc");
  auto sent = http->requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url, "http://other.example/api/game");
  EXPECT_EQ(sent[0].body,
            "key=KEY&sign=" + crypto::md5Hex("U123KEY") +
                "&type=order&service=ML86&data1=123&data2=45&data3=a%26b&idempotency_key=ours+1");
}

TEST(OsimesaScripted, EnvelopeCodesDecideRefusedOrUnknown) {
  auto http = std::make_shared<testing::ScriptedHttpClient>();
  OsimesaAdapter adapter(http);
  auto envelope = [](int code) {
    return R"({"code":)" + std::to_string(code) + R"(,"data":null,"status":false,"message":"m"})";
  };
  for (int code : {400, 401, 402, 403, 404, 409, 422}) http->pushReply(code, envelope(code));
  http->pushReply(503, envelope(503));  // out of stock / cut-off / busy: nothing stored
  http->pushReply(200, envelope(402));  // always_http_200
  for (int code : {408, 500, 429}) http->pushReply(code, envelope(code));
  http->pushReply(200, envelope(500));
  http->pushReply(502, "<html>Bad gateway</html>");
  http->pushReply(200, R"({"code":200,"data":{},"status":true})");  // no ref_id
  http->pushReply(200, R"({"status":false})");                      // no code
  const std::vector<AddOutcome> expected = {
      AddOutcome::kRefused, AddOutcome::kRefused, AddOutcome::kRefused, AddOutcome::kRefused,
      AddOutcome::kRefused, AddOutcome::kRefused, AddOutcome::kRefused, AddOutcome::kRefused,
      AddOutcome::kRefused, AddOutcome::kUnknown, AddOutcome::kUnknown, AddOutcome::kUnknown,
      AddOutcome::kUnknown, AddOutcome::kUnknown, AddOutcome::kUnknown, AddOutcome::kUnknown};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto r = adapter.add(scriptedProvider(), AddRequest{});
    EXPECT_EQ(r.outcome, expected[i]) << "answer #" << i << ": " << r.raw;
    EXPECT_FALSE(r.raw.empty());
  }
}

const char* kEntry =
    R"({"data":["l","100",""],"note":"","price":10,"ref_id":"R1","detail":{"start":5,"amount":100,"remain":100},
        "status":"processing","product":{"code":"1","type":"default","service":"s"},"created_at":1,"updated_at":1})";

TEST(OsimesaScripted, LookupRefusesAnythingButExactlyOneMatchingOrder) {
  auto http = std::make_shared<testing::ScriptedHttpClient>();
  OsimesaAdapter adapter(http);
  const std::string one =
      std::string(R"({"code":200,"status":true,"message":"Success.","data":[)") + kEntry + "]}";
  const std::string two = std::string(R"({"code":200,"status":true,"message":"Success.","data":[)") + kEntry +
                          "," + kEntry + "]}";
  const std::string none = R"({"code":200,"status":true,"message":"Success.","data":[]})";
  std::string echoed = one;
  echoed.replace(echoed.find("\"note\""), 0, R"("idempotency_key":"someone-else",)");
  std::string echoed_ok = one;
  echoed_ok.replace(echoed_ok.find("\"note\""), 0, R"("idempotency_key":"mine",)");

  // A server without the extension lists the latest orders: never taken for ours.
  http->pushReply(200, two);
  EXPECT_EQ(adapter.lookup(scriptedProvider(), "mine").state, RemoteState::kUnknown);
  // ... or an empty list: not the extension's "not found" (404), so unknown.
  http->pushReply(200, none);
  EXPECT_EQ(adapter.lookup(scriptedProvider(), "mine").state, RemoteState::kUnknown);
  http->pushReply(200, echoed);
  EXPECT_EQ(adapter.lookup(scriptedProvider(), "mine").state, RemoteState::kUnknown);
  http->pushReply(200, echoed_ok);
  auto found = adapter.lookup(scriptedProvider(), "mine");
  EXPECT_EQ(found.state, RemoteState::kProcessing);
  EXPECT_EQ(found.provider_order_id, "R1");
  http->pushReply(200, one);
  EXPECT_EQ(adapter.lookup(scriptedProvider(), "mine").provider_order_id, "R1");
  // 404 then an error on the other endpoint: nothing can be concluded.
  http->pushReply(404, R"({"code":404,"data":null,"status":false,"message":"transaction not found"})");
  http->pushReply(500, R"({"code":500,"data":null,"status":false,"message":"internal error"})");
  EXPECT_EQ(adapter.lookup(scriptedProvider(), "mine").state, RemoteState::kUnknown);
  // Status by ref_id rejects an answer about another order.
  http->pushReply(200, one);
  auto other = adapter.status(scriptedProvider(), {"R2"});
  EXPECT_EQ(other[0].state, RemoteState::kUnknown);
  EXPECT_EQ(other[0].provider_order_id, "R2");
}

RemoteState stateOf(const std::string& entry) {
  return adapters::osimesaEntry(boost::json::parse(entry), entry).state;
}

TEST(OsimesaEntry, MapsEveryStatus) {
  EXPECT_EQ(stateOf(R"({"status":"waiting"})"), RemoteState::kPending);
  EXPECT_EQ(stateOf(R"({"status":"processing"})"), RemoteState::kProcessing);
  EXPECT_EQ(stateOf(R"({"status":"success"})"), RemoteState::kSuccess);
  EXPECT_EQ(stateOf(R"({"status":"partial","detail":{"remain":3}})"), RemoteState::kPartial);
  // A game entry has no detail: still partial (the domain ends it in error with a refund).
  EXPECT_EQ(stateOf(R"({"status":"partial","voucher":""})"), RemoteState::kPartial);
  // A social media entry whose remain cannot be read cannot be settled.
  EXPECT_EQ(stateOf(R"({"status":"partial","detail":{"start":1}})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({"status":"error"})"), RemoteState::kError);
  EXPECT_EQ(stateOf(R"({"status":"refunded"})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({})"), RemoteState::kUnknown);

  auto s = adapters::osimesaEntry(boost::json::parse(kEntry), "raw");
  EXPECT_EQ(s.provider_order_id, "R1");
  EXPECT_EQ(s.start_count, 5);
  EXPECT_EQ(s.remain, 100);
  EXPECT_EQ(s.raw, "raw");
  auto g = adapters::osimesaEntry(
      boost::json::parse(R"({"ref_id":"G","status":"success","voucher":"SN-9","note":""})"), "");
  EXPECT_EQ(g.state, RemoteState::kSuccess);
  EXPECT_EQ(g.voucher, "SN-9");
  EXPECT_FALSE(g.start_count);
  auto e = adapters::osimesaEntry(boost::json::parse(R"({"status":"error","note":"target invalid"})"), "");
  EXPECT_EQ(e.reason, "target invalid");
}

// A warung server's webhook body is one status entry (with created_at/updated_at).
TEST(OsimesaWebhook, ReadsTheEntryAWarungServerPosts) {
  OsimesaAdapter adapter(std::make_shared<testing::ScriptedHttpClient>());
  EXPECT_TRUE(adapter.hasWebhooks());
  const std::string body =
      R"({"data":["https://instagram.com/p/x","300",""],"note":"","price":1000,"ref_id":"R7",)"
      R"("detail":{"start":10,"amount":300,"remain":100},"status":"partial",)"
      R"("product":{"code":"1","type":"default","service":"Followers"},"created_at":1,"updated_at":2})";
  auto s = adapter.parseWebhook(body);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, RemoteState::kPartial);
  EXPECT_EQ(s->provider_order_id, "R7");
  EXPECT_EQ(s->remain, 100);
  EXPECT_EQ(s->start_count, 10);
  EXPECT_EQ(s->raw, body);

  auto g = adapter.parseWebhook(R"({"ref_id":"G1","status":"success","voucher":"SN-1"})");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->state, RemoteState::kSuccess);
  EXPECT_EQ(g->voucher, "SN-1");
  // An unknown word is read, as kUnknown: the caller refuses it.
  EXPECT_EQ(adapter.parseWebhook(R"({"ref_id":"G1","status":"refunded"})")->state, RemoteState::kUnknown);

  EXPECT_FALSE(adapter.parseWebhook("not json"));
  EXPECT_FALSE(adapter.parseWebhook(R"(["R7"])"));
  EXPECT_FALSE(adapter.parseWebhook(R"({"status":"success"})"));              // no ref_id
  EXPECT_FALSE(adapter.parseWebhook(R"({"ref_id":"","status":"success"})"));  // empty ref_id
}

}  // namespace
}  // namespace warung::dispatch
