#pragma once
// The reseller API's operations, independent of any dialect's wire format: each
// dialect (api/osimesa, later others) decodes a request, calls one of these, and
// encodes the answer. This is where the domain rules meet storage and caches.
//
// Threads: every method is safe from any io thread.
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "domain/ordering.hpp"
#include "domain/time_zone.hpp"
#include "store/directory.hpp"
#include "store/store.hpp"

namespace warung::api {

struct ResellerConfig {
  std::size_t max_idempotency_key_length = 128;
};

class ResellerService {
 public:
  ResellerService(ResellerConfig config, store::Store& store, store::Directory& directory,
                  store::OrderWriter& writer, std::shared_ptr<const domain::TimeZone> zone,
                  const Clock& clock, IdGenerator& ids);

  // kInvalidArgument when key or sign is missing; kUnauthenticated for an unknown
  // key or a wrong sign (same message); kForbidden when suspended.
  Result<std::shared_ptr<const domain::Account>> authenticate(std::string_view key, std::string_view sign);

  std::shared_ptr<const domain::Catalog> catalog() const { return directory_.catalog(); }

  // Plans the order (domain checks), then hands it to the writer. `done` runs once,
  // possibly on the writer's thread, after the order is durable or has failed.
  // An idempotency key already used by this account answers with the first order
  // before any other check, so a retry succeeds even if the service has since
  // closed or run out.
  void placeOrder(domain::Kind kind, const domain::Account& account, const domain::PlaceOrderInput& in,
                  store::OrderWriter::Callback done);

  // The order placed with this idempotency key (kNotFound, naming the key, unless it
  // is this account's and this kind's).
  Result<domain::Order> orderByIdempotencyKey(const domain::Account& account, domain::Kind kind,
                                              std::string_view key);
  // One order by ref_id for an answer kept per order: offered to `held` as (id,
  // status) first, read and handed to `each` only when it lacks it (see
  // Store::visitOrderUnheld). kNotFound, naming the ref_id, unless it is this
  // account's and this kind's.
  Status statusByRef(const domain::Account& account, domain::Kind kind, std::string_view ref_id,
                     const store::Store::HeldOrder& held,
                     const std::function<void(const domain::Order&)>& each);
  // The latest `limit` orders of this kind, newest first, for an answer kept per
  // order: each offered to `held` as (id, status) first, and only those it lacks read
  // and handed to `each` (see Store::visitLatestOrdersUnheld). No version is read: for
  // a caller that keeps no lists.
  Status latestStatus(const domain::Account& account, domain::Kind kind, int limit,
                      const store::Store::HeldOrder& held,
                      const std::function<void(const domain::Order&)>& each);
  // The same for an answer kept per list too: nothing visited when the account's
  // order-list version is still `known` (see Store::visitLatestOrdersSince).
  Result<store::Store::LatestVisit> latestStatus(const domain::Account& account, domain::Kind kind, int limit,
                                                 std::optional<std::int64_t> known,
                                                 const store::Store::HeldOrder& held,
                                                 const std::function<void(const domain::Order&)>& each);

 private:
  ResellerConfig config_;
  store::Store& store_;
  store::Directory& directory_;
  store::OrderWriter& writer_;
  std::shared_ptr<const domain::TimeZone> zone_;
  const Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace warung::api
