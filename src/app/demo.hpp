#pragma once
// `serve --demo`: a realistic catalog and a funded demo account, loaded into an
// empty database only (a database with any account or service is left alone).
#include <iosfwd>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "dispatch/simulator.hpp"
#include "store/admin_store.hpp"
#include "store/dispatch_store.hpp"
#include "store/store.hpp"

namespace warung::app {

// The demo catalog in the `service import` format (both kinds, several categories,
// every field type, cut-off windows, an empty and a disabled service, and the four
// services of the API documents).
std::string_view demoCatalogJson();

// Loads the demo when the database is empty and prints how to call the API with
// curl to `out`. Returns false (and loads nothing) when the database has data.
Result<bool> loadDemoIfEmpty(store::Store& store, IdGenerator& ids, const Clock& clock,
                             const std::string& base_url, std::ostream& out);

// The console's demo operator: when there is no operator yet, creates "admin" with a
// random password and prints both to `out` (once: later starts find the operator).
Status createDemoOperator(store::AdminStore& admins, IdGenerator& ids, const Clock& clock, std::ostream& out);

// Points the demo's providers at a running simulator: "sim-smm" (smm-v2) for social
// media and "sim-game" (osimesa) for games, created on first use and re-pointed on
// every start (the simulator's port changes). Services of the demo catalog without
// routes are routed to them, except TSEL10, which stays manual so the operator can
// complete an order by hand.
Status connectDemoProviders(store::Store& store, store::DispatchStore& dstore,
                            const dispatch::ProviderSimulator& sim, const Clock& clock);

}  // namespace warung::app
