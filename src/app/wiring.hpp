#pragma once
// The one place that names the concrete provider adapters.
#include <memory>

#include "dispatch/adapter.hpp"
#include "dispatch/http_client.hpp"

namespace warung::app {

// smm-v2, osimesa and manual adapters, all talking through `http`.
std::unique_ptr<dispatch::AdapterRegistry> makeAdapters(std::shared_ptr<dispatch::HttpClient> http);

}  // namespace warung::app
