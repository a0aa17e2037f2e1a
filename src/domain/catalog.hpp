#pragma once
// An immutable snapshot of the service catalog, shared by readers.
#include <array>
#include <cstdint>
#include <functional>
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
  // Position by code, one map per kind (domain::Kind's two), looked up by the code as
  // the request holds it: no key is built per order (a kind-and-code key was longer
  // than a short string's inline buffer: an allocation per lookup).
  struct CodeHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view code) const noexcept {
      return std::hash<std::string_view>{}(code);
    }
  };
  using CodeIndex = std::unordered_map<std::string, std::size_t, CodeHash, std::equal_to<>>;
  static std::size_t kindIndex(Kind kind) { return kind == Kind::kGame ? 1 : 0; }

  std::vector<Service> services_;
  std::array<CodeIndex, 2> index_;
  std::int64_t version_ = 0;
};

}  // namespace warung::domain
