#pragma once
// Internal to store/postgres: what PostgresStore (postgres_store.cpp, dispatch_store.cpp)
// and PostgresOrderWriter share. The store edge that turns exceptions into error values,
// the retry loop, and the readers that turn a row into a domain value. Not part of the
// storage interface.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "common/result.hpp"
#include "domain/types.hpp"
#include "store/postgres/pg.hpp"
#include "store/postgres/pool.hpp"

namespace warung::store::postgres::detail {

// The largest list any method returns (the CLI's largest --limit).
inline constexpr int kMaxListLimit = 1000000;

inline Error storageError() { return makeError(Errc::kInternal, "storage error"); }
inline Error badTextError() { return makeError(Errc::kInvalidArgument, "text is not valid UTF-8"); }

// The store edge: anything libpq (or a broken invariant) throws becomes an error value,
// with the cause in the log and a generic detail for the client.
template <class F>
auto atEdge(const char* op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const pg::Error& e) {
    if (e.badText()) return badTextError();
    spdlog::error("postgres store: {} failed: {}", op, e.what());
    return storageError();
  } catch (const pg::CommitUnknown& e) {
    spdlog::error("postgres store: {}: outcome unknown (the connection dropped during COMMIT): {}", op,
                  e.what());
    return storageError();
  } catch (const std::exception& e) {
    spdlog::error("postgres store: {} failed: {}", op, e.what());
    return storageError();
  }
}

// The pause before the n-th retry (1-based): 10 ms doubling, at most 500 ms, so that
// busy_retries = 5 spends at most ~0.3 s waiting.
inline void backoff(int n) {
  const int ms = std::min(500, 10 << std::min(n - 1, 6));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// Runs f(connection) on a pooled connection. When it throws a retryable pg::Error (see
// pg.hpp: the transaction was rolled back, or the connection dropped before COMMIT),
// runs it again on a healthy connection, up to `retries` more times. f must start its
// own transaction (or be a single read), so that each attempt starts afresh.
template <class F>
auto withRetries(Pool& pool, int retries, const char* op, F&& f)
    -> decltype(f(std::declval<pg::Connection&>())) {
  for (int attempt = 0;; ++attempt) {
    try {
      Pool::Lease c = pool.acquire();
      return f(*c);
    } catch (const pg::Error& e) {
      if (!e.retryable() || attempt >= retries) throw;
      spdlog::warn("postgres store: {}: attempt {} failed, retrying: {}", op, attempt + 1, e.what());
    }
    backoff(attempt + 1);
  }
}

// Runs f(connection) inside one transaction, committed when f returns a value and
// rolled back when it returns an error; retried as withRetries.
template <class F>
auto transact(Pool& pool, int retries, const char* op, F&& f, const char* begin = "BEGIN")
    -> decltype(f(std::declval<pg::Connection&>())) {
  return withRetries(pool, retries, op, [&](pg::Connection& c) -> decltype(f(c)) {
    pg::Transaction tx(c, begin);
    auto r = f(c);
    if (r.ok()) tx.commit();
    return r;
  });
}

// A value the schema should never hold (an unknown enum text): a broken invariant, so
// an exception that the store edge turns into kInternal.
template <class E>
E parsedOrThrow(std::optional<E> v, std::string_view column, std::string_view text) {
  if (!v) {
    throw std::runtime_error("unexpected value '" + std::string(text) + "' in column " + std::string(column));
  }
  return *v;
}

inline domain::LedgerReason parseLedgerReason(std::string_view s) {
  using domain::LedgerReason;
  for (LedgerReason r :
       {LedgerReason::kCredit, LedgerReason::kDebit, LedgerReason::kOrder, LedgerReason::kRefund}) {
    if (domain::toString(r) == s) return r;
  }
  throw std::runtime_error("unexpected value '" + std::string(s) + "' in column ledger.reason");
}

// Reads columns col..col+23 of a row laid out as WARUNG_ORDER_COLUMNS (sql.hpp).
inline domain::Order readOrder(const pg::Rows& r, int row, int col = 0) {
  int i = col;
  auto text = [&] { return r.str(row, i++); };
  auto num = [&] { return r.int64(row, i++); };
  domain::Order o;
  o.id = num();
  o.ref_id = text();
  o.account_id = num();
  const std::string kind = text();
  o.kind = parsedOrThrow(domain::parseKind(kind), "orders.kind", kind);
  o.service_id = num();
  o.service_code = text();
  o.service_name = text();
  o.category_key = text();
  o.data[0] = text();
  o.data[1] = text();
  o.data[2] = text();
  o.target = text();
  o.quantity = num();
  o.unit_price = Money{num()};
  o.charge = Money{num()};
  const std::string status = text();
  o.status = parsedOrThrow(domain::parseOrderStatus(status), "orders.status", status);
  o.start_count = num();
  o.remain = num();
  o.voucher = text();
  o.note = text();
  o.idempotency_key = text();  // NULL reads as ""
  o.fingerprint = text();
  o.created_at = num();
  o.updated_at = num();
  return o;
}

// The parameters of sql::kInsertLedger.
inline void addLedger(pg::Params& p, std::int64_t account_id, Money amount, Money balance_after,
                      domain::LedgerReason reason, std::int64_t order_id, std::string_view ref,
                      std::int64_t at) {
  p.add(account_id).add(amount.rupiah).add(balance_after.rupiah).add(domain::toString(reason));
  if (order_id != 0) {
    p.add(order_id);
  } else {
    p.addNull();  // not about an order
  }
  p.add(ref).add(at);
}

}  // namespace warung::store::postgres::detail
