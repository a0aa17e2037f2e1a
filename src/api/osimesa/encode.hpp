#pragma once
// The osimesa documents' JSON shapes, byte for byte in key order and types
// (see shared/spec and docs/api.md). Social media and game differ:
//   service: category.type vs category.slug; order.{min,max} strings (social only);
//            fields.title (game only); select.options "a,b" string vs ["a","b"] array.
//   order:   detail{start,amount,remain} (social) vs voucher (game);
//            product{code,type,service} vs product{code,slug,service}.
// Pure functions, thread-safe.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/money.hpp"
#include "domain/catalog.hpp"
#include "domain/types.hpp"

namespace warung::api::osimesa {

// One order entry; `with_times` adds created_at/updated_at (type=status).
void appendOrder(std::string& out, const domain::Order& o, bool with_times);
// One service entry, priced at `current` for the caller.
void appendService(std::string& out, const domain::Service& s, Money current);
// The data array of type=service for an account: enabled services of `kind`.
std::string serviceList(const domain::Catalog& c, domain::Kind kind, const domain::Account& a);

// Pre-serialized service lists per kind and level, rebuilt only when the catalog
// snapshot changes: the data array, the whole answer (envelope included) and its
// gzip, so a request sends shared bytes without building or copying anything.
// Accounts with price overrides are serialized per request.
class ServiceListCache {
 public:
  struct Entry {
    std::shared_ptr<const std::string> data;  // the JSON array
    std::shared_ptr<const std::string>
        answer;  // {"code":200,"data":[...],"status":true,"message":"Success."}
    std::shared_ptr<const std::string> answer_gzip;  // null for per-account lists
  };

  // The data array for `a`, from `catalog` (the current snapshot).
  std::shared_ptr<const std::string> get(const std::shared_ptr<const domain::Catalog>& catalog,
                                         domain::Kind kind, const domain::Account& a) {
    return entry(catalog, kind, a).data;
  }
  Entry entry(const std::shared_ptr<const domain::Catalog>& catalog, domain::Kind kind,
              const domain::Account& a);

 private:
  std::mutex mu_;
  const domain::Catalog* built_for_ = nullptr;
  std::shared_ptr<const domain::Catalog> keep_;  // keeps built_for_ alive
  Entry lists_[2][3];
};

}  // namespace warung::api::osimesa
