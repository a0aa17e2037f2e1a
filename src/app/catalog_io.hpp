#pragma once
// The catalog file format of `service import` / `service export`: a JSON array of
// entries in the documents' service-list shape (category, fields, order, name, note,
// code, price.list, cutoff, status, updated_at) plus "kind" ("social-media"|"game"),
// "enabled" (default true). price.current is ignored on import.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/types.hpp"

namespace warung::app {

// kInvalidArgument naming the entry and key ("services[2].price.list.premium must be
// a non-negative integer"). `now` stamps updated_at when an entry has none.
Result<std::vector<domain::Service>> parseCatalog(std::string_view json, std::int64_t now);
// Pretty JSON array, one entry per service.
std::string exportCatalog(const std::vector<domain::Service>& services);

}  // namespace warung::app
