#include "dispatch/dispatcher.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "common/thread_name.hpp"

namespace warung::dispatch {
namespace {

using domain::DispatchPhase;
using domain::RemoteState;

std::string_view toString(AddOutcome o) {
  switch (o) {
    case AddOutcome::kAccepted:
      return "accepted";
    case AddOutcome::kRefused:
      return "refused";
    case AddOutcome::kUnknown:
      return "unknown";
    case AddOutcome::kManual:
      return "manual";
  }
  return "?";
}

std::string_view toString(RemoteState s) {
  switch (s) {
    case RemoteState::kPending:
      return "pending";
    case RemoteState::kProcessing:
      return "processing";
    case RemoteState::kSuccess:
      return "success";
    case RemoteState::kPartial:
      return "partial";
    case RemoteState::kError:
      return "error";
    case RemoteState::kNotFound:
      return "not found";
    case RemoteState::kUnknown:
      return "unknown";
  }
  return "?";
}

}  // namespace

Dispatcher::Dispatcher(DispatcherConfig config, store::Store& store, store::DispatchStore& dstore,
                       const AdapterRegistry& adapters, Lifecycle& lifecycle, const Clock& clock)
    : config_(config),
      store_(store),
      dstore_(dstore),
      adapters_(adapters),
      lifecycle_(lifecycle),
      clock_(clock) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
  // When idle only the first sender looks for work (each look is a write
  // transaction); it wakes the others when it finds some, so a burst is sent by all.
  for (int i = 0; i < config_.send_workers; ++i) {
    threads_.emplace_back([this, i] {
      setThreadName("dispatch-" + std::to_string(i));
      while (true) {
        {
          std::lock_guard lock(mu_);
          if (stopping_) return;
        }
        const Round round = sendRound();
        if (round.sent == config_.claim_batch) notify();
        // Orders filed as manual are progress too: a backlog of them (a claim that
        // filed its cap) is filed claim after claim, not one claim per idle_wait, with
        // a pause of a millisecond between two. A claim that filed fewer reached the
        // newest order: the next waits as an idle one does, so that under a burst of
        // route-less orders each claim files idle_wait's worth in one transaction
        // (one WAL sync) instead of the few that arrived in a millisecond.
        const int manual_cap = config_.claim_batch * store::kManualPerClaimed;
        if (round.sent == 0 && round.filed_manual < manual_cap) {
          waitForWork(i == 0 ? config_.idle_wait : config_.idle_wait * 20);
        } else if (round.sent == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    });
  }
  threads_.emplace_back([this] {
    setThreadName("dispatch-poll");
    recoverRound();
    while (true) {
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
      }
      const int handled = pollRound() + reconcileRound() + recoverRound();
      // Polls, reconciliations and recoveries are due on a scale of seconds.
      if (handled == 0) waitForWork(std::max(config_.idle_wait, std::chrono::milliseconds(1000)));
    }
  });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Dispatcher::notify() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

void Dispatcher::waitForWork(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  const auto seen = wakeups_;
  cv_.wait_for(lock, d, [&] { return stopping_ || wakeups_ != seen; });
}

void Dispatcher::event(std::int64_t order_id, std::string kind, std::string detail) {
  domain::OrderEvent e;
  e.order_id = order_id;
  e.at = clock_.nowUnix();
  e.kind = std::move(kind);
  e.detail = std::move(detail);
  if (auto st = dstore_.appendEvent(e); !st) spdlog::warn("order {}: cannot record event", order_id);
}

void Dispatcher::save(domain::Dispatch d, DispatchPhase expected) {
  d.updated_at = clock_.nowUnix();
  if (auto st = dstore_.saveDispatch(d, expected); !st) {
    // Someone else (the operator, another node) moved the order meanwhile.
    spdlog::info("order {}: dispatch state not saved ({})", d.order_id, st.error().detail);
  }
}

void Dispatcher::failOrder(const domain::Order& order, const std::string& why) {
  domain::TransitionRequest req;
  req.to = domain::OrderStatus::kError;
  req.note = why;
  auto r = lifecycle_.transition(order, req, "dispatcher");
  if (!r) spdlog::warn("order {}: cannot end in error: {}", order.ref_id, r.error().detail);
}

Dispatcher::Round Dispatcher::sendRound() {
  auto claim = dstore_.claimToSend(clock_.nowUnix(), config_.claim_batch);
  if (!claim) return {};
  for (auto& item : claim->items) send(std::move(item));
  return {static_cast<int>(claim->items.size()), claim->filed_manual};
}

void Dispatcher::send(store::DispatchItem item) {
  const domain::Order& order = item.order;
  domain::Dispatch d = item.dispatch;
  const std::int64_t now = clock_.nowUnix();
  if (order.status != domain::OrderStatus::kWaiting) {
    d.phase = DispatchPhase::kDone;  // completed by hand before it was sent
    return save(d, DispatchPhase::kSending);
  }
  auto routes = dstore_.routes(order.service_id);
  if (!routes) {
    d.phase = DispatchPhase::kQueued;
    d.next_at = now + config_.retry_base_s;
    return save(d, DispatchPhase::kSending);
  }
  if (routes->empty()) {
    d.phase = DispatchPhase::kManual;
    event(order.id, "provider", "no provider route for this service: waits for the operator");
    return save(d, DispatchPhase::kSending);
  }
  // Walk the routes from the current one; disabled or unusable providers are skipped.
  while (d.route_index < static_cast<int>(routes->size())) {
    const domain::Route& route = (*routes)[static_cast<std::size_t>(d.route_index)];
    auto provider = dstore_.findProviderById(route.provider_id);
    ProviderAdapter* adapter = provider ? adapters_.find(provider->dialect) : nullptr;
    if (!provider || !provider->enabled || adapter == nullptr) {
      event(order.id, "provider",
            provider
                ? fmt::format("{}: skipped ({})", provider->name,
                              provider->enabled ? "no adapter for dialect " + provider->dialect : "disabled")
                : "route to a missing provider skipped");
      ++d.route_index;
      continue;
    }
    if (d.provider_id != provider->id) {
      // Record which provider is about to be asked before asking: if this process dies
      // mid-call, recovery must reconcile with this provider, not an earlier route's.
      d.provider_id = provider->id;
      save(d, DispatchPhase::kSending);
    }
    AddRequest req{order.ref_id, order.kind, route.provider_service, order.data, order.quantity};
    AddResult r = adapter->add(*provider, req);
    event(order.id, "provider",
          fmt::format("{} add {}: {}{}", provider->name, toString(r.outcome), r.raw,
                      r.reason.empty() ? "" : " (" + r.reason + ")"));
    switch (r.outcome) {
      case AddOutcome::kAccepted: {
        d.attempts = 0;
        d.phase = DispatchPhase::kSent;
        d.provider_order_id = r.provider_order_id;
        d.next_at = clock_.nowUnix() + config_.poll_interval_s;
        d.last_error.clear();
        save(d, DispatchPhase::kSending);
        domain::TransitionRequest t;
        t.to = domain::OrderStatus::kProcessing;
        if (auto moved = lifecycle_.transition(order, t, provider->name); !moved) {
          spdlog::info("order {}: accepted by {} but not moved to processing: {}", order.ref_id,
                       provider->name, moved.error().detail);
        }
        return;
      }
      case AddOutcome::kManual:
        d.phase = DispatchPhase::kManual;
        return save(d, DispatchPhase::kSending);
      case AddOutcome::kUnknown:
        // The provider may have created it: never send again blindly; ask it later.
        // `attempts` is kept: it counts this route's re-sends after confirmed absences.
        spdlog::warn("order {}: outcome at {} unknown: {} (raw: {})", order.ref_id, provider->name, r.reason,
                     r.raw);
        d.phase = DispatchPhase::kUnknown;
        d.last_error = r.reason;
        d.next_at = clock_.nowUnix() + domain::backoffSeconds(0, config_.retry_base_s, config_.retry_cap_s);
        return save(d, DispatchPhase::kSending);
      case AddOutcome::kRefused:
        d.last_error = r.reason;
        d.attempts = 0;
        ++d.route_index;  // definite refusal: the next provider may take it
        continue;
    }
  }
  // Every route refused (or none was usable): end in error, refund.
  d.phase = DispatchPhase::kDone;
  save(d, DispatchPhase::kSending);
  failOrder(order, "no provider could take the order");
}

int Dispatcher::recoverRound() {
  // A kSending row older than the lease was claimed by a process that died mid-call:
  // the add may have reached the provider, so it is an unknown outcome, not a resend.
  auto items =
      dstore_.claimDue(DispatchPhase::kSending, clock_.nowUnix(), config_.lease_s, config_.claim_batch);
  if (!items) return 0;
  for (auto& item : *items) {
    domain::Dispatch d = item.dispatch;
    if (d.provider_id == 0) {
      // Died before choosing a provider: nothing was sent, so sending is safe.
      d.phase = DispatchPhase::kQueued;
      d.next_at = clock_.nowUnix();
      save(d, DispatchPhase::kSending);
      continue;
    }
    event(item.order.id, "provider", "sending was interrupted (restart): outcome unknown, will reconcile");
    d.phase = DispatchPhase::kUnknown;
    d.attempts = 0;
    d.next_at = clock_.nowUnix();
    save(d, DispatchPhase::kSending);
  }
  return static_cast<int>(items->size());
}

int Dispatcher::reconcileRound() {
  auto items =
      dstore_.claimDue(DispatchPhase::kUnknown, clock_.nowUnix(), config_.lease_s, config_.claim_batch);
  if (!items) return 0;
  for (auto& item : *items) reconcile(std::move(item));
  return static_cast<int>(items->size());
}

void Dispatcher::reconcile(store::DispatchItem item) {
  const domain::Order& order = item.order;
  domain::Dispatch d = item.dispatch;
  auto provider = dstore_.findProviderById(d.provider_id);
  ProviderAdapter* adapter = provider ? adapters_.find(provider->dialect) : nullptr;
  if (!provider || adapter == nullptr || !adapter->canLookupByReference()) {
    d.phase = DispatchPhase::kStuck;
    d.last_error = "the provider cannot be asked by our reference; the operator decides";
    event(order.id, "provider", d.last_error);
    return save(d, DispatchPhase::kUnknown);
  }
  domain::RemoteStatus r = adapter->lookup(*provider, order.ref_id);
  event(order.id, "provider", fmt::format("{} lookup: {} {}", provider->name, toString(r.state), r.raw));
  switch (r.state) {
    case RemoteState::kNotFound:
      // The provider confirms it never created the order: sending it is safe now.
      if (d.attempts >= config_.max_resends) {
        ++d.route_index;
        d.attempts = 0;
      } else {
        ++d.attempts;
      }
      d.phase = DispatchPhase::kQueued;
      d.next_at = clock_.nowUnix();
      return save(d, DispatchPhase::kUnknown);
    case RemoteState::kUnknown:
      ++d.attempts;
      d.last_error = r.reason;
      if (d.attempts >= config_.max_reconcile_attempts) {
        d.phase = DispatchPhase::kStuck;
        event(order.id, "provider", "gave up reconciling: the operator decides");
      } else {
        d.next_at =
            clock_.nowUnix() + domain::backoffSeconds(d.attempts, config_.retry_base_s, config_.retry_cap_s);
      }
      return save(d, DispatchPhase::kUnknown);
    default: {
      d.phase = DispatchPhase::kSent;
      d.provider_order_id = r.provider_order_id;
      d.attempts = 0;
      d.last_error.clear();
      d.next_at = clock_.nowUnix() + config_.poll_interval_s;
      save(d, DispatchPhase::kUnknown);
      applyRemote(order, r, *provider);
      return;
    }
  }
}

int Dispatcher::pollRound() {
  auto items = dstore_.claimDue(DispatchPhase::kSent, clock_.nowUnix(), config_.lease_s, config_.poll_batch);
  if (!items || items->empty()) return 0;
  // One status call per provider for all its due orders (multi-status where the dialect has it).
  std::map<std::int64_t, std::vector<store::DispatchItem*>> by_provider;
  for (auto& item : *items) by_provider[item.dispatch.provider_id].push_back(&item);
  for (auto& [provider_id, group] : by_provider) {
    auto provider = dstore_.findProviderById(provider_id);
    ProviderAdapter* adapter = provider ? adapters_.find(provider->dialect) : nullptr;
    std::vector<std::string> ids;
    for (auto* item : group) ids.push_back(item->dispatch.provider_order_id);
    std::vector<domain::RemoteStatus> statuses;
    if (adapter != nullptr) statuses = adapter->status(*provider, ids);
    for (std::size_t i = 0; i < group.size(); ++i) {
      store::DispatchItem& item = *group[i];
      domain::Dispatch d = item.dispatch;
      const domain::RemoteStatus r = i < statuses.size() ? statuses[i] : domain::RemoteStatus{};
      if (r.state == RemoteState::kUnknown || r.state == RemoteState::kNotFound) {
        ++d.attempts;
        d.last_error = r.reason.empty() ? std::string(toString(r.state)) : r.reason;
        if (d.attempts >= config_.max_reconcile_attempts) {
          d.phase = DispatchPhase::kStuck;
          event(item.order.id, "provider",
                r.state == RemoteState::kNotFound
                    ? "the provider no longer knows this order: the operator decides"
                    : "the provider's status cannot be read: the operator decides");
        }
        d.next_at =
            clock_.nowUnix() + domain::backoffSeconds(d.attempts, config_.retry_base_s, config_.retry_cap_s);
        save(d, DispatchPhase::kSent);
        continue;
      }
      const bool final = applyRemote(item.order, r, *provider);
      if (!final) {
        d.attempts = 0;
        d.next_at = clock_.nowUnix() + config_.poll_interval_s;
        save(d, DispatchPhase::kSent);
      }
    }
  }
  return static_cast<int>(items->size());
}

Status Dispatcher::onProviderStatus(const domain::Provider& p, const domain::RemoteStatus& remote) {
  if (remote.state == RemoteState::kUnknown || remote.state == RemoteState::kNotFound) {
    return makeError(Errc::kInvalidArgument, remote.reason.empty() ? std::string("not a status: ") +
                                                                         std::string(toString(remote.state))
                                                                   : remote.reason);
  }
  auto item = dstore_.findByProviderOrder(p.id, remote.provider_order_id);
  if (!item) return item.error();
  const domain::Order& order = item->order;
  domain::Dispatch d = item->dispatch;
  event(order.id, "provider",
        fmt::format("webhook from {}: {} {}", p.name, toString(remote.state), remote.raw));
  const bool final = applyRemote(order, remote, p);
  // A final status ended the dispatch row with the change. A sent order that is still
  // under way was just heard from: its next poll can wait a whole interval. Other
  // phases (unknown, stuck, manual, done) are the reconciler's or the operator's.
  if (!final && d.phase == DispatchPhase::kSent) {
    d.attempts = 0;
    d.last_error.clear();
    d.next_at = clock_.nowUnix() + config_.poll_interval_s;
    save(d, DispatchPhase::kSent);
  }
  return okStatus();
}

bool Dispatcher::applyRemote(const domain::Order& order, const domain::RemoteStatus& remote,
                             const domain::Provider& p) {
  auto req = domain::transitionFor(order, remote);
  if (!req) return false;
  event(order.id, "provider", fmt::format("{} status {}: {}", p.name, toString(remote.state), remote.raw));
  auto moved = lifecycle_.transition(order, *req, p.name);
  if (!moved) {
    spdlog::info("order {}: provider {} says {}, not applied: {}", order.ref_id, p.name,
                 toString(remote.state), moved.error().detail);
    return false;
  }
  return domain::isFinal(moved->order.status);
}

}  // namespace warung::dispatch
