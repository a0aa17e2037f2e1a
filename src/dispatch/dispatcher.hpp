#pragma once
// The dispatcher: sends accepted orders to their providers, polls their progress,
// reconciles unknown outcomes, and moves orders through the Lifecycle.
//
//   claimToSend ─> add() ─┬─ accepted ─> kSent ──poll──> processing / success / partial / error
//                         ├─ refused ──> next route (kQueued) ... none left: error + refund
//                         ├─ unknown ──> kUnknown ──lookup by our ref──> kSent | kQueued (surely absent) |
//                         kStuck └─ manual ───> kManual (the operator completes it)
//
// Provider calls happen outside any database transaction. Every claim is a
// compare-and-set in the store, so no two workers (or nodes) send the same order;
// an add whose outcome is unknown is never re-sent unless the provider confirmed it
// has no such order. Threads: start() runs `send_workers` senders and one poller.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "dispatch/adapter.hpp"
#include "dispatch/lifecycle.hpp"
#include "store/dispatch_store.hpp"
#include "store/store.hpp"

namespace warung::dispatch {

struct DispatcherConfig {
  bool enabled = true;
  int send_workers = 4;                      // threads blocked on providers' add calls
  int claim_batch = 16;                      // orders claimed per round per worker
  std::chrono::milliseconds idle_wait{200};  // how soon new work is noticed when idle
  std::int64_t poll_interval_s = 5;          // status polls of sent orders
  int poll_batch = 100;                      // provider order ids per status call
  std::int64_t retry_base_s = 2;             // backoff for unknown outcomes and failed polls
  std::int64_t retry_cap_s = 300;
  int max_reconcile_attempts = 12;  // then kStuck: the operator decides
  int max_resends = 2;              // re-sends after a provider confirmed "no such order"
  std::int64_t lease_s = 120;       // a claimed row is not re-claimed for this long (> any timeout)
};

class Dispatcher {
 public:
  Dispatcher(DispatcherConfig config, store::Store& store, store::DispatchStore& dstore,
             const AdapterRegistry& adapters, Lifecycle& lifecycle, const Clock& clock);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  // Finishes the calls in flight and joins the threads; idempotent.
  void stop();
  // Wakes the senders now (a new order was accepted).
  void notify();

  // One round of each kind of work, returning how many orders it handled (sendRound:
  // how many it sent, and how many its claim filed as manual). The threads call
  // these; tests and tools may call them directly.
  struct Round {
    int sent = 0;          // orders claimed and sent
    int filed_manual = 0;  // orders the claim filed as manual (no route)
  };
  Round sendRound();
  int pollRound();
  int reconcileRound();
  int recoverRound();  // kSending rows left by a crashed process become kUnknown

  // A status the provider announced by itself (its webhook, signature already checked),
  // applied exactly like a poll's answer: the order moves through the Lifecycle
  // (compare-and-set: a duplicate, or a change older than the order's state, changes
  // nothing), a sent order's next poll is pushed back by poll_interval_s, and the
  // order's story records "webhook from NAME: ...". ok also when nothing changed.
  // kNotFound when no order of ours carries remote.provider_order_id at `p` (not yet,
  // or never); kInvalidArgument for a status that is not one (kUnknown, kNotFound).
  // Any thread.
  Status onProviderStatus(const domain::Provider& p, const domain::RemoteStatus& remote);

 private:
  void send(store::DispatchItem item);
  void reconcile(store::DispatchItem item);
  // Applies a provider's status to the order; returns true when it became final.
  bool applyRemote(const domain::Order& order, const domain::RemoteStatus& remote, const domain::Provider& p);
  void event(std::int64_t order_id, std::string kind, std::string detail);
  void save(domain::Dispatch d, domain::DispatchPhase expected);
  void failOrder(const domain::Order& order, const std::string& why);
  void waitForWork(std::chrono::milliseconds d);

  DispatcherConfig config_;
  store::Store& store_;
  store::DispatchStore& dstore_;
  const AdapterRegistry& adapters_;
  Lifecycle& lifecycle_;
  const Clock& clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t wakeups_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace warung::dispatch
