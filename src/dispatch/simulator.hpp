#pragma once
// A FAKE upstream provider: a small HTTP server on loopback that speaks both
// dialects warung buys through, so tests and `warung serve --demo` can fulfil orders
// without the internet. Not for production traffic.
//
//   POST /api/v2             smm-v2: key, action=add|status|services|balance
//   POST /api/social-media   osimesa: key, sign=md5(user_id + key), type=order|status|service
//   POST /api/game           osimesa, game kind
//   POST /_sim/behaviour     control: behaviour=<name>&count=N&delay_ms=M (see setAddBehaviour)
//   POST /_sim/completion    control: outcome=success|partial|error&after_polls=N&remains=N
//   GET  /_sim/stats         {"add_calls": N, "status_calls": N, "add_calls_by_ref": {...}, "orders": [...]}
//
// The control endpoints let a process that did not start the simulator drive it; a
// test that owns it calls the methods directly.
//
// Orders: created "Pending"/waiting. Every status answer that includes an order
// counts as one poll of it (a multi-status call polls each listed order once; an
// osimesa lookup by idempotency_key polls the order it finds). After the first poll
// the order is "In progress"/processing (start_count set); once its polls reach
// `complete_after_polls` it is final: Completed/success (a game gets voucher
// "SN-<id>"), Partial/partial (remains as configured, default quantity/3), or
// Canceled/error. In `random_outcomes` mode (the demo) each new order draws its end:
// 70% success, 20% partial (success for games, which cannot be partial), 10% error,
// final after 1 to 3 polls, from a generator seeded with `seed`.
//
// Add behaviours (setAddBehaviour) shape the answer to the next adds of either dialect:
//   kSucceed                 create, answer the order
//   kRefuseBalance           refuse (smm-v2 {"error": "Not enough funds on balance"}; osimesa 402)
//   kRefuseService           refuse (smm-v2 {"error": "Incorrect service ID"}; osimesa 404)
//   kTimeout                 create, then wait `delay` before answering (the client has
//                            given up by then: the outcome is unknown to it, but the order exists)
//   kTimeoutNoCreate         wait `delay`, then close the connection without creating or answering
//   kServerError             HTTP 500, nothing created
//   kServerErrorButCreated   create, then HTTP 500
//   kGarbage                 create, then HTTP 200 with a non-JSON body
//   kPartial / kFail         create; the order ends Partial / Canceled
// An osimesa add whose idempotency_key was seen before answers that order (409 when
// the parameters differ) and creates nothing; refusal, kPartial and kFail behaviours
// do not apply to it, the transport-like ones (timeouts, 500, garbage) still do.
// Every add request received counts in totalAddCalls() and addCalls(), whatever the
// behaviour or credentials.
//
// Credentials: smm-v2 checks key == api_key ({"error": "Invalid API key"} otherwise);
// osimesa checks key and sign (401 "invalid key or sign"). Service codes: any code is
// accepted unless `accept_any_service` is false, then only the listed ones
// (smm-v2 "1".."3"; osimesa social "1".."3", game "ML86", "FF100", "PULSA10").
//
// Orders are kept in memory, and in Options::state_file when one is given.
//
// Threads: start() binds and runs one acceptor thread; each connection is served by
// its own thread (so a delayed answer does not hold others). All methods are
// thread-safe. stop() (also run by the destructor) interrupts delays, closes every
// connection and waits for their threads.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/fulfilment.hpp"
#include "domain/types.hpp"

namespace warung::dispatch {

class ProviderSimulator {
 public:
  enum class Behaviour {
    kSucceed,
    kRefuseBalance,
    kRefuseService,
    kTimeout,
    kTimeoutNoCreate,
    kServerError,
    kServerErrorButCreated,
    kGarbage,
    kPartial,
    kFail,
  };
  enum class Outcome { kSuccess, kPartial, kError };

  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (see port())
    std::string api_key = "sim-key";
    std::string user_id = "SIM";   // osimesa: sign = md5(user_id + api_key)
    bool random_outcomes = false;  // demo mode
    unsigned seed = 1;
    int complete_after_polls = 2;
    std::chrono::milliseconds delay{2000};  // kTimeout / kTimeoutNoCreate wait, unless given
    bool accept_any_service = true;
    std::string balance = "1500000.50";  // smm-v2 action=balance, as the panel writes it
    // Where the orders are kept across restarts ("": in memory only). Loaded by
    // start() (which throws naming the file when it is not one of ours), rewritten
    // whole on every add and poll (fine for the demo's few orders). The demo keeps one beside its database,
    // so orders a restart of `warung serve --demo` finds in flight still end, and new ones get new ids.
    std::string state_file;
  };

  // What the simulator holds for one order (a copy).
  struct OrderView {
    std::int64_t id = 0;
    std::string provider_order_id;  // smm-v2: "1001"; osimesa: the ref_id
    std::string dialect;            // "smm-v2" | "osimesa"
    domain::Kind kind = domain::Kind::kSocialMedia;
    std::string service;
    std::array<std::string, 3> data;  // smm-v2: {link, quantity, ""}
    std::int64_t quantity = 1;
    std::string idempotency_key;
    domain::OrderStatus status = domain::OrderStatus::kWaiting;  // as it stands now
    int polls = 0;
    std::int64_t start_count = 0;
    std::int64_t remains = 0;
    std::string voucher;
  };

  explicit ProviderSimulator(Options options);
  ProviderSimulator();
  ~ProviderSimulator();
  ProviderSimulator(const ProviderSimulator&) = delete;
  ProviderSimulator& operator=(const ProviderSimulator&) = delete;

  // Binds and starts serving. Throws std::runtime_error naming the address when it
  // cannot bind (start-up failure). Call once.
  void start();
  // Idempotent.
  void stop();

  std::uint16_t port() const;
  std::string baseUrl() const;   // "http://127.0.0.1:<port>": an osimesa provider's base_url
  std::string smmV2Url() const;  // baseUrl() + "/api/v2": an smm-v2 provider's base_url
  // A Provider row pointing at this simulator with the right credentials for
  // `dialect` ("smm-v2" or "osimesa"), named `name`, with `timeout_ms`.
  domain::Provider provider(std::string_view dialect, std::string name = "sim",
                            std::int64_t timeout_ms = 5000) const;

  // Shapes the next `count` adds (-1: until changed); afterwards kSucceed again.
  // `delay` 0 keeps Options::delay.
  void setAddBehaviour(Behaviour b, int count = -1, std::chrono::milliseconds delay = {});
  // How orders created from now on end (outside random mode, and unless the add
  // behaviour says kPartial/kFail): `outcome` after `after_polls` polls; for kPartial
  // `remains` (nullopt: quantity/3, at least 1).
  void setCompletion(Outcome outcome, int after_polls, std::optional<std::int64_t> remains = std::nullopt);

  // Add requests received for an osimesa idempotency_key (our ref) or an smm-v2 link.
  int addCalls(const std::string& our_ref_or_link) const;
  int totalAddCalls() const;
  int statusCalls() const;
  std::vector<OrderView> orders() const;
  std::optional<OrderView> findOrder(const std::string& provider_order_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string_view toString(ProviderSimulator::Behaviour b);  // "succeed", "refuse-balance", ...
std::optional<ProviderSimulator::Behaviour> parseBehaviour(std::string_view s);
std::string_view toString(ProviderSimulator::Outcome o);  // "success", "partial", "error"
std::optional<ProviderSimulator::Outcome> parseOutcome(std::string_view s);

}  // namespace warung::dispatch
