#pragma once
// An immutable snapshot of the service catalog, shared by readers.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/types.hpp"

namespace warung::domain {

class Catalog {
 public:
  Catalog() = default;
  // `services` may come in any order; the snapshot keeps the public order:
  // kind, then category, then name, then code.
  Catalog(std::vector<Service> services, std::int64_t version);

  // Any service of that kind and code, enabled or not; nullptr when unknown.
  const Service* find(Kind kind, std::string_view code) const;
  const std::vector<Service>& services() const { return services_; }
  std::int64_t version() const { return version_; }

 private:
  std::vector<Service> services_;
  std::unordered_map<std::string, std::size_t> index_;  // "<kind>\n<code>" -> position
  std::int64_t version_ = 0;
};

}  // namespace warung::domain
