#include "store/sqlite/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>
#include <variant>
#include <vector>

#include "domain/order_state.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/order_chain.hpp"
#include "store/sqlite/sql.hpp"
#include "store/sqlite/store_internal.hpp"

namespace warung::store::sqlite {
namespace {

using detail::atEdge;
using detail::bindText;
using detail::Connection;
using detail::isUniqueViolation;
using detail::kMaxListLimit;
using detail::mentions;
using detail::parsedOrThrow;
using detail::RawUse;
using detail::StatementUse;
using detail::storageError;

void setWal(Connection& c, const std::string& path) {
  SQLite::Statement q(c.db(), sql::kPragmaWal);
  if (q.executeStep()) {
    const std::string mode = q.getColumn(0).getString();
    if (mode != "wal") spdlog::warn("sqlite: {}: journal_mode is {}, not wal", path, mode);
  }
}

domain::Account readAccount(SQLite::Statement& s) {
  domain::Account a;
  a.id = s.getColumn(0).getInt64();
  a.user_id = s.getColumn(1).getString();
  a.name = s.getColumn(2).getString();
  const std::string level = s.getColumn(3).getString();
  a.level = parsedOrThrow(domain::parseLevel(level), "accounts.level", level);
  const std::string status = s.getColumn(4).getString();
  a.status = parsedOrThrow(domain::parseAccountStatus(status), "accounts.status", status);
  a.balance = Money{s.getColumn(5).getInt64()};
  a.key_hash = s.getColumn(6).getString();
  a.created_at = s.getColumn(7).getInt64();
  a.callback_url = s.getColumn(8).getString();
  a.webhook_secret = s.getColumn(9).getString();
  return a;
}

void loadOverrides(Connection& c, domain::Account& a) {
  StatementUse q(c.statement(sql::kSelectOverrides));
  q->bind(1, a.id);
  while (q->executeStep()) {
    a.price_overrides[q->getColumn(0).getInt64()] = Money{q->getColumn(1).getInt64()};
  }
}

// Reads one account by a unique text column, with its overrides, in one snapshot.
Result<domain::Account> findAccountBy(Connection& c, const char* query, std::string_view key) {
  SQLite::Transaction tx(c.db());
  domain::Account a;
  {
    StatementUse q(c.statement(query));
    bindText(*q, 1, key);
    if (!q->executeStep()) return makeError(Errc::kNotFound, "account not found");
    a = readAccount(*q);
  }
  loadOverrides(c, a);
  tx.commit();
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

// Binds ?1..?45 of sql::kUpsertService.
void bindService(SQLite::Statement& s, const domain::Service& v) {
  int i = 0;
  auto text = [&](std::string_view t) { bindText(s, ++i, t); };
  auto num = [&](std::int64_t n) { s.bind(++i, n); };
  text(domain::toString(v.kind));
  text(v.code);
  text(v.name);
  text(v.note);
  text(v.category);
  text(v.category_key);
  text(v.fields_title);
  text(v.fields_info);
  for (const domain::FieldSpec& f : v.fields) {
    text(domain::toString(f.type));
    text(f.input_type);
    text(f.label);
    num(f.minlength);
    num(f.maxlength);
    text(f.placeholder);
    text(f.select_label);
    text(joinOptions(f.options));
    text(f.select_placeholder);
  }
  num(v.min_quantity);
  num(v.max_quantity);
  for (Money p : v.prices) num(p.rupiah);
  num(v.cutoff.start_minute);
  num(v.cutoff.end_minute);
  num(v.ready ? 1 : 0);
  num(v.enabled ? 1 : 0);
  num(v.updated_at);
}

// Reads a row of sql::kSelectServices.
domain::Service readService(SQLite::Statement& s) {
  domain::Service v;
  int i = 0;
  auto text = [&] { return s.getColumn(i++).getString(); };
  auto num = [&] { return s.getColumn(i++).getInt64(); };
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
  v.ready = num() != 0;
  v.enabled = num() != 0;
  v.updated_at = num();
  return v;
}

domain::LedgerEntry readLedger(SQLite::Statement& s) {
  domain::LedgerEntry e;
  e.id = s.getColumn(0).getInt64();
  e.account_id = s.getColumn(1).getInt64();
  e.amount = Money{s.getColumn(2).getInt64()};
  e.balance_after = Money{s.getColumn(3).getInt64()};
  e.reason = detail::parseLedgerReason(s.getColumn(4).getString());
  e.order_id = s.getColumn(5).isNull() ? 0 : s.getColumn(5).getInt64();
  e.ref = s.getColumn(6).getString();
  e.created_at = s.getColumn(7).getInt64();
  return e;
}

// Inserts a ledger row on the write connection inside the caller's transaction.
std::int64_t insertLedger(Connection& c, std::int64_t account_id, Money amount, Money balance_after,
                          domain::LedgerReason reason, std::int64_t order_id, std::string_view ref,
                          std::int64_t at) {
  StatementUse q(c.statement(sql::kInsertLedger));
  detail::bindLedger(*q, account_id, amount, balance_after, reason, order_id, ref, at);
  if (q->exec() != 1) throw std::runtime_error("ledger insert wrote no row");
  return c.db().getLastInsertRowid();
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

// Runs a single-row UPDATE ... WHERE id = ?1 of an account; kNotFound if none changed.
Status updateAccount(Connection& c, const char* query, std::int64_t account_id, std::string_view value) {
  SQLite::Transaction tx(c.db(), SQLite::TransactionBehavior::IMMEDIATE);
  int changed = 0;
  {
    StatementUse q(c.statement(query));
    q->bind(1, account_id);
    bindText(*q, 2, value);
    changed = q->exec();
  }
  if (changed == 0) return makeError(Errc::kNotFound, "account not found");
  tx.commit();
  return okStatus();
}

// One account's order of one kind by ref_id (kSelectOrderScoped and
// kSelectOrderIdStatusScoped): true when there is one. Another account's order reads
// exactly like a missing one.
bool stepScopedOrder(RawUse& q, std::string_view ref_id, std::int64_t account_id, domain::Kind kind) {
  q->bindText(1, ref_id);
  q->bind(2, account_id);
  q->bindText(3, domain::toString(kind));
  return q->step();
}

}  // namespace

// ---------------------------------------------------------------------------------
// Read pool

SqliteStore::ReadLease SqliteStore::acquireReader() {
  std::unique_lock lock(read_mutex_);
  reader_free_.wait(lock, [&] { return !readers_.empty(); });
  std::unique_ptr<Connection> c = std::move(readers_.back());
  readers_.pop_back();
  return ReadLease(*this, std::move(c));
}

void SqliteStore::releaseReader(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(read_mutex_);
    readers_.push_back(std::move(c));
  }
  reader_free_.notify_one();
}

// ---------------------------------------------------------------------------------
// Start-up

SqliteStore::SqliteStore(std::string path, SqliteConfig cfg)
    : path_(std::move(path)), cfg_(std::move(cfg)), turn_wait_(cfg_.busy_timeout_ms) {
  if (!cfg_.sync_file) cfg_.sync_file = syncWalFile;
  if (cfg_.read_connections < 1) {
    throw std::runtime_error("sqlite: read_connections must be at least 1");
  }
  if (cfg_.busy_timeout_ms < 0) {
    throw std::runtime_error("sqlite: busy_timeout_ms must not be negative");
  }
  if (cfg_.cache_mb < 1) throw std::runtime_error("sqlite: cache_mb must be at least 1");
  write_turn_ = processWriteTurn(path_);
  {
    // The write connection shares its cache with the process's others (connection.hpp).
    WriteTurnHold turn(*write_turn_, turn_wait_);
    writer_ = std::make_unique<Connection>(path_, cfg_.busy_timeout_ms, /*create=*/true,
                                           /*query_only=*/false, /*process_writer=*/true, cfg_.cache_mb);
    try {
      setWal(*writer_, path_);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("database " + path_ + ": cannot enable WAL: " + e.what());
    }
    migrate(writer_->db(), path_);
  }
  for (int i = 0; i < cfg_.read_connections; ++i) {
    // query_only: the pool is for SELECTs; a write through it would bypass the
    // write turn and is a bug we want to hear about.
    readers_.push_back(std::make_unique<Connection>(path_, cfg_.busy_timeout_ms, /*create=*/false,
                                                    /*query_only=*/true, /*process_writer=*/false,
                                                    cfg_.cache_mb));
  }
}

SqliteStore::~SqliteStore() {
  if (write_turn_ && write_turn_->walSyncFailed()) {  // see Connection::keepWalOnClose
    if (writer_) writer_->keepWalOnClose();
    for (auto& r : readers_) r->keepWalOnClose();
  }
}

void SqliteStore::leaveCheckpointsToOrderWriter() {
  WriteTurnHold turn(*write_turn_, turn_wait_);
  sqlite3_wal_autocheckpoint(writer_->db().getHandle(), 0);
}

// ---------------------------------------------------------------------------------
// Versions

Result<Versions> SqliteStore::versions() {
  return atEdge("versions", [&]() -> Result<Versions> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectVersions));
    Versions v;
    while (q->executeStep()) {
      const std::string name = q->getColumn(0).getString();
      const std::int64_t version = q->getColumn(1).getInt64();
      if (name == "catalog") v.catalog = version;
      if (name == "accounts") v.accounts = version;
    }
    return v;
  });
}

// ---------------------------------------------------------------------------------
// Accounts

Result<domain::Account> SqliteStore::createAccount(const NewAccount& a) {
  return atEdge("createAccount", [&]() -> Result<domain::Account> {
    WriteTransaction tx(*this);
    domain::Account created;
    try {
      StatementUse q(writer_->statement(sql::kInsertAccount));
      bindText(*q, 1, a.user_id);
      bindText(*q, 2, a.name);
      bindText(*q, 3, domain::toString(a.level));
      bindText(*q, 4, a.key_hash);
      q->bind(5, a.created_at);
      if (!q->executeStep()) throw std::runtime_error("account insert returned no row");
      created = readAccount(*q);
    } catch (const SQLite::Exception& e) {
      if (isUniqueViolation(e) && mentions(e, "accounts.user_id")) {
        return makeError(Errc::kConflict, "user_id " + a.user_id + " is already taken");
      }
      if (isUniqueViolation(e) && mentions(e, "accounts.key_hash")) {
        return makeError(Errc::kConflict, "that key is already in use");
      }
      throw;
    }
    tx.commit();
    return created;
  });
}

Result<std::vector<domain::Account>> SqliteStore::listAccounts() {
  return atEdge("listAccounts", [&]() -> Result<std::vector<domain::Account>> {
    ReadLease c = acquireReader();
    SQLite::Transaction tx(c->db());
    std::vector<domain::Account> out;
    {
      StatementUse q(c->statement(sql::kSelectAccounts));
      while (q->executeStep()) out.push_back(readAccount(*q));
    }
    {
      StatementUse q(c->statement(sql::kSelectAllOverrides));
      while (q->executeStep()) {
        const std::int64_t account_id = q->getColumn(0).getInt64();
        // Ordered by id, so a binary search finds the account.
        auto it = std::lower_bound(out.begin(), out.end(), account_id,
                                   [](const domain::Account& x, std::int64_t id) { return x.id < id; });
        if (it != out.end() && it->id == account_id) {
          it->price_overrides[q->getColumn(1).getInt64()] = Money{q->getColumn(2).getInt64()};
        }
      }
    }
    tx.commit();
    return out;
  });
}

Result<domain::Account> SqliteStore::findAccountByUserId(std::string_view user_id) {
  return atEdge("findAccountByUserId", [&]() -> Result<domain::Account> {
    ReadLease c = acquireReader();
    return findAccountBy(*c, sql::kSelectAccountByUserId, user_id);
  });
}

Result<domain::Account> SqliteStore::findAccountByKeyHash(std::string_view key_hash) {
  return atEdge("findAccountByKeyHash", [&]() -> Result<domain::Account> {
    ReadLease c = acquireReader();
    return findAccountBy(*c, sql::kSelectAccountByKeyHash, key_hash);
  });
}

Status SqliteStore::setAccountStatus(std::int64_t account_id, domain::AccountStatus s) {
  return atEdge("setAccountStatus", [&]() -> Status {
    WriteTurnHold turn(*write_turn_, turn_wait_);
    return updateAccount(*writer_, sql::kUpdateAccountStatus, account_id, domain::toString(s));
  });
}

Status SqliteStore::setAccountLevel(std::int64_t account_id, domain::Level l) {
  return atEdge("setAccountLevel", [&]() -> Status {
    WriteTurnHold turn(*write_turn_, turn_wait_);
    return updateAccount(*writer_, sql::kUpdateAccountLevel, account_id, domain::toString(l));
  });
}

Status SqliteStore::setAccountKeyHash(std::int64_t account_id, std::string_view key_hash) {
  return atEdge("setAccountKeyHash", [&]() -> Status {
    WriteTurnHold turn(*write_turn_, turn_wait_);
    try {
      return updateAccount(*writer_, sql::kUpdateAccountKeyHash, account_id, key_hash);
    } catch (const SQLite::Exception& e) {
      if (isUniqueViolation(e)) return makeError(Errc::kConflict, "that key is already in use");
      throw;
    }
  });
}

Status SqliteStore::setPriceOverride(std::int64_t account_id, std::int64_t service_id,
                                     std::optional<Money> price) {
  return atEdge("setPriceOverride", [&]() -> Status {
    if (price && price->rupiah < 0) {
      return makeError(Errc::kInvalidArgument, "price must not be negative");
    }
    WriteTransaction tx(*this);
    try {
      StatementUse q(writer_->statement(price ? sql::kUpsertOverride : sql::kDeleteOverride));
      q->bind(1, account_id);
      q->bind(2, service_id);
      if (price) q->bind(3, price->rupiah);
      q->exec();
    } catch (const SQLite::Exception& e) {
      if (detail::isForeignKeyViolation(e)) {
        return makeError(Errc::kNotFound, "account or service not found");
      }
      throw;
    }
    tx.commit();
    return okStatus();
  });
}

Result<domain::LedgerEntry> SqliteStore::adjustBalance(std::int64_t account_id, Money amount,
                                                       std::string_view note, std::int64_t now) {
  return atEdge("adjustBalance", [&]() -> Result<domain::LedgerEntry> {
    if (amount.rupiah == 0) return makeError(Errc::kInvalidArgument, "amount must not be zero");
    WriteTransaction tx(*this);
    std::optional<Money> balance_after;
    {
      StatementUse q(writer_->statement(sql::kAdjustBalance));
      q->bind(1, amount.rupiah);
      q->bind(2, account_id);
      if (q->executeStep()) balance_after = Money{q->getColumn(0).getInt64()};
    }
    if (!balance_after) {
      StatementUse q(writer_->statement(sql::kSelectAccountStatusBalance));
      q->bind(1, account_id);
      if (!q->executeStep()) return makeError(Errc::kNotFound, "account not found");
      return makeError(Errc::kInsufficientBalance,
                       "balance Rp " + std::to_string(q->getColumn(1).getInt64()) +
                           " is below the debit Rp " + std::to_string(-amount.rupiah));
    }
    domain::LedgerEntry e;
    e.account_id = account_id;
    e.amount = amount;
    e.balance_after = *balance_after;
    e.reason = amount.rupiah > 0 ? domain::LedgerReason::kCredit : domain::LedgerReason::kDebit;
    e.ref = std::string(note);
    e.created_at = now;
    e.id = insertLedger(*writer_, account_id, e.amount, e.balance_after, e.reason, 0, e.ref, now);
    tx.commit();
    return e;
  });
}

Result<std::vector<domain::LedgerEntry>> SqliteStore::ledger(std::int64_t account_id, int limit) {
  return atEdge("ledger", [&]() -> Result<std::vector<domain::LedgerEntry>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectLedger));
    q->bind(1, account_id);
    q->bind(2, std::clamp(limit, 1, kMaxListLimit));
    std::vector<domain::LedgerEntry> out;
    while (q->executeStep()) out.push_back(readLedger(*q));
    return out;
  });
}

Result<Money> SqliteStore::ledgerSum(std::int64_t account_id) {
  return atEdge("ledgerSum", [&]() -> Result<Money> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kLedgerSum));
    q->bind(1, account_id);
    if (!q->executeStep()) throw std::runtime_error("SUM returned no row");
    return Money{q->getColumn(0).getInt64()};
  });
}

// ---------------------------------------------------------------------------------
// Catalog

Result<std::vector<domain::Service>> SqliteStore::loadServices() {
  return atEdge("loadServices", [&]() -> Result<std::vector<domain::Service>> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectServices));
    std::vector<domain::Service> out;
    while (q->executeStep()) out.push_back(readService(*q));
    return out;
  });
}

Status SqliteStore::upsertServices(const std::vector<domain::Service>& services) {
  return atEdge("upsertServices", [&]() -> Status {
    WriteTransaction tx(*this);
    for (const domain::Service& s : services) {
      StatementUse q(writer_->statement(sql::kUpsertService));
      bindService(*q, s);
      q->exec();
    }
    tx.commit();
    return okStatus();
  });
}

// ---------------------------------------------------------------------------------
// Orders

Result<domain::Order> SqliteStore::findOrder(std::int64_t account_id, domain::Kind kind,
                                             std::string_view ref_id) {
  return atEdge("findOrder", [&]() -> Result<domain::Order> {
    ReadLease c = acquireReader();
    RawUse q(c->raw(sql::kSelectOrderScoped));
    if (!stepScopedOrder(q, ref_id, account_id, kind)) return makeError(Errc::kNotFound, "order not found");
    return detail::readOrderRow(*q);
  });
}

Status SqliteStore::visitOrderUnheld(std::int64_t account_id, domain::Kind kind, std::string_view ref_id,
                                     const HeldOrder& held,
                                     const std::function<void(const domain::Order&)>& each) {
  return atEdge("visitOrderUnheld", [&]() -> Status {
    ReadLease c = acquireReader();
    std::int64_t id = 0;
    {
      RawUse q(c->raw(sql::kSelectOrderIdStatusScoped));
      if (!stepScopedOrder(q, ref_id, account_id, kind)) return makeError(Errc::kNotFound, "order not found");
      id = q->int64(0);
      if (held(id, detail::readOrderStatus(*q, 1))) return okStatus();
    }
    // Not held (or held with another status): the whole row, as it is now.
    RawUse q(c->raw(sql::kSelectOrderById));
    q->bind(1, id);
    if (!q->step()) return makeError(Errc::kNotFound, "order not found");
    each(detail::readOrderRow(*q));
    return okStatus();
  });
}

Result<domain::Order> SqliteStore::findOrderByRef(std::string_view ref_id) {
  return atEdge("findOrderByRef", [&]() -> Result<domain::Order> {
    ReadLease c = acquireReader();
    RawUse q(c->raw(sql::kSelectOrderByRef));
    q->bindText(1, ref_id);
    if (!q->step()) return makeError(Errc::kNotFound, "order not found");
    return detail::readOrderRow(*q);
  });
}

Result<domain::Order> SqliteStore::findOrderByIdempotencyKey(std::int64_t account_id, std::string_view key) {
  return atEdge("findOrderByIdempotencyKey", [&]() -> Result<domain::Order> {
    ReadLease c = acquireReader();
    StatementUse q(c->statement(sql::kSelectOrderByIdempotencyKey));
    q->bind(1, account_id);
    bindText(*q, 2, key);
    if (!q->executeStep()) return makeError(Errc::kNotFound, "order not found");
    return detail::readOrder(*q);
  });
}

Result<std::vector<domain::Order>> SqliteStore::latestOrders(std::int64_t account_id, domain::Kind kind,
                                                             int limit) {
  std::vector<domain::Order> out;
  out.reserve(static_cast<std::size_t>(std::clamp(limit, 1, 64)));
  Status s = visitLatestOrders(account_id, kind, limit, [&](const domain::Order& o) { out.push_back(o); });
  if (!s) return s.error();
  return out;
}

namespace {

// The newest `limit` orders of one account's chain of `kind`, each handed to `each`
// unless `held` says the caller has it as it is (no column read but the id and status).
// Where the chain starts is read by a statement left on its row for the walk: one read
// transaction (or the caller's), one snapshot. No such account: nothing.
void readLatest(detail::Connection& c, std::int64_t account_id, domain::Kind kind, int limit,
                const Store::HeldOrder* held, const std::function<void(const domain::Order&)>& each) {
  RawUse start(c.raw(sql::kSelectLatestOrderOfKind));
  start->bind(1, account_id);
  start->bindText(2, domain::toString(kind));
  if (!start->step()) return;
  detail::OrderChainWalk walk(c.raw(sql::kSelectOrderInChain), account_id);
  walk.start(kind, start->int64(0));
  domain::Order row;  // refilled: its strings keep their capacity from row to row
  for (int n = std::clamp(limit, 1, kMaxListLimit); n > 0 && walk.next(); --n) {
    if (held != nullptr &&
        (*held)(walk.row().int64(detail::kOrderIdColumn), detail::readOrderStatus(walk.row()))) {
      continue;
    }
    detail::readOrderRowInto(walk.row(), row);
    each(row);
  }
}

}  // namespace

Status SqliteStore::visitLatestOrders(std::int64_t account_id, domain::Kind kind, int limit,
                                      const std::function<void(const domain::Order&)>& each) {
  return atEdge("latestOrders", [&]() -> Status {
    ReadLease c = acquireReader();
    readLatest(*c, account_id, kind, limit, nullptr, each);
    return okStatus();
  });
}

Status SqliteStore::visitLatestOrdersUnheld(std::int64_t account_id, domain::Kind kind, int limit,
                                            const HeldOrder& held,
                                            const std::function<void(const domain::Order&)>& each) {
  return atEdge("visitLatestOrdersUnheld", [&]() -> Status {
    ReadLease c = acquireReader();
    readLatest(*c, account_id, kind, limit, &held, each);
    return okStatus();
  });
}

Result<Store::LatestVisit> SqliteStore::visitLatestOrdersSince(
    std::int64_t account_id, domain::Kind kind, int limit, std::optional<std::int64_t> known,
    const HeldOrder& held, const std::function<void(const domain::Order&)>& each) {
  return atEdge("visitLatestOrdersSince", [&]() -> Result<LatestVisit> {
    ReadLease c = acquireReader();
    // Left on its row while the list is read: one read transaction, one snapshot. Only
    // the version, as most polls end there (the chain's start is read when it moved).
    RawUse version(c->raw(sql::kSelectOrderListVersion));
    version->bind(1, account_id);
    LatestVisit out;
    if (!version->step()) return out;  // no such account: no orders, no version
    out.version = version->int64(0);
    if (out.version == known) {
      out.unchanged = true;
      return out;
    }
    readLatest(*c, account_id, kind, limit, &held, each);
    return out;
  });
}

namespace {

using FilterValue = std::variant<std::int64_t, std::string>;

// listOrders of one account: the orders table has no index by account (migration 10),
// so its chains are walked, newest first over both kinds unless the filter names one,
// and each row is tested by the filter's fragments (`filter`, "1" for none) where the
// statement reads it.
std::vector<domain::Order> listAccountOrders(detail::Connection& c, std::int64_t account_id,
                                             std::optional<domain::Kind> kind, const std::string& filter,
                                             const std::vector<FilterValue>& values, int limit, int offset) {
  const std::string query =
      std::string(sql::kSelectOrderInChainPrefix) + "(" + filter + ") FROM orders WHERE id = ?";
  detail::RawStatement step(c.db().getHandle(), query.c_str());
  int i = 0;
  for (const FilterValue& v : values) {
    ++i;
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      step.bind(i, *n);
    } else {
      step.bindText(i, std::get<std::string>(v));  // `values` outlives the statement
    }
  }
  std::vector<domain::Order> out;
  RawUse start(c.raw(sql::kSelectLatestOrderIds));  // left on its row: one snapshot
  start->bind(1, account_id);
  if (!start->step()) return out;  // no such account
  constexpr int kMatchColumn = detail::kOrderChainPrevColumn + 1;
  detail::OrderChainWalk walk(step, account_id, /*id_param=*/i + 1);
  if (!kind || *kind == domain::Kind::kSocialMedia) walk.start(domain::Kind::kSocialMedia, start->int64(0));
  if (!kind || *kind == domain::Kind::kGame) walk.start(domain::Kind::kGame, start->int64(1));
  int skipped = 0;
  while (static_cast<int>(out.size()) < limit && walk.next()) {
    if (walk.row().int64(kMatchColumn) == 0) continue;
    if (skipped < offset) {
      ++skipped;
      continue;
    }
    out.push_back(detail::readOrderRow(walk.row()));
  }
  return out;
}

}  // namespace

Result<std::vector<domain::Order>> SqliteStore::listOrders(const OrderFilter& f) {
  return atEdge("listOrders", [&]() -> Result<std::vector<domain::Order>> {
    // Only fixed fragments go into the text; every value is a bound parameter.
    std::string filter;
    std::vector<FilterValue> values;
    auto where = [&](const char* fragment, FilterValue v) {
      if (!filter.empty()) filter += " AND ";
      filter += fragment;
      values.push_back(std::move(v));
    };
    if (f.kind) where("kind = ?", std::string(domain::toString(*f.kind)));
    if (f.status) where("status = ?", std::string(domain::toString(*f.status)));
    if (f.service_code) where("service_code = ?", *f.service_code);
    if (f.target) where("target = ?", *f.target);
    if (f.created_from) where("created_at >= ?", *f.created_from);
    if (f.created_to) where("created_at < ?", *f.created_to);
    const int limit = std::clamp(f.limit, 1, kMaxListLimit);
    const int offset = std::max(f.offset, 0);

    ReadLease c = acquireReader();
    // Not cached: the text varies with the filter, and this is an operator's query.
    // One account's orders are read along its chains (no index by account, migration
    // 10), unless the filter asks for open ones (waiting, processing): while fulfilment
    // keeps up those are few whatever the account's history, and the status index holds
    // them newest first, so reading them there and keeping the account's costs less
    // than walking a long chain past its final orders. (On session 19's benchmark
    // database, 11.4 M orders: an account of 100,000 orders without open ones, 0.38 s
    // along its chain for a final status; 0.59 s by the index with 1.44 M orders
    // waiting, 0.01 s with none processing.)
    if (f.account_id && (!f.status || domain::isFinal(*f.status))) {
      return listAccountOrders(*c, *f.account_id, f.kind, filter.empty() ? "1" : filter, values, limit,
                               offset);
    }
    if (f.account_id) where("account_id = ?", *f.account_id);
    std::string query = sql::kSelectOrdersPrefix;
    if (!filter.empty()) query += " WHERE " + filter;
    query += " ORDER BY id DESC LIMIT ? OFFSET ?";
    SQLite::Statement q(c->db(), query);
    int i = 0;
    for (const FilterValue& v : values) std::visit([&](const auto& x) { q.bind(++i, x); }, v);
    q.bind(i + 1, limit);
    q.bind(i + 2, offset);
    std::vector<domain::Order> out;
    while (q.executeStep()) out.push_back(detail::readOrder(q));
    return out;
  });
}

Result<domain::Order> SqliteStore::applyTransition(const domain::Transition& t) {
  return atEdge("applyTransition", [&]() -> Result<domain::Order> {
    if (t.refund.rupiah < 0) return makeError(Errc::kInvalidArgument, "refund must not be negative");
    // An order's status is its version (Store::visitLatestOrdersUnheld): every change moves it.
    if (t.to == t.from) return makeError(Errc::kInvalidArgument, "a transition must change the status");
    WriteTransaction tx(*this);
    std::optional<domain::Order> updated;
    {
      StatementUse q(writer_->statement(sql::kTransitionOrder));
      bindText(*q, 1, domain::toString(t.to));
      q->bind(2, t.start_count);
      q->bind(3, t.remain);
      bindText(*q, 4, t.voucher);
      bindText(*q, 5, t.note);
      q->bind(6, t.at);
      q->bind(7, t.order_id);
      bindText(*q, 8, domain::toString(t.from));
      if (q->executeStep()) updated = detail::readOrder(*q);
    }
    if (!updated) {
      StatementUse q(writer_->statement(sql::kSelectOrderStatus));
      q->bind(1, t.order_id);
      if (!q->executeStep()) return makeError(Errc::kNotFound, "order " + t.ref_id + " not found");
      return makeError(Errc::kConflict,
                       "order " + t.ref_id + " is no longer " + std::string(domain::toString(t.from)));
    }
    // The transition was planned from an order read earlier; if it names another
    // account or refunds more than was charged, something upstream is broken, and
    // money must not move on its say-so.
    if (updated->account_id != t.account_id || t.refund > updated->charge) {
      spdlog::error(
          "sqlite store: applyTransition on {}: transition (account {}, refund {}) "
          "does not match the order (account {}, charge {})",
          t.ref_id, t.account_id, t.refund.rupiah, updated->account_id, updated->charge.rupiah);
      return storageError();
    }
    if (t.refund.rupiah > 0) {
      std::optional<Money> balance_after;
      {
        StatementUse q(writer_->statement(sql::kCreditRefund));
        q->bind(1, t.refund.rupiah);
        q->bind(2, updated->account_id);
        if (q->executeStep()) balance_after = Money{q->getColumn(0).getInt64()};
      }
      if (!balance_after) throw std::runtime_error("refund: account vanished");
      insertLedger(*writer_, updated->account_id, t.refund, *balance_after, domain::LedgerReason::kRefund,
                   updated->id, updated->ref_id, t.at);
    } else {
      // The refund's credit moves the account's order-list version too (sql.hpp).
      StatementUse q(writer_->statement(sql::kBumpOrderListVersion));
      q->bind(1, updated->account_id);
      q->exec();
    }
    // The story, the webhook and the end of fulfilment commit with the change itself:
    // a change is never announced without having happened, nor happens unannounced.
    {
      StatementUse q(writer_->statement(sql::kInsertEvent));
      q->bind(1, updated->id);
      q->bind(2, t.at);
      bindText(*q, 3, "status");
      bindText(*q, 4, transitionDetail(t));
      q->exec();
    }
    if (!t.notify_payload.empty()) {
      StatementUse q(writer_->statement(sql::kQueueTransitionWebhook));
      q->bind(1, updated->account_id);
      q->bind(2, updated->id);
      bindText(*q, 3, updated->ref_id);
      bindText(*q, 4, t.notify_payload);
      q->bind(5, t.at);
      q->exec();  // inserts nothing when the account has no callback URL
    }
    if (domain::isFinal(t.to)) {
      StatementUse q(writer_->statement(sql::kFinishDispatch));
      q->bind(1, updated->id);
      q->bind(2, t.at);
      q->exec();  // nothing when the order never entered fulfilment
    }
    tx.commit();
    if (domain::isFinal(t.to)) {  // still in the turn: the writer's pending map (pending_targets.hpp)
      write_turn_->pendingTargets().remove(
          PendingTargets::keyOf(updated->account_id, updated->service_id, updated->target), updated->id);
    }
    return *updated;
  });
}

}  // namespace warung::store::sqlite
