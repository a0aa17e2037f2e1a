#include "domain/catalog.hpp"

#include <algorithm>
#include <tuple>

namespace warung::domain {

Catalog::Catalog(std::vector<Service> services, std::int64_t version)
    : services_(std::move(services)), version_(version) {
  std::sort(services_.begin(), services_.end(), [](const Service& a, const Service& b) {
    return std::tie(a.kind, a.category, a.name, a.code) < std::tie(b.kind, b.category, b.name, b.code);
  });
  for (std::size_t i = 0; i < services_.size(); ++i) {
    index_[kindIndex(services_[i].kind)].emplace(services_[i].code, i);
  }
}

const Service* Catalog::find(Kind kind, std::string_view code) const {
  const CodeIndex& index = index_[kindIndex(kind)];
  auto it = index.find(code);
  return it == index.end() ? nullptr : &services_[it->second];
}

}  // namespace warung::domain
