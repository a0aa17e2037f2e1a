#pragma once
#include "app/config.hpp"

namespace warung::app {

// Runs the server until SIGINT/SIGTERM, then drains: stops accepting, finishes
// in-flight requests, commits queued orders, closes the database. Prints
// "warung listening on http://HOST:PORT" to stdout once bound (tests read it).
// Returns the process exit code.
int serve(const Config& config, bool demo);

}  // namespace warung::app
