#pragma once
// `serve --demo`: a realistic catalog and a funded demo account, loaded into an
// empty database only (a database with any account or service is left alone).
#include <iosfwd>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
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

}  // namespace warung::app
