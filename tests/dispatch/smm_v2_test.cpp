#include "dispatch/adapters/smm_v2.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "dispatch/simulator.hpp"
#include "dispatch/support.hpp"

namespace warung::dispatch {
namespace {

using namespace std::chrono_literals;
using adapters::SmmV2Adapter;
using domain::RemoteState;
using Behaviour = ProviderSimulator::Behaviour;
using Outcome = ProviderSimulator::Outcome;

class SmmV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_.start();
    provider_ = sim_.provider("smm-v2");
  }

  AddRequest request(const std::string& link, std::int64_t quantity = 300, const std::string& service = "1") {
    AddRequest r;
    r.our_ref = "ref-" + link;
    r.provider_service = service;
    r.data = {link, std::to_string(quantity), ""};
    r.quantity = quantity;
    return r;
  }

  ProviderSimulator sim_{[] {
    ProviderSimulator::Options o;
    o.accept_any_service = false;
    return o;
  }()};
  SmmV2Adapter adapter_{std::shared_ptr<HttpClient>(makeCurlHttpClient())};
  domain::Provider provider_;
};

TEST_F(SmmV2Test, AddAccepted) {
  auto r = adapter_.add(provider_, request("https://instagram.com/p/a"));
  EXPECT_EQ(r.outcome, AddOutcome::kAccepted) << r.raw;
  EXPECT_EQ(r.provider_order_id, "1001");
  EXPECT_EQ(r.raw, R"({"order":1001})");
  EXPECT_EQ(sim_.addCalls("https://instagram.com/p/a"), 1);
  auto order = sim_.findOrder("1001");
  ASSERT_TRUE(order);
  EXPECT_EQ(order->service, "1");
  EXPECT_EQ(order->quantity, 300);
}

TEST_F(SmmV2Test, RefusedForBalanceServiceKeyAndBadInput) {
  sim_.setAddBehaviour(Behaviour::kRefuseBalance, 1);
  auto balance = adapter_.add(provider_, request("l1"));
  EXPECT_EQ(balance.outcome, AddOutcome::kRefused);
  EXPECT_EQ(balance.reason, "Not enough funds on balance");
  EXPECT_EQ(balance.raw, R"({"error":"Not enough funds on balance"})");

  auto unknown_service = adapter_.add(provider_, request("l2", 300, "999"));
  EXPECT_EQ(unknown_service.outcome, AddOutcome::kRefused);
  EXPECT_EQ(unknown_service.reason, "Incorrect service ID");

  auto bad_quantity = adapter_.add(provider_, request("l3", 0));
  EXPECT_EQ(bad_quantity.outcome, AddOutcome::kRefused);

  domain::Provider wrong_key = provider_;
  wrong_key.api_key = "nope";
  auto key = adapter_.add(wrong_key, request("l4"));
  EXPECT_EQ(key.outcome, AddOutcome::kRefused);
  EXPECT_EQ(key.reason, "Invalid API key");

  EXPECT_TRUE(sim_.orders().empty());
  EXPECT_EQ(sim_.totalAddCalls(), 4);
}

TEST_F(SmmV2Test, TimeoutIsUnknownAndTheOrderMayExist) {
  provider_ = sim_.provider("smm-v2", "sim", 300);
  sim_.setAddBehaviour(Behaviour::kTimeout, 1, 30s);  // stop() cuts the wait short
  auto r = adapter_.add(provider_, request("slow"));
  EXPECT_EQ(r.outcome, AddOutcome::kUnknown);
  EXPECT_NE(r.raw.find("transport error"), std::string::npos) << r.raw;
  EXPECT_EQ(sim_.orders().size(), 1u);  // created though the client never heard
  EXPECT_EQ(sim_.addCalls("slow"), 1);
  // smm-v2 cannot look it up by our reference.
  EXPECT_FALSE(adapter_.canLookupByReference());
  auto found = adapter_.lookup(provider_, "ref-slow");
  EXPECT_EQ(found.state, RemoteState::kUnknown);
  EXPECT_EQ(found.reason, "smm-v2 cannot look up by our reference");
}

TEST_F(SmmV2Test, TimeoutWithoutCreationIsUnknownToo) {
  provider_ = sim_.provider("smm-v2", "sim", 300);
  sim_.setAddBehaviour(Behaviour::kTimeoutNoCreate, 1, 30s);
  EXPECT_EQ(adapter_.add(provider_, request("slow")).outcome, AddOutcome::kUnknown);
  EXPECT_TRUE(sim_.orders().empty());
}

TEST_F(SmmV2Test, ServerErrorIsUnknownWithTheRawBodyKept) {
  sim_.setAddBehaviour(Behaviour::kServerError, 1);
  auto r = adapter_.add(provider_, request("a"));
  EXPECT_EQ(r.outcome, AddOutcome::kUnknown);
  EXPECT_EQ(r.reason, "HTTP 500");
  EXPECT_NE(r.raw.find("500 Internal Server Error"), std::string::npos);
  EXPECT_TRUE(sim_.orders().empty());

  sim_.setAddBehaviour(Behaviour::kServerErrorButCreated, 1);
  EXPECT_EQ(adapter_.add(provider_, request("b")).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(sim_.orders().size(), 1u);
}

TEST_F(SmmV2Test, GarbageIsUnknownWithTheRawBodyKept) {
  sim_.setAddBehaviour(Behaviour::kGarbage, 1);
  auto r = adapter_.add(provider_, request("a"));
  EXPECT_EQ(r.outcome, AddOutcome::kUnknown);
  EXPECT_EQ(r.raw, "<html><body>OK</body></html>");
  // The behaviour was for one add only.
  EXPECT_EQ(adapter_.add(provider_, request("b")).outcome, AddOutcome::kAccepted);
}

TEST_F(SmmV2Test, AnswersNeitherOrderNorErrorAreUnknown) {
  auto http = std::make_shared<testing::ScriptedHttpClient>();
  SmmV2Adapter adapter(http);
  http->pushReply(200, R"({"status":"ok"})");
  http->pushReply(200, "[1,2]");
  http->pushReply(502, R"({"error":"Bad gateway"})");  // 5xx: never a definite refusal
  http->pushReply(200, R"({"order":"A-77"})");
  http->pushReply(500, R"({"order":78})");  // the panel says it exists: accepted
  http->pushReply(400, R"({"error":"Incorrect link"})");
  http->push(makeError(Errc::kPayloadTooLarge, "too big"));
  http->push(makeError(Errc::kUnavailable, "refused"));
  domain::Provider p;
  p.base_url = "http://panel/api/v2";
  p.api_key = "k";
  const AddRequest req;
  EXPECT_EQ(adapter.add(p, req).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(adapter.add(p, req).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(adapter.add(p, req).outcome, AddOutcome::kUnknown);
  auto a = adapter.add(p, req);
  EXPECT_EQ(a.outcome, AddOutcome::kAccepted);
  EXPECT_EQ(a.provider_order_id, "A-77");
  auto b = adapter.add(p, req);
  EXPECT_EQ(b.outcome, AddOutcome::kAccepted);
  EXPECT_EQ(b.provider_order_id, "78");
  EXPECT_EQ(adapter.add(p, req).outcome, AddOutcome::kRefused);
  EXPECT_EQ(adapter.add(p, req).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(adapter.add(p, req).outcome, AddOutcome::kRefused);  // never left
  auto sent = http->requests();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].url, "http://panel/api/v2");
  EXPECT_EQ(sent[0].body, "key=k&action=add&service=&link=&quantity=1");
}

TEST_F(SmmV2Test, ConnectionRefusedIsARefusal) {
  provider_.base_url = "http://127.0.0.1:" + std::to_string(testing::closedPort()) + "/api/v2";
  auto r = adapter_.add(provider_, request("a"));
  EXPECT_EQ(r.outcome, AddOutcome::kRefused);
  EXPECT_NE(r.raw.find("transport error"), std::string::npos);
}

TEST_F(SmmV2Test, StatusMovesThroughProcessingToCompleted) {
  sim_.setCompletion(Outcome::kSuccess, 2);
  const auto id = adapter_.add(provider_, request("a")).provider_order_id;
  auto first = adapter_.status(provider_, {id});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].state, RemoteState::kProcessing) << first[0].raw;
  EXPECT_EQ(first[0].provider_order_id, id);
  EXPECT_EQ(first[0].start_count, 1001);
  auto second = adapter_.status(provider_, {id});
  EXPECT_EQ(second[0].state, RemoteState::kSuccess) << second[0].raw;
  EXPECT_EQ(second[0].remain, 0);
}

TEST_F(SmmV2Test, StatusPartialAndCanceled) {
  sim_.setCompletion(Outcome::kPartial, 1, 40);
  const auto partial = adapter_.add(provider_, request("a", 120)).provider_order_id;
  sim_.setAddBehaviour(Behaviour::kFail, 1);
  const auto failed = adapter_.add(provider_, request("b")).provider_order_id;
  sim_.setAddBehaviour(Behaviour::kPartial, 1);
  const auto third = adapter_.add(provider_, request("c", 300)).provider_order_id;
  auto s = adapter_.status(provider_, {partial, failed, third});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].state, RemoteState::kPartial) << s[0].raw;
  EXPECT_EQ(s[0].remain, 40);
  EXPECT_EQ(s[1].state, RemoteState::kError) << s[1].raw;
  EXPECT_EQ(s[2].state, RemoteState::kPartial) << s[2].raw;
  EXPECT_EQ(s[2].remain, 40);  // setCompletion's remains applies to kPartial adds too
}

TEST_F(SmmV2Test, MultiStatusKeepsTheOrderAndMarksUnknownIds) {
  const auto a = adapter_.add(provider_, request("a")).provider_order_id;
  const auto b = adapter_.add(provider_, request("b")).provider_order_id;
  auto s = adapter_.status(provider_, {b, "999999", a});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].provider_order_id, b);
  EXPECT_EQ(s[0].state, RemoteState::kProcessing);
  EXPECT_EQ(s[1].provider_order_id, "999999");
  EXPECT_EQ(s[1].state, RemoteState::kNotFound);
  EXPECT_EQ(s[1].reason, "Incorrect order ID");
  EXPECT_EQ(s[2].provider_order_id, a);
  EXPECT_EQ(s[2].state, RemoteState::kProcessing);
  EXPECT_EQ(sim_.statusCalls(), 1);

  auto single = adapter_.status(provider_, {"424242"});
  ASSERT_EQ(single.size(), 1u);
  EXPECT_EQ(single[0].state, RemoteState::kNotFound);
  EXPECT_TRUE(adapter_.status(provider_, {}).empty());
}

TEST_F(SmmV2Test, MultiStatusIsSentInChunksOfOneHundred) {
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(std::to_string(5000 + i));
  auto s = adapter_.status(provider_, ids);
  ASSERT_EQ(s.size(), 150u);
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i].provider_order_id, ids[i]);
    EXPECT_EQ(s[i].state, RemoteState::kNotFound);
  }
  EXPECT_EQ(sim_.statusCalls(), 2);
}

TEST_F(SmmV2Test, StatusWithoutAnAnswerIsUnknownForEveryId) {
  provider_.base_url = "http://127.0.0.1:" + std::to_string(testing::closedPort()) + "/api/v2";
  auto s = adapter_.status(provider_, {"1", "2"});
  ASSERT_EQ(s.size(), 2u);
  for (const auto& e : s) EXPECT_EQ(e.state, RemoteState::kUnknown);

  provider_ = sim_.provider("smm-v2");
  provider_.api_key = "wrong";
  auto refused = adapter_.status(provider_, {"1001", "1002"});
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].state, RemoteState::kUnknown);
  EXPECT_EQ(refused[0].reason, "Invalid API key");
  EXPECT_EQ(adapter_.status(provider_, {"1001"})[0].state, RemoteState::kUnknown);
}

RemoteState stateOf(const std::string& entry_json) {
  return adapters::smmV2Entry(boost::json::parse(entry_json), "1", entry_json).state;
}

TEST(SmmV2Entry, MapsEveryStatusWord) {
  EXPECT_EQ(stateOf(R"({"status":"Pending"})"), RemoteState::kPending);
  EXPECT_EQ(stateOf(R"({"status":"In progress"})"), RemoteState::kProcessing);
  EXPECT_EQ(stateOf(R"({"status":"Processing"})"), RemoteState::kProcessing);
  EXPECT_EQ(stateOf(R"({"status":" in PROGRESS "})"), RemoteState::kProcessing);
  EXPECT_EQ(stateOf(R"({"status":"Completed"})"), RemoteState::kSuccess);
  EXPECT_EQ(stateOf(R"({"status":"Partial","remains":"157"})"), RemoteState::kPartial);
  EXPECT_EQ(stateOf(R"({"status":"Partial"})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({"status":"Partial","remains":"many"})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({"status":"Canceled"})"), RemoteState::kError);
  EXPECT_EQ(stateOf(R"({"status":"Cancelled"})"), RemoteState::kError);
  EXPECT_EQ(stateOf(R"({"status":"Refunded"})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({"status":""})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({"charge":"1"})"), RemoteState::kUnknown);
  EXPECT_EQ(stateOf(R"({"error":"Incorrect order ID"})"), RemoteState::kNotFound);
  EXPECT_EQ(stateOf(R"({"error":"Order not found"})"), RemoteState::kNotFound);
  EXPECT_EQ(stateOf(R"({"error":"Invalid API key"})"), RemoteState::kUnknown);
}

TEST(SmmV2Entry, NumbersMayBeStringsOrNumbers) {
  const std::string doc =
      R"({"charge":"0.27819","start_count":"3572","status":"Partial","remains":"157","currency":"USD"})";
  auto s = adapters::smmV2Entry(boost::json::parse(doc), "1", doc);
  EXPECT_EQ(s.state, RemoteState::kPartial);
  EXPECT_EQ(s.start_count, 3572);
  EXPECT_EQ(s.remain, 157);
  EXPECT_EQ(s.raw, doc);
  auto n = adapters::smmV2Entry(
      boost::json::parse(R"({"start_count":3572,"status":"Partial","remains":157.0})"), "1", "");
  EXPECT_EQ(n.start_count, 3572);
  EXPECT_EQ(n.remain, 157);
  auto bad =
      adapters::smmV2Entry(boost::json::parse(R"({"start_count":null,"status":"Completed"})"), "1", "");
  EXPECT_EQ(bad.state, RemoteState::kSuccess);
  EXPECT_FALSE(bad.start_count);
}

TEST_F(SmmV2Test, BalanceIsRoundedHalfUpToWholeRupiah) {
  auto b = adapter_.balance(provider_);
  ASSERT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(b->rupiah, 1500001);  // "1500000.50"

  provider_.api_key = "wrong";
  auto refused = adapter_.balance(provider_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().detail.find("Invalid API key"), std::string::npos);
}

TEST_F(SmmV2Test, ServicesWithRatesRoundedUp) {
  auto s = adapter_.services(provider_);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].code, "1");
  EXPECT_EQ((*s)[0].name, "Instagram Followers Indonesia");
  EXPECT_EQ((*s)[0].category, "Instagram Followers");
  EXPECT_EQ((*s)[0].kind, domain::Kind::kSocialMedia);
  EXPECT_EQ((*s)[0].rate.rupiah, 28501);  // "28500.50" rounded up
  EXPECT_EQ((*s)[0].min, 100);
  EXPECT_EQ((*s)[0].max, 10000);
  EXPECT_EQ((*s)[1].rate.rupiah, 9000);
  EXPECT_EQ((*s)[2].rate.rupiah, 1251);  // "1250.25"
}

TEST(SmmV2Services, SkipsEntriesThatCannotBeRouted) {
  auto http = std::make_shared<testing::ScriptedHttpClient>();
  SmmV2Adapter adapter(http);
  http->pushReply(200, R"([{"service":7,"name":"ok","rate":0.9,"min":50,"max":"100"},
                           {"name":"no code","rate":"1"}, {"service":8,"rate":"free"}])");
  http->pushReply(200, R"({"error":"Invalid API key"})");
  http->pushReply(200, "oops");
  domain::Provider p;
  auto s = adapter.services(p);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].code, "7");
  EXPECT_EQ((*s)[0].rate.rupiah, 1);
  EXPECT_EQ((*s)[0].min, 50);
  EXPECT_EQ((*s)[0].max, 100);
  EXPECT_EQ(adapter.services(p).error().code, Errc::kUnavailable);
  EXPECT_EQ(adapter.services(p).error().code, Errc::kInternal);
}

}  // namespace
}  // namespace warung::dispatch
