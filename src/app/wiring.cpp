#include "app/wiring.hpp"

#include "dispatch/adapters/manual.hpp"
#include "dispatch/adapters/osimesa.hpp"
#include "dispatch/adapters/smm_v2.hpp"

namespace warung::app {

std::unique_ptr<dispatch::AdapterRegistry> makeAdapters(std::shared_ptr<dispatch::HttpClient> http) {
  auto registry = std::make_unique<dispatch::AdapterRegistry>();
  registry->add("smm-v2", std::make_unique<dispatch::adapters::SmmV2Adapter>(http));
  registry->add("osimesa", std::make_unique<dispatch::adapters::OsimesaAdapter>(http));
  registry->add("manual", std::make_unique<dispatch::adapters::ManualAdapter>());
  return registry;
}

}  // namespace warung::app
