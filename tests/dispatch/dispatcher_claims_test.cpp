// How often the dispatcher's sender claims (Dispatcher::start's loop), against a
// scripted DispatchStore whose every claim files the same number of route-less orders
// as manual and sends none: a stream of orders that never runs dry. The rest of the
// store is a real SqliteStore (the Lifecycle needs one); the scripted one forwards
// nothing else the sender calls.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/clock.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/lifecycle.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace warung::dispatch {
namespace {

using domain::DispatchPhase;

Error unused() { return makeError(Errc::kNotFound, "not scripted"); }

class ScriptedClaims final : public store::DispatchStore {
 public:
  explicit ScriptedClaims(int filed_per_claim) : filed_per_claim_(filed_per_claim) {}
  int claims() const { return claims_.load(); }

  Result<store::SendClaim> claimToSend(std::int64_t, int) override {
    claims_.fetch_add(1);
    store::SendClaim c;
    c.filed_manual = filed_per_claim_;
    return c;
  }
  Result<std::vector<store::DispatchItem>> claimDue(DispatchPhase, std::int64_t, std::int64_t, int) override {
    return std::vector<store::DispatchItem>{};  // nothing to poll, reconcile or recover
  }

  Result<domain::Provider> createProvider(const domain::Provider&) override { return unused(); }
  Result<std::vector<domain::Provider>> listProviders() override { return unused(); }
  Result<domain::Provider> findProvider(std::string_view) override { return unused(); }
  Result<domain::Provider> findProviderById(std::int64_t) override { return unused(); }
  Status updateProvider(const domain::Provider&) override { return unused(); }
  Status setRoutes(std::int64_t, const std::vector<domain::Route>&) override { return unused(); }
  Result<std::vector<domain::Route>> routes(std::int64_t) override { return unused(); }
  Status saveDispatch(const domain::Dispatch&, DispatchPhase) override { return unused(); }
  Result<domain::Dispatch> findDispatch(std::int64_t) override { return unused(); }
  Result<store::DispatchItem> findByProviderOrder(std::int64_t, std::string_view) override {
    return unused();
  }
  Status appendEvent(const domain::OrderEvent&) override { return unused(); }
  Result<std::vector<domain::OrderEvent>> events(std::int64_t) override { return unused(); }
  Status setCallback(std::int64_t, std::string_view, std::string_view) override { return unused(); }
  Result<std::vector<domain::WebhookDelivery>> claimDeliveries(std::int64_t, std::int64_t, int) override {
    return unused();
  }
  Status markDelivered(std::int64_t, std::int64_t) override { return unused(); }
  Status markRetry(std::int64_t, int, std::int64_t, std::string_view) override { return unused(); }
  Status markFailed(std::int64_t, int, std::string_view) override { return unused(); }
  Result<std::vector<domain::WebhookDelivery>> listDeliveries(const store::DeliveryFilter&) override {
    return unused();
  }
  Status replayDelivery(std::int64_t, std::int64_t) override { return unused(); }

 private:
  const int filed_per_claim_;
  std::atomic<int> claims_{0};
};

// One sender, claim_batch 1 (a cap of kManualPerClaimed route-less orders per claim),
// idle_wait far longer than the test: the claims made by a sender whose every claim
// files `filed`, from its first one until `run` later.
int claimsIn(int filed, std::chrono::milliseconds run) {
  testing::TempDir dir;
  store::sqlite::SqliteStore store(dir.file("warung.db"));
  SystemClock clock;
  Lifecycle lifecycle(store, clock, [](const domain::Order&) { return std::string(); });
  AdapterRegistry adapters;
  ScriptedClaims claims(filed);
  DispatcherConfig config;
  config.send_workers = 1;
  config.claim_batch = 1;
  config.idle_wait = std::chrono::seconds(30);
  Dispatcher dispatcher(config, store, claims, adapters, lifecycle, clock);
  dispatcher.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (claims.claims() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(run);
  dispatcher.stop();  // wakes a sender waiting idle_wait
  return claims.claims();
}

// A claim that filed its cap of route-less orders has not reached the newest order: a
// backlog is filed claim after claim, a millisecond apart.
TEST(DispatcherClaims, AClaimThatFiledItsCapIsFollowedByTheNextAtOnce) {
  EXPECT_GE(claimsIn(store::kManualPerClaimed, std::chrono::milliseconds(300)), 10);
}

// One that filed fewer reached the newest order: the next claim waits idle_wait, as
// after a claim that found nothing, so that under a burst of route-less orders each
// claim (one transaction, one WAL sync) files idle_wait's worth of them rather than
// the few that arrived in a millisecond.
TEST(DispatcherClaims, AfterAClaimThatFiledFewerThanItsCapTheNextWaitsIdleWait) {
  EXPECT_EQ(claimsIn(store::kManualPerClaimed - 1, std::chrono::milliseconds(300)), 1);
  EXPECT_EQ(claimsIn(1, std::chrono::milliseconds(300)), 1);
  EXPECT_EQ(claimsIn(0, std::chrono::milliseconds(300)), 1);
}

}  // namespace
}  // namespace warung::dispatch
