#include "api/reseller_service.hpp"

#include <fmt/format.h>

#include "domain/accounts.hpp"

namespace warung::api {

ResellerService::ResellerService(ResellerConfig config, store::Store& store, store::Directory& directory,
                                 store::OrderWriter& writer, std::shared_ptr<const domain::TimeZone> zone,
                                 const Clock& clock, IdGenerator& ids)
    : config_(config),
      store_(store),
      directory_(directory),
      writer_(writer),
      zone_(std::move(zone)),
      clock_(clock),
      ids_(ids) {}

Result<std::shared_ptr<const domain::Account>> ResellerService::authenticate(std::string_view key,
                                                                             std::string_view sign) {
  if (key.empty()) return makeError(Errc::kInvalidArgument, "parameter 'key' is required");
  if (sign.empty()) return makeError(Errc::kInvalidArgument, "parameter 'sign' is required");
  auto found = directory_.accountByKey(key);
  if (!found) {
    if (found.error().code == Errc::kNotFound) {
      return makeError(Errc::kUnauthenticated, std::string(domain::kBadCredentials));
    }
    return found.error();
  }
  if (auto st = domain::checkSign(*(*found)->account, (*found)->sign, sign); !st) return st.error();
  return (*found)->account;
}

void ResellerService::placeOrder(domain::Kind kind, const domain::Account& account,
                                 const domain::PlaceOrderInput& in, store::OrderWriter::Callback done) {
  if (in.idempotency_key.size() > config_.max_idempotency_key_length) {
    return done(makeError(Errc::kInvalidArgument, fmt::format("idempotency_key must be at most {} characters",
                                                              config_.max_idempotency_key_length)));
  }
  if (!in.idempotency_key.empty()) {
    auto first = store_.findOrderByIdempotencyKey(account.id, in.idempotency_key);
    if (first) {
      if (first->fingerprint != domain::fingerprintOf(kind, in.service_code, in.data)) {
        return done(makeError(Errc::kConflict, "idempotency_key was already used with different parameters"));
      }
      return done(store::Placed{std::move(*first), true});
    }
    if (first.error().code != Errc::kNotFound) return done(first.error());
  }
  auto catalog = directory_.catalog();
  auto order = domain::planOrder(kind, account, *catalog, in, *zone_, clock_.nowUnix(), ids_);
  if (!order) return done(order.error());
  writer_.submit(std::move(*order), std::move(done));
}

Result<domain::Order> ResellerService::orderByIdempotencyKey(const domain::Account& account,
                                                             domain::Kind kind, std::string_view key) {
  auto o = store_.findOrderByIdempotencyKey(account.id, key);
  if (o && o->kind != kind) o = makeError(Errc::kNotFound, "other kind");
  if (!o && o.error().code == Errc::kNotFound) {
    return makeError(Errc::kNotFound, fmt::format("no transaction with idempotency_key '{}'", key));
  }
  return o;
}

Status ResellerService::statusByRef(const domain::Account& account, domain::Kind kind,
                                    std::string_view ref_id, const store::Store::HeldOrder& held,
                                    const std::function<void(const domain::Order&)>& each) {
  Status s = store_.visitOrderUnheld(account.id, kind, ref_id, held, each);
  if (!s && s.error().code == Errc::kNotFound) {
    return makeError(Errc::kNotFound, fmt::format("transaction '{}' not found", ref_id));
  }
  return s;
}

Status ResellerService::latestStatus(const domain::Account& account, domain::Kind kind, int limit,
                                     const store::Store::HeldOrder& held,
                                     const std::function<void(const domain::Order&)>& each) {
  return store_.visitLatestOrdersUnheld(account.id, kind, limit, held, each);
}

Result<store::Store::LatestVisit> ResellerService::latestStatus(
    const domain::Account& account, domain::Kind kind, int limit, std::optional<std::int64_t> known,
    const store::Store::HeldOrder& held, const std::function<void(const domain::Order&)>& each) {
  return store_.visitLatestOrdersSince(account.id, kind, limit, known, held, each);
}

}  // namespace warung::api
