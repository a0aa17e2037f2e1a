#include "domain/catalog.hpp"

#include <algorithm>
#include <tuple>

namespace warung::domain {
namespace {

std::string indexKey(Kind kind, std::string_view code) {
  std::string k(toString(kind));
  k += '\n';
  k += code;
  return k;
}

}  // namespace

Catalog::Catalog(std::vector<Service> services, std::int64_t version)
    : services_(std::move(services)), version_(version) {
  std::sort(services_.begin(), services_.end(), [](const Service& a, const Service& b) {
    return std::tie(a.kind, a.category, a.name, a.code) < std::tie(b.kind, b.category, b.name, b.code);
  });
  index_.reserve(services_.size());
  for (std::size_t i = 0; i < services_.size(); ++i) {
    index_.emplace(indexKey(services_[i].kind, services_[i].code), i);
  }
}

const Service* Catalog::find(Kind kind, std::string_view code) const {
  auto it = index_.find(indexKey(kind, code));
  return it == index_.end() ? nullptr : &services_[it->second];
}

}  // namespace warung::domain
