#include "store/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "store/postgres/migrations.hpp"
#include "store/postgres/pg.hpp"
#include "store/postgres/pool.hpp"
#include "store/postgres/sql.hpp"
#include "store/postgres/store_internal.hpp"

namespace warung::store::postgres {
namespace {

using detail::atEdge;
using detail::kMaxListLimit;
using detail::parsedOrThrow;
using detail::storageError;
using pg::Params;
using pg::Rows;

domain::Account readAccount(const Rows& r, int row) {
  domain::Account a;
  a.id = r.int64(row, 0);
  a.user_id = r.str(row, 1);
  a.name = r.str(row, 2);
  const std::string level = r.str(row, 3);
  a.level = parsedOrThrow(domain::parseLevel(level), "accounts.level", level);
  const std::string status = r.str(row, 4);
  a.status = parsedOrThrow(domain::parseAccountStatus(status), "accounts.status", status);
  a.balance = Money{r.int64(row, 5)};
  a.key_hash = r.str(row, 6);
  a.created_at = r.int64(row, 7);
  a.callback_url = r.str(row, 8);
  a.webhook_secret = r.str(row, 9);
  return a;
}

// Reads one account by a unique text column, with its overrides, in one snapshot.
Result<domain::Account> findAccountBy(pg::Connection& c, const char* query, std::string_view key) {
  const Rows r = c.run(query, Params().add(key));
  if (r.empty()) return makeError(Errc::kNotFound, "account not found");
  domain::Account a = readAccount(r, 0);
  const Rows o = c.run(sql::kSelectOverrides, Params().add(a.id));
  for (int i = 0; i < o.size(); ++i) a.price_overrides[o.int64(i, 0)] = Money{o.int64(i, 1)};
  return a;
}

// Options are stored one per line; a select has no option containing a newline.
std::string joinOptions(const std::vector<std::string>& options) {
  std::string out;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (i > 0) out += '\n';
    out += options[i];
  }
  return out;
}

std::vector<std::string> splitOptions(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = joined.find('\n', start);
    if (nl == std::string::npos) {
      out.push_back(joined.substr(start));
      break;
    }
    out.push_back(joined.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// The parameters $1..$45 of sql::kUpsertService.
void addService(Params& p, const domain::Service& v) {
  p.add(domain::toString(v.kind)).add(v.code).add(v.name).add(v.note).add(v.category).add(v.category_key);
  p.add(v.fields_title).add(v.fields_info);
  for (const domain::FieldSpec& f : v.fields) {
    p.add(domain::toString(f.type)).add(f.input_type).add(f.label).add(f.minlength).add(f.maxlength);
    p.add(f.placeholder).add(f.select_label).add(joinOptions(f.options)).add(f.select_placeholder);
  }
  p.add(v.min_quantity).add(v.max_quantity);
  for (Money m : v.prices) p.add(m.rupiah);
  p.add(v.cutoff.start_minute).add(v.cutoff.end_minute).add(v.ready).add(v.enabled).add(v.updated_at);
}

// Reads a row of sql::kSelectServices.
domain::Service readService(const Rows& r, int row) {
  domain::Service v;
  int i = 0;
  auto text = [&] { return r.str(row, i++); };
  auto num = [&] { return r.int64(row, i++); };
  auto flag = [&] { return r.boolean(row, i++); };
  v.id = num();
  const std::string kind = text();
  v.kind = parsedOrThrow(domain::parseKind(kind), "services.kind", kind);
  v.code = text();
  v.name = text();
  v.note = text();
  v.category = text();
  v.category_key = text();
  v.fields_title = text();
  v.fields_info = text();
  for (domain::FieldSpec& f : v.fields) {
    const std::string type = text();
    f.type = parsedOrThrow(domain::parseFieldType(type), "services.fN_type", type);
    f.input_type = text();
    f.label = text();
    f.minlength = num();
    f.maxlength = num();
    f.placeholder = text();
    f.select_label = text();
    f.options = splitOptions(text());
    f.select_placeholder = text();
  }
  v.min_quantity = num();
  v.max_quantity = num();
  for (Money& p : v.prices) p = Money{num()};
  v.cutoff.start_minute = static_cast<int>(num());
  v.cutoff.end_minute = static_cast<int>(num());
  v.ready = flag();
  v.enabled = flag();
  v.updated_at = num();
  return v;
}

domain::LedgerEntry readLedger(const Rows& r, int row) {
  domain::LedgerEntry e;
  e.id = r.int64(row, 0);
  e.account_id = r.int64(row, 1);
  e.amount = Money{r.int64(row, 2)};
  e.balance_after = Money{r.int64(row, 3)};
  e.reason = detail::parseLedgerReason(r.text(row, 4));
  e.order_id = r.isNull(row, 5) ? 0 : r.int64(row, 5);
  e.ref = r.str(row, 6);
  e.created_at = r.int64(row, 7);
  return e;
}

std::int64_t insertLedger(pg::Connection& c, std::int64_t account_id, Money amount, Money balance_after,
                          domain::LedgerReason reason, std::int64_t order_id, std::string_view ref,
                          std::int64_t at) {
  Params p;
  detail::addLedger(p, account_id, amount, balance_after, reason, order_id, ref, at);
  const Rows r = c.run(sql::kInsertLedger, p);
  if (r.empty()) throw std::runtime_error("ledger insert returned no id");
  return r.int64(0, 0);
}

// The order's story line for a status change: "waiting -> error by operator; refund
// Rp 2500; note: ...".
std::string transitionDetail(const domain::Transition& t) {
  std::string d = std::string(domain::toString(t.from)) + " -> " + std::string(domain::toString(t.to));
  if (!t.actor.empty()) d += " by " + t.actor;
  if (t.refund.rupiah > 0) d += "; refund Rp " + std::to_string(t.refund.rupiah);
  if (t.to == domain::OrderStatus::kPartial) d += "; remain " + std::to_string(t.remain);
  if (!t.voucher.empty()) d += "; voucher: " + t.voucher;
  if (!t.note.empty()) d += "; note: " + t.note;
  return d;
}

// Runs a single-row UPDATE ... WHERE id = $1 of an account; kNotFound if none changed.
Status updateAccount(pg::Connection& c, const char* query, std::int64_t account_id, std::string_view value) {
  if (c.run(query, Params().add(account_id).add(value)).affected() == 0) {
    return makeError(Errc::kNotFound, "account not found");
  }
  return okStatus();
}

}  // namespace

std::string redactedUrl(std::string_view url) { return pg::redactUrl(url); }

// ---------------------------------------------------------------------------------
// Start-up

PostgresStore::PostgresStore(PostgresConfig cfg)
    : cfg_(std::move(cfg)), display_url_(pg::redactUrl(cfg_.url)) {
  if (cfg_.busy_retries < 0) throw std::runtime_error("postgres: busy_retries must not be negative");
  pool_ = std::make_unique<Pool>(cfg_.url, cfg_.pool_size);
  std::unique_ptr<pg::Connection> first;
  try {
    first = std::make_unique<pg::Connection>(cfg_.url);
  } catch (const pg::Error& e) {
    throw std::runtime_error(std::string("database: ") + e.what());
  }
  migrate(*first, display_url_);
  pool_->adopt(std::move(first));
}

PostgresStore::~PostgresStore() = default;

// ---------------------------------------------------------------------------------
// Versions

Result<Versions> PostgresStore::versions() {
  return atEdge("versions", [&]() -> Result<Versions> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "versions",
                               [&](pg::Connection& c) -> Result<Versions> {
                                 const Rows r = c.run(sql::kSelectVersions);
                                 Versions v;
                                 for (int i = 0; i < r.size(); ++i) {
                                   if (r.text(i, 0) == "catalog") v.catalog = r.int64(i, 1);
                                   if (r.text(i, 0) == "accounts") v.accounts = r.int64(i, 1);
                                 }
                                 return v;
                               });
  });
}

// ---------------------------------------------------------------------------------
// Accounts

Result<domain::Account> PostgresStore::createAccount(const NewAccount& a) {
  return atEdge("createAccount", [&]() -> Result<domain::Account> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "createAccount", [&](pg::Connection& c) -> Result<domain::Account> {
          try {
            const Rows r = c.run(sql::kInsertAccount, Params()
                                                          .add(a.user_id)
                                                          .add(a.name)
                                                          .add(domain::toString(a.level))
                                                          .add(a.key_hash)
                                                          .add(a.created_at));
            if (r.empty()) throw std::runtime_error("account insert returned no row");
            return readAccount(r, 0);
          } catch (const pg::Error& e) {
            if (e.uniqueViolation() && e.constraint() == "accounts_user_id_key") {
              return makeError(Errc::kConflict, "user_id " + a.user_id + " is already taken");
            }
            if (e.uniqueViolation() && e.constraint() == "accounts_key_hash_key") {
              return makeError(Errc::kConflict, "that key is already in use");
            }
            throw;
          }
        });
  });
}

Result<std::vector<domain::Account>> PostgresStore::listAccounts() {
  return atEdge("listAccounts", [&]() -> Result<std::vector<domain::Account>> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "listAccounts",
        [&](pg::Connection& c) -> Result<std::vector<domain::Account>> {
          std::vector<domain::Account> out;
          const Rows r = c.run(sql::kSelectAccounts);
          out.reserve(static_cast<std::size_t>(r.size()));
          for (int i = 0; i < r.size(); ++i) out.push_back(readAccount(r, i));
          const Rows o = c.run(sql::kSelectAllOverrides);
          for (int i = 0; i < o.size(); ++i) {
            const std::int64_t account_id = o.int64(i, 0);
            // Ordered by id, so a binary search finds the account.
            auto it = std::lower_bound(out.begin(), out.end(), account_id,
                                       [](const domain::Account& x, std::int64_t id) { return x.id < id; });
            if (it != out.end() && it->id == account_id)
              it->price_overrides[o.int64(i, 1)] = Money{o.int64(i, 2)};
          }
          return out;
        },
        sql::kBeginSnapshot);
  });
}

Result<domain::Account> PostgresStore::findAccountByUserId(std::string_view user_id) {
  return atEdge("findAccountByUserId", [&]() -> Result<domain::Account> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "findAccountByUserId",
        [&](pg::Connection& c) { return findAccountBy(c, sql::kSelectAccountByUserId, user_id); },
        sql::kBeginSnapshot);
  });
}

Result<domain::Account> PostgresStore::findAccountByKeyHash(std::string_view key_hash) {
  return atEdge("findAccountByKeyHash", [&]() -> Result<domain::Account> {
    return detail::transact(
        *pool_, cfg_.busy_retries, "findAccountByKeyHash",
        [&](pg::Connection& c) { return findAccountBy(c, sql::kSelectAccountByKeyHash, key_hash); },
        sql::kBeginSnapshot);
  });
}

Status PostgresStore::setAccountStatus(std::int64_t account_id, domain::AccountStatus s) {
  return atEdge("setAccountStatus", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "setAccountStatus", [&](pg::Connection& c) {
      return updateAccount(c, sql::kUpdateAccountStatus, account_id, domain::toString(s));
    });
  });
}

Status PostgresStore::setAccountLevel(std::int64_t account_id, domain::Level l) {
  return atEdge("setAccountLevel", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "setAccountLevel", [&](pg::Connection& c) {
      return updateAccount(c, sql::kUpdateAccountLevel, account_id, domain::toString(l));
    });
  });
}

Status PostgresStore::setAccountKeyHash(std::int64_t account_id, std::string_view key_hash) {
  return atEdge("setAccountKeyHash", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "setAccountKeyHash", [&](pg::Connection& c) -> Status {
      try {
        return updateAccount(c, sql::kUpdateAccountKeyHash, account_id, key_hash);
      } catch (const pg::Error& e) {
        if (e.uniqueViolation()) return makeError(Errc::kConflict, "that key is already in use");
        throw;
      }
    });
  });
}

Status PostgresStore::setPriceOverride(std::int64_t account_id, std::int64_t service_id,
                                       std::optional<Money> price) {
  return atEdge("setPriceOverride", [&]() -> Status {
    if (price && price->rupiah < 0) return makeError(Errc::kInvalidArgument, "price must not be negative");
    return detail::transact(*pool_, cfg_.busy_retries, "setPriceOverride", [&](pg::Connection& c) -> Status {
      try {
        if (price) {
          c.run(sql::kUpsertOverride, Params().add(account_id).add(service_id).add(price->rupiah));
        } else {
          c.run(sql::kDeleteOverride, Params().add(account_id).add(service_id));
        }
      } catch (const pg::Error& e) {
        if (e.foreignKeyViolation()) return makeError(Errc::kNotFound, "account or service not found");
        throw;
      }
      return okStatus();
    });
  });
}

Result<domain::LedgerEntry> PostgresStore::adjustBalance(std::int64_t account_id, Money amount,
                                                         std::string_view note, std::int64_t now) {
  return atEdge("adjustBalance", [&]() -> Result<domain::LedgerEntry> {
    if (amount.rupiah == 0) return makeError(Errc::kInvalidArgument, "amount must not be zero");
    return detail::transact(
        *pool_, cfg_.busy_retries, "adjustBalance", [&](pg::Connection& c) -> Result<domain::LedgerEntry> {
          const Rows r = c.run(sql::kAdjustBalance, Params().add(amount.rupiah).add(account_id));
          if (r.empty()) {
            const Rows s = c.run(sql::kSelectAccountStatusBalance, Params().add(account_id));
            if (s.empty()) return makeError(Errc::kNotFound, "account not found");
            return makeError(Errc::kInsufficientBalance, "balance Rp " + std::to_string(s.int64(0, 1)) +
                                                             " is below the debit Rp " +
                                                             std::to_string(-amount.rupiah));
          }
          domain::LedgerEntry e;
          e.account_id = account_id;
          e.amount = amount;
          e.balance_after = Money{r.int64(0, 0)};
          e.reason = amount.rupiah > 0 ? domain::LedgerReason::kCredit : domain::LedgerReason::kDebit;
          e.ref = std::string(note);
          e.created_at = now;
          e.id = insertLedger(c, account_id, e.amount, e.balance_after, e.reason, 0, e.ref, now);
          return e;
        });
  });
}

Result<std::vector<domain::LedgerEntry>> PostgresStore::ledger(std::int64_t account_id, int limit) {
  return atEdge("ledger", [&]() -> Result<std::vector<domain::LedgerEntry>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "ledger",
                               [&](pg::Connection& c) -> Result<std::vector<domain::LedgerEntry>> {
                                 const Rows r =
                                     c.run(sql::kSelectLedger,
                                           Params().add(account_id).add(std::clamp(limit, 1, kMaxListLimit)));
                                 std::vector<domain::LedgerEntry> out;
                                 for (int i = 0; i < r.size(); ++i) out.push_back(readLedger(r, i));
                                 return out;
                               });
  });
}

Result<Money> PostgresStore::ledgerSum(std::int64_t account_id) {
  return atEdge("ledgerSum", [&]() -> Result<Money> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "ledgerSum",
                               [&](pg::Connection& c) -> Result<Money> {
                                 const Rows r = c.run(sql::kLedgerSum, Params().add(account_id));
                                 if (r.empty()) throw std::runtime_error("SUM returned no row");
                                 return Money{r.int64(0, 0)};
                               });
  });
}

// ---------------------------------------------------------------------------------
// Catalog

Result<std::vector<domain::Service>> PostgresStore::loadServices() {
  return atEdge("loadServices", [&]() -> Result<std::vector<domain::Service>> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "loadServices",
                               [&](pg::Connection& c) -> Result<std::vector<domain::Service>> {
                                 const Rows r = c.run(sql::kSelectServices);
                                 std::vector<domain::Service> out;
                                 out.reserve(static_cast<std::size_t>(r.size()));
                                 for (int i = 0; i < r.size(); ++i) out.push_back(readService(r, i));
                                 return out;
                               });
  });
}

Status PostgresStore::upsertServices(const std::vector<domain::Service>& services) {
  return atEdge("upsertServices", [&]() -> Status {
    return detail::transact(*pool_, cfg_.busy_retries, "upsertServices", [&](pg::Connection& c) -> Status {
      for (const domain::Service& s : services) {
        Params p;
        addService(p, s);
        c.run(sql::kUpsertService, p);
      }
      return okStatus();
    });
  });
}

// ---------------------------------------------------------------------------------
// Orders

namespace {

// Runs a query that yields at most one order.
Result<domain::Order> oneOrder(pg::Connection& c, const char* query, const Params& p) {
  const Rows r = c.run(query, p);
  // Another account's order reads exactly like a missing one.
  if (r.empty()) return makeError(Errc::kNotFound, "order not found");
  return detail::readOrder(r, 0);
}

std::vector<domain::Order> allOrders(const Rows& r) {
  std::vector<domain::Order> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(detail::readOrder(r, i));
  return out;
}

}  // namespace

Result<domain::Order> PostgresStore::findOrder(std::int64_t account_id, domain::Kind kind,
                                               std::string_view ref_id) {
  return atEdge("findOrder", [&]() -> Result<domain::Order> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findOrder", [&](pg::Connection& c) {
      return oneOrder(c, sql::kSelectOrderScoped,
                      Params().add(ref_id).add(account_id).add(domain::toString(kind)));
    });
  });
}

Result<domain::Order> PostgresStore::findOrderByRef(std::string_view ref_id) {
  return atEdge("findOrderByRef", [&]() -> Result<domain::Order> {
    return detail::withRetries(*pool_, cfg_.busy_retries, "findOrderByRef", [&](pg::Connection& c) {
      return oneOrder(c, sql::kSelectOrderByRef, Params().add(ref_id));
    });
  });
}

Result<domain::Order> PostgresStore::findOrderByIdempotencyKey(std::int64_t account_id,
                                                               std::string_view key) {
  return atEdge("findOrderByIdempotencyKey", [&]() -> Result<domain::Order> {
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "findOrderByIdempotencyKey", [&](pg::Connection& c) {
          return oneOrder(c, sql::kSelectOrderByIdempotencyKey, Params().add(account_id).add(key));
        });
  });
}

Result<std::vector<domain::Order>> PostgresStore::latestOrders(std::int64_t account_id, domain::Kind kind,
                                                               int limit) {
  return atEdge("latestOrders", [&]() -> Result<std::vector<domain::Order>> {
    return detail::withRetries(
        *pool_, cfg_.busy_retries, "latestOrders",
        [&](pg::Connection& c) -> Result<std::vector<domain::Order>> {
          return allOrders(c.run(
              sql::kSelectLatestOrders,
              Params().add(account_id).add(domain::toString(kind)).add(std::clamp(limit, 1, kMaxListLimit))));
        });
  });
}

Result<std::vector<domain::Order>> PostgresStore::listOrders(const OrderFilter& f) {
  return atEdge("listOrders", [&]() -> Result<std::vector<domain::Order>> {
    // Only fixed fragments go into the text; every value is a bound parameter.
    std::string query = sql::kSelectOrdersPrefix;
    Params p;
    auto where = [&](const char* column_op) -> Params& {
      query += p.size() == 0 ? " WHERE " : " AND ";
      query += column_op;
      query += " $" + std::to_string(p.size() + 1);
      return p;
    };
    if (f.account_id) where("account_id =").add(*f.account_id);
    if (f.kind) where("kind =").add(domain::toString(*f.kind));
    if (f.status) where("status =").add(domain::toString(*f.status));
    if (f.service_code) where("service_code =").add(*f.service_code);
    if (f.target) where("target =").add(*f.target);
    if (f.created_from) where("created_at >=").add(*f.created_from);
    if (f.created_to) where("created_at <").add(*f.created_to);
    query += " ORDER BY id DESC LIMIT $" + std::to_string(p.size() + 1) + " OFFSET $" +
             std::to_string(p.size() + 2);
    p.add(std::clamp(f.limit, 1, kMaxListLimit));
    p.add(std::max(f.offset, 0));
    return detail::withRetries(*pool_, cfg_.busy_retries, "listOrders",
                               [&](pg::Connection& c) -> Result<std::vector<domain::Order>> {
                                 // Unprepared: the text varies with the filter, and this is an operator's
                                 // query.
                                 return allOrders(c.runText(query, p));
                               });
  });
}

Result<domain::Order> PostgresStore::applyTransition(const domain::Transition& t) {
  return atEdge("applyTransition", [&]() -> Result<domain::Order> {
    if (t.refund.rupiah < 0) return makeError(Errc::kInvalidArgument, "refund must not be negative");
    // An order's status is its version (Store::visitLatestOrdersUnheld): every change moves it.
    if (t.to == t.from) return makeError(Errc::kInvalidArgument, "a transition must change the status");
    return detail::transact(
        *pool_, cfg_.busy_retries, "applyTransition", [&](pg::Connection& c) -> Result<domain::Order> {
          // A refund moves money: take the account's lock before the order's, the order
          // writer's lock order (accounts, then the pending-target index), so the two
          // cannot deadlock.
          if (t.refund.rupiah > 0) c.run(sql::kLockAccount, Params().add(t.account_id));
          const Rows u = c.run(sql::kTransitionOrder, Params()
                                                          .add(domain::toString(t.to))
                                                          .add(t.start_count)
                                                          .add(t.remain)
                                                          .add(t.voucher)
                                                          .add(t.note)
                                                          .add(t.at)
                                                          .add(t.order_id)
                                                          .add(domain::toString(t.from)));
          if (u.empty()) {
            if (c.run(sql::kSelectOrderStatus, Params().add(t.order_id)).empty()) {
              return makeError(Errc::kNotFound, "order " + t.ref_id + " not found");
            }
            return makeError(Errc::kConflict,
                             "order " + t.ref_id + " is no longer " + std::string(domain::toString(t.from)));
          }
          const domain::Order updated = detail::readOrder(u, 0);
          // The transition was planned from an order read earlier; if it names another
          // account or refunds more than was charged, something upstream is broken, and
          // money must not move on its say-so.
          if (updated.account_id != t.account_id || t.refund > updated.charge) {
            spdlog::error(
                "postgres store: applyTransition on {}: transition (account {}, refund {}) "
                "does not match the order (account {}, charge {})",
                t.ref_id, t.account_id, t.refund.rupiah, updated.account_id, updated.charge.rupiah);
            return storageError();
          }
          if (t.refund.rupiah > 0) {
            const Rows b = c.run(sql::kCreditRefund, Params().add(t.refund.rupiah).add(updated.account_id));
            if (b.empty()) throw std::runtime_error("refund: account vanished");
            insertLedger(c, updated.account_id, t.refund, Money{b.int64(0, 0)}, domain::LedgerReason::kRefund,
                         updated.id, updated.ref_id, t.at);
          }
          // The story, the webhook and the end of fulfilment commit with the change
          // itself: a change is never announced without having happened, nor happens
          // unannounced.
          c.run(sql::kInsertEvent, Params().add(updated.id).add(t.at).add("status").add(transitionDetail(t)));
          if (!t.notify_payload.empty()) {
            // Inserts nothing when the account has no callback URL.
            c.run(sql::kQueueTransitionWebhook, Params()
                                                    .add(updated.account_id)
                                                    .add(updated.id)
                                                    .add(updated.ref_id)
                                                    .add(t.notify_payload)
                                                    .add(t.at));
          }
          if (domain::isFinal(t.to)) {
            // Nothing when the order never entered fulfilment.
            c.run(sql::kFinishDispatch, Params().add(updated.id).add(t.at));
          }
          return updated;
        });
  });
}

}  // namespace warung::store::postgres
