#pragma once
// What the command line's commands share: options, the opened database, output
// helpers. Commands throw CommandError (stderr, exit 1); everything else returns.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "app/backend.hpp"
#include "app/config.hpp"
#include "common/clock.hpp"
#include "dispatch/lifecycle.hpp"
#include "domain/time_zone.hpp"
#include "domain/types.hpp"

namespace warung::app {

namespace json = boost::json;
using domain::Kind;

// The webhook body for an order: the reseller API's `type=status` entry.
dispatch::Lifecycle::Encoder webhookEncoder();

// A failed command: the message goes to stderr, exit code 1.
struct CommandError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T orFail(Result<T> r, std::string_view what) {
  if (!r) throw CommandError(fmt::format("{}: {}", what, r.error().detail));
  return std::move(*r);
}

// Options every command shares.
struct Common {
  std::string db;
  std::string config;
  bool json = false;

  Config load() const {
    Config c = config.empty() ? Config{} : loadConfig(config);
    if (!db.empty()) setDatabase(c, db);
    return c;
  }
};

struct Context {
  Config config;
  SystemClock clock;
  RandomIdGenerator ids;
  std::unique_ptr<Backend> backend;
  store::Store* store = nullptr;           // the opened database...
  store::DispatchStore* dstore = nullptr;  // ...and its fulfilment tables (one object)

  explicit Context(const Common& common) : config(common.load()) {
    validate(config);
    backend = std::make_unique<Backend>(config);
    store = &backend->store();
    dstore = &backend->dispatch();
  }
  domain::Account account(const std::string& user_id) const {
    return orFail(store->findAccountByUserId(user_id), "account " + user_id);
  }
  // Status changes go through the Lifecycle: refund, story and webhook included.
  dispatch::Lifecycle lifecycle() { return dispatch::Lifecycle(*store, clock, webhookEncoder()); }
};

std::string rupiah(Money m);  // "Rp 12.500"
json::object accountJson(const domain::Account& a);
json::object orderJson(const domain::Order& o);
json::object ledgerJson(const domain::LedgerEntry& e);
Kind parseKindOption(const std::string& s);
Money parseAmount(const std::string& s, bool allow_zero);
// YYYY-MM-DD at local midnight in `zone`, as Unix seconds.
std::int64_t parseDate(const std::string& s, const domain::TimeZone& zone);
void printJson(const json::value& v);

}  // namespace warung::app
