#include "dispatch/simulator.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>

#include "common/crypto.hpp"
#include "dispatch/adapters/osimesa.hpp"
#include "dispatch/adapters/smm_v2.hpp"
#include "dispatch/simulator_state.hpp"
#include "dispatch/support.hpp"
#include "support/temp_dir.hpp"

namespace warung::dispatch {
namespace {

using namespace std::chrono_literals;
using domain::RemoteState;
using Behaviour = ProviderSimulator::Behaviour;

Result<HttpReply> post(HttpClient& http, const std::string& url, const std::string& body) {
  HttpRequest r;
  r.url = url;
  r.body = body;
  r.timeout = 5s;
  return http.post(r);
}

AddRequest socialAdd(const std::string& ref, std::int64_t quantity = 300) {
  AddRequest r;
  r.our_ref = ref;
  r.provider_service = "1";
  r.data = {"link-" + ref, std::to_string(quantity), ""};
  r.quantity = quantity;
  return r;
}

TEST(ProviderSimulator, BehaviourNamesRoundTrip) {
  for (Behaviour b :
       {Behaviour::kSucceed, Behaviour::kRefuseBalance, Behaviour::kRefuseService, Behaviour::kTimeout,
        Behaviour::kTimeoutNoCreate, Behaviour::kServerError, Behaviour::kServerErrorButCreated,
        Behaviour::kGarbage, Behaviour::kPartial, Behaviour::kFail}) {
    EXPECT_EQ(parseBehaviour(toString(b)), b) << toString(b);
  }
  EXPECT_FALSE(parseBehaviour("explode"));
  for (auto o : {ProviderSimulator::Outcome::kSuccess, ProviderSimulator::Outcome::kPartial,
                 ProviderSimulator::Outcome::kError}) {
    EXPECT_EQ(parseOutcome(toString(o)), o) << toString(o);
  }
  EXPECT_FALSE(parseOutcome("done"));
}

TEST(ProviderSimulator, ControlEndpointsDriveBehaviourAndReportStats) {
  ProviderSimulator sim;
  sim.start();
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  adapters::SmmV2Adapter smm(http);
  const auto p = sim.provider("smm-v2");

  auto set = post(*http, sim.baseUrl() + "/_sim/behaviour", "behaviour=refuse-service&count=2");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->status, 200);
  EXPECT_EQ(smm.add(p, socialAdd("a")).outcome, AddOutcome::kRefused);
  EXPECT_EQ(smm.add(p, socialAdd("b")).outcome, AddOutcome::kRefused);
  EXPECT_EQ(smm.add(p, socialAdd("c")).outcome, AddOutcome::kAccepted);

  auto bad = post(*http, sim.baseUrl() + "/_sim/behaviour", "behaviour=explode");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);

  auto completion = post(*http, sim.baseUrl() + "/_sim/completion", "outcome=error&after_polls=1");
  ASSERT_TRUE(completion.ok());
  EXPECT_EQ(completion->status, 200);
  const auto id = smm.add(p, socialAdd("d")).provider_order_id;
  EXPECT_EQ(smm.status(p, {id})[0].state, RemoteState::kError);

  HttpRequest get;
  get.url = sim.baseUrl() + "/_sim/stats";
  auto stats = http->post(get);  // the simulator answers stats to any method
  ASSERT_TRUE(stats.ok());
  auto doc = boost::json::parse(stats->body);
  EXPECT_EQ(doc.at("add_calls").as_int64(), 4);
  EXPECT_EQ(doc.at("status_calls").as_int64(), 1);
  EXPECT_EQ(doc.at("add_calls_by_ref").at("link-a").as_int64(), 1);
  const auto& orders = doc.at("orders").as_array();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].at("dialect").as_string(), "smm-v2");
  EXPECT_EQ(orders[0].at("status").as_string(), "waiting");
  EXPECT_EQ(orders[1].at("status").as_string(), "error");
  EXPECT_EQ(orders[1].at("polls").as_int64(), 1);
}

TEST(ProviderSimulator, ControlEndpointSetsTheDelay) {
  ProviderSimulator sim;
  sim.start();
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  adapters::SmmV2Adapter smm(http);
  auto set = post(*http, sim.baseUrl() + "/_sim/behaviour", "behaviour=timeout&count=1&delay_ms=60000");
  ASSERT_TRUE(set.ok());
  auto p = sim.provider("smm-v2", "sim", 200);
  EXPECT_EQ(smm.add(p, socialAdd("a")).outcome, AddOutcome::kUnknown);
  EXPECT_EQ(sim.orders().size(), 1u);
}

TEST(ProviderSimulator, RandomOutcomesEndWithinThreePolls) {
  ProviderSimulator::Options o;
  o.random_outcomes = true;
  o.seed = 7;
  ProviderSimulator sim(o);
  sim.start();
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  adapters::SmmV2Adapter smm(http);
  adapters::OsimesaAdapter osimesa(http);
  const auto p = sim.provider("smm-v2");
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i)
    ids.push_back(smm.add(p, socialAdd("r" + std::to_string(i))).provider_order_id);
  std::map<RemoteState, int> ends;
  std::vector<domain::RemoteStatus> last;
  for (int poll = 0; poll < 3; ++poll) last = smm.status(p, ids);
  for (const auto& s : last) {
    ++ends[s.state];
    if (s.state == RemoteState::kPartial) {
      EXPECT_EQ(s.remain, 100);  // quantity / 3
    }
  }
  EXPECT_GT(ends[RemoteState::kSuccess], 0);
  EXPECT_GT(ends[RemoteState::kPartial], 0);
  EXPECT_GT(ends[RemoteState::kError], 0);
  EXPECT_EQ(ends[RemoteState::kSuccess] + ends[RemoteState::kPartial] + ends[RemoteState::kError], 60);

  // Games never end partial.
  const auto g = sim.provider("osimesa");
  for (int i = 0; i < 30; ++i) {
    AddRequest r;
    r.our_ref = "g" + std::to_string(i);
    r.kind = domain::Kind::kGame;
    r.provider_service = "ML86";
    r.data = {"123", "", ""};
    const auto id = osimesa.add(g, r).provider_order_id;
    domain::RemoteStatus s;
    for (int poll = 0; poll < 3; ++poll) s = osimesa.status(g, {id})[0];
    EXPECT_TRUE(s.state == RemoteState::kSuccess || s.state == RemoteState::kError) << s.raw;
    if (s.state == RemoteState::kSuccess) {
      EXPECT_EQ(s.voucher.rfind("SN-", 0), 0u);
    }
  }
}

TEST(ProviderSimulator, StopInterruptsADelayedAnswer) {
  ProviderSimulator sim;
  sim.start();
  sim.setAddBehaviour(Behaviour::kTimeout, -1, 10min);
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  adapters::SmmV2Adapter smm(http);
  const auto p = sim.provider("smm-v2", "sim", 10 * 60 * 1000);
  auto pending = std::async(std::launch::async, [&] { return smm.add(p, socialAdd("a")); });
  ASSERT_TRUE(testing::eventuallyTrue([&] { return sim.orders().size() == 1; }));
  sim.stop();
  EXPECT_EQ(pending.get().outcome, AddOutcome::kUnknown);
  sim.stop();  // idempotent
}

TEST(ProviderSimulator, ChecksCredentialsAndMethods) {
  ProviderSimulator sim;
  sim.start();
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  auto r = post(*http, sim.smmV2Url(), "key=wrong&action=balance");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, R"({"error":"Invalid API key"})");
  auto o = post(*http, sim.baseUrl() + "/api/game", "key=sim-key&sign=00&type=service");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->status, 401);
  EXPECT_EQ(o->body, R"({"code":401,"data":null,"status":false,"message":"invalid key or sign"})");
  auto missing = post(*http, sim.baseUrl() + "/nope", "");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST(ProviderSimulator, OsimesaStatusWithoutReferenceListsTheLatest) {
  ProviderSimulator sim;
  sim.start();
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  adapters::OsimesaAdapter osimesa(http);
  const auto p = sim.provider("osimesa");
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(osimesa.add(p, socialAdd("x" + std::to_string(i))).outcome, AddOutcome::kAccepted);
  auto r = post(*http, sim.baseUrl() + "/api/social-media",
                formEncode({{"key", "sim-key"}, {"sign", crypto::md5Hex("SIMsim-key")}, {"type", "status"}}));
  ASSERT_TRUE(r.ok());
  auto doc = boost::json::parse(r->body);
  ASSERT_EQ(doc.at("data").as_array().size(), 3u);
  EXPECT_EQ(doc.at("data").as_array()[0].at("ref_id").as_string(), sim.orders().back().provider_order_id);
}

// The demo's: orders a simulator had when it stopped are still there when it starts
// again on the same state file, go on ending as they would have, and new orders get
// new ids (an id given again would answer an old order's poll with a new order).
TEST(ProviderSimulator, AStateFileKeepsTheOrdersAcrossARestart) {
  testing::TempDir dir;
  ProviderSimulator::Options o;
  o.state_file = dir.file("providers.json");
  o.complete_after_polls = 3;
  auto http = std::shared_ptr<HttpClient>(makeCurlHttpClient());
  adapters::SmmV2Adapter smm(http);
  adapters::OsimesaAdapter osimesa(http);
  AddRequest game;
  game.our_ref = "g1";
  game.kind = domain::Kind::kGame;
  game.provider_service = "ML86";
  game.data = {"123", "4", ""};
  std::string social_id;
  std::string game_id;
  {
    ProviderSimulator first(o);
    first.start();
    social_id = smm.add(first.provider("smm-v2"), socialAdd("a")).provider_order_id;
    game_id = osimesa.add(first.provider("osimesa"), game).provider_order_id;
    EXPECT_EQ(smm.status(first.provider("smm-v2"), {social_id})[0].state, RemoteState::kProcessing);
  }
  ProviderSimulator second(o);
  second.start();
  const auto kept = second.findOrder(social_id);
  ASSERT_TRUE(kept) << "the restarted simulator lost order " << social_id;
  EXPECT_EQ(kept->polls, 1);
  EXPECT_EQ(kept->data[0], "link-a");
  const auto p = second.provider("smm-v2");
  EXPECT_EQ(smm.status(p, {social_id})[0].state, RemoteState::kProcessing);
  EXPECT_EQ(smm.status(p, {social_id})[0].state, RemoteState::kSuccess);  // the third poll
  const auto g = second.provider("osimesa");
  osimesa.status(g, {game_id});
  osimesa.status(g, {game_id});
  const auto ended = osimesa.status(g, {game_id});
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].state, RemoteState::kSuccess) << ended[0].raw;
  EXPECT_EQ(ended[0].voucher.rfind("SN-", 0), 0u) << ended[0].raw;
  // The idempotency key still finds the game order: no second one is created.
  EXPECT_EQ(osimesa.add(g, game).provider_order_id, game_id);
  const std::string next = smm.add(p, socialAdd("b")).provider_order_id;
  EXPECT_NE(next, social_id);
  EXPECT_EQ(second.orders().size(), 3u);
}

TEST(ProviderSimulator, AStateFileThatIsNotOneOfOursStopsStartNamingIt) {
  testing::TempDir dir;
  ProviderSimulator::Options o;
  o.state_file = dir.file("providers.json");
  for (const std::string bad :
       {"not json", R"({"format":2,"orders":[]})", R"({"format":1,"orders":[{"id":1001}]})"}) {
    SCOPED_TRACE(bad);
    std::ofstream(o.state_file) << bad;
    ProviderSimulator sim(o);
    try {
      sim.start();
      ADD_FAILURE() << "started";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(o.state_file), std::string::npos) << e.what();
    }
  }
}

// The state file is replaced whole: a leftover temporary (a save killed midway) is
// written over, none is left behind, and a save that cannot write keeps the old file
// and names what it could not write.
TEST(ProviderSimulator, TheStateFileIsReplacedWholeOrNotAtAll) {
  testing::TempDir dir;
  const std::string path = dir.file("providers.json");
  const auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::ofstream(path + ".tmp") << "half of an older sa";
  detail::replaceFileDurably(path, "first\n");
  EXPECT_EQ(read(path), "first\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  detail::replaceFileDurably(path, "second, longer than the first\n");
  detail::replaceFileDurably(path, "third\n");
  EXPECT_EQ(read(path), "third\n");

  std::filesystem::create_directory(path + ".tmp");  // the temporary cannot be opened
  try {
    detail::replaceFileDurably(path, "fourth\n");
    ADD_FAILURE() << "replaced";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ".tmp"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read(path), "third\n");
}

}  // namespace
}  // namespace warung::dispatch
