// warung_bench_seed: prepares databases for bench/run.
//
//   warung_bench_seed seed --db FILE --out DIR [--accounts 1000] [--services 5000]
//                          [--status-accounts 320] [--orders-per-kind 16]
//       Creates the accounts and the catalog through SqliteStore, places
//       status-accounts x orders-per-kind orders of each kind through the real
//       SqliteOrderWriter (so status queries have something to find), and writes the
//       files the wrk scripts read:
//         DIR/accounts.txt   one line per account: user_id api_key sign
//         DIR/services.txt   one line per orderable service: kind code data2 data3
//                            ("-" for a field the service does not have)
//         DIR/refs.txt       one line per placed order: account_index kind ref_id
//
//   warung_bench_seed fill --db FILE --orders N [--accounts 100]
//       Adds N filler orders (status success) for the "cost must not grow with the
//       data" runs. They belong to filler accounts of their own with balance 0 and no
//       ledger rows, so balance = SUM(ledger) still holds for every account. This is
//       bench tooling: the rows are written with raw SQL (named constants below) in
//       large transactions, because 10 million orders through the writer would take
//       longer than the benchmark itself.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_catalog.hpp"
#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "domain/accounts.hpp"
#include "domain/catalog.hpp"
#include "domain/ordering.hpp"
#include "domain/time_zone.hpp"
#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace warung;
using bench::kQuantity;
using bench::makeCatalog;
using bench::Orderable;
using domain::Kind;

// Enough for any benchmark run: 10^12 rupiah per account.
constexpr Money kOpeningBalance{1'000'000'000'000};

template <class T>
T orDie(Result<T> r, std::string_view what) {
  if (!r) throw std::runtime_error(fmt::format("{}: {}", what, r.error().detail));
  return std::move(*r);
}

std::ofstream openOut(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  return f;
}

int seed(const std::string& db, const std::string& dir, int accounts, int services, int status_accounts,
         int orders_per_kind) {
  const auto t0 = std::chrono::steady_clock::now();
  SystemClock clock;
  RandomIdGenerator ids;
  const std::int64_t now = clock.nowUnix();
  store::sqlite::SqliteStore store(db);

  std::vector<Orderable> orderable;
  auto catalog_rows = makeCatalog(services, now, orderable);
  orDie(store.upsertServices(catalog_rows), "upsert services");

  auto accounts_out = openOut(dir + "/accounts.txt");
  std::vector<domain::Account> made;
  made.reserve(static_cast<std::size_t>(accounts));
  for (int i = 0; i < accounts; ++i) {
    const std::string key = ids.newApiKey();
    store::NewAccount na{ids.newUserId(), fmt::format("Bench Reseller {}", i),
                         static_cast<domain::Level>(i % 3), domain::keyHash(key), now};
    auto a = orDie(store.createAccount(na), "create account");
    auto credit = orDie(store.adjustBalance(a.id, kOpeningBalance, "bench opening balance", now), "credit");
    a.balance = credit.balance_after;
    accounts_out << a.user_id << ' ' << key << ' ' << crypto::md5Hex(a.user_id + key) << '\n';
    made.push_back(std::move(a));
  }
  accounts_out.close();

  auto services_out = openOut(dir + "/services.txt");
  for (const auto& o : orderable) {
    services_out << domain::toString(o.kind) << ' ' << o.code << ' ' << o.data2 << ' ' << o.data3 << '\n';
  }
  services_out.close();

  // Orders for the status runs, through the same writer the server uses.
  const auto zone = orDie(domain::loadTimeZone("+07:00"), "time zone");
  domain::Catalog catalog(orDie(store.loadServices(), "load services"), 1);
  std::vector<const Orderable*> by_kind[2];
  for (const auto& o : orderable) by_kind[static_cast<int>(o.kind)].push_back(&o);

  struct Slot {
    int account_index;
    Kind kind;
    std::string ref_id;
  };
  std::vector<Slot> placed;
  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0, failed = 0;
  std::string first_error;
  std::size_t submitted = 0;
  {
    store::sqlite::WriterConfig wc;
    wc.queue_capacity = 1'000'000;
    store::sqlite::SqliteOrderWriter writer(db, wc);
    const int n_accounts = std::min(status_accounts, accounts);
    for (int a = 0; a < n_accounts; ++a) {
      for (int k = 0; k < 2; ++k) {
        const auto& list = by_kind[k];
        if (list.empty()) continue;
        for (int n = 0; n < orders_per_kind; ++n) {
          const Orderable& svc = *list[static_cast<std::size_t>(a * orders_per_kind + n) % list.size()];
          const std::string target = svc.kind == Kind::kSocialMedia
                                         ? fmt::format("https://instagram.com/p/seed{}x{}", a, n)
                                         : fmt::format("9{:06d}{:03d}", a, n);
          domain::PlaceOrderInput in;
          in.service_code = svc.code;
          in.data = {target, svc.data2 == "-" ? std::nullopt : std::optional<std::string_view>(svc.data2),
                     svc.data3 == "-" ? std::nullopt : std::optional<std::string_view>(svc.data3)};
          auto order = orDie(
              domain::planOrder(svc.kind, made[static_cast<std::size_t>(a)], catalog, in, *zone, now, ids),
              "plan order " + svc.code);
          ++submitted;
          writer.submit(std::move(order), [&, a, kind = svc.kind](Result<store::Placed> r) {
            std::lock_guard lock(mu);
            if (r) {
              placed.push_back({a, kind, r->order.ref_id});
            } else {
              ++failed;
              if (first_error.empty()) first_error = r.error().detail;
            }
            ++done;
            cv.notify_all();
          });
        }
      }
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == submitted; });
  }
  if (failed > 0) {
    throw std::runtime_error(fmt::format("{} seed orders failed, first: {}", failed, first_error));
  }

  auto refs_out = openOut(dir + "/refs.txt");
  for (const auto& p : placed) {
    refs_out << p.account_index << ' ' << domain::toString(p.kind) << ' ' << p.ref_id << '\n';
  }
  refs_out.close();

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << fmt::format("seeded {}: {} accounts, {} services ({} orderable), {} orders in {:.1f} s\n", db,
                           accounts, services, orderable.size(), placed.size(), secs);
  return 0;
}

// --- fill: raw SQL, bench tooling only (see the file comment).
constexpr const char* kFillPragmas =
    "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;";
constexpr const char* kMaxAccountId = "SELECT COALESCE(MAX(id), 0) FROM accounts";
constexpr const char* kInsertFillerAccount =
    "INSERT INTO accounts (user_id, name, level, status, balance, key_hash, created_at) "
    "VALUES (?1, ?2, 'standar', 'active', 0, ?3, ?4) RETURNING id";
constexpr const char* kServicesForFill =
    "SELECT id, kind, code, name, category_key, price_standar FROM services WHERE enabled = 1 ORDER BY id";
constexpr const char* kFillerName = "Bench Filler";
// Filler ref_ids are numbered; a second fill continues the numbering.
constexpr const char* kCountFillerOrders =
    "SELECT COUNT(*) FROM orders WHERE account_id IN (SELECT id FROM accounts WHERE name = ?1)";
constexpr const char* kInsertFillerOrder =
    "INSERT INTO orders (ref_id, account_id, kind, service_id, service_code, service_name, category_key, "
    "data1, data2, data3, target, quantity, unit_price, charge, status, start_count, remain, voucher, note, "
    "idempotency_key, fingerprint, created_at, updated_at, prev_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', ?8, ?10, ?11, ?12, 'success', 0, 0, ?13, '', NULL, '', "
    "?14, ?14, ?15)";
// Each filler account's orders of each kind are a chain, as the order writer keeps them
// (store/sqlite/order_chain.hpp): every order names the one before, the account the newest.
constexpr const char* kSetFillerLatest =
    "UPDATE accounts SET latest_social_media_order = ?2, latest_game_order = ?3 WHERE id = ?1";

int fill(const std::string& db_path, long long orders, int filler_accounts) {
  const auto t0 = std::chrono::steady_clock::now();
  { store::sqlite::SqliteStore migrate_only(db_path); }  // schema present, WAL mode set
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.exec(kFillPragmas);
  const std::int64_t now = SystemClock{}.nowUnix();

  struct Svc {
    std::int64_t id;
    std::string kind, code, name, category_key;
    std::int64_t price;
  };
  std::vector<Svc> svcs;
  {
    SQLite::Statement q(db, kServicesForFill);
    while (q.executeStep()) {
      svcs.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                      q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getInt64()});
    }
  }
  if (svcs.empty()) throw std::runtime_error("fill: the database has no services; run seed first");

  long long already = 0;
  {
    SQLite::Statement q(db, kCountFillerOrders);
    q.bind(1, kFillerName);
    if (q.executeStep()) already = q.getColumn(0).getInt64();
  }

  std::vector<std::int64_t> account_ids;
  {
    SQLite::Transaction tx(db);
    std::int64_t base = 0;
    {
      SQLite::Statement q(db, kMaxAccountId);
      if (q.executeStep()) base = q.getColumn(0).getInt64();
    }
    SQLite::Statement ins(db, kInsertFillerAccount);
    for (int i = 0; i < filler_accounts; ++i) {
      ins.reset();
      ins.bind(1, fmt::format("F{:09d}", base + i));
      ins.bind(2, kFillerName);
      ins.bind(3, fmt::format("filler-has-no-key-{}-{}", base, i));  // never a sha256 hex
      ins.bind(4, now);
      if (!ins.executeStep()) throw std::runtime_error("fill: account insert returned nothing");
      account_ids.push_back(ins.getColumn(0).getInt64());
    }
    ins.reset();  // RETURNING leaves the statement open; COMMIT needs it finished
    tx.commit();
  }

  constexpr long long kPerTransaction = 200'000;
  SQLite::Statement ins(db, kInsertFillerOrder);
  SQLite::Statement set_latest(db, kSetFillerLatest);
  std::vector<std::array<std::int64_t, 2>> latest(account_ids.size(), {0, 0});  // social media, game
  long long written = 0;
  while (written < orders) {
    SQLite::Transaction tx(db);
    const long long end = std::min(orders, written + kPerTransaction);
    for (long long n = written; n < end; ++n) {
      const long long seq = already + n;
      const Svc& s = svcs[static_cast<std::size_t>(seq % static_cast<long long>(svcs.size()))];
      const bool social = s.kind == "social-media";
      const std::int64_t quantity = social ? 100 : 1;
      const std::int64_t charge = social ? (s.price * quantity + 999) / 1000 : s.price;
      const auto account = static_cast<std::size_t>(seq % static_cast<long long>(account_ids.size()));
      std::int64_t& prev = latest[account][social ? 0 : 1];
      ins.reset();
      ins.bind(1, fmt::format("z{:019d}", seq));  // 20 chars like a real ref_id, never random-looking
      ins.bind(2, account_ids[account]);
      ins.bind(3, s.kind);
      ins.bind(4, s.id);
      ins.bind(5, s.code);
      ins.bind(6, s.name);
      ins.bind(7, s.category_key);
      ins.bind(8, social ? fmt::format("https://instagram.com/p/fill{}", seq)
                         : fmt::format("{}", 10'000'000 + seq));
      ins.bind(9, social ? std::string(kQuantity) : std::string());
      ins.bind(10, static_cast<std::int64_t>(quantity));
      ins.bind(11, s.price);
      ins.bind(12, charge);
      ins.bind(13, social ? std::string() : fmt::format("SN{}", seq));
      // Older than the real orders, increasing.
      ins.bind(14, static_cast<std::int64_t>(now - (orders - n) / 1000));
      ins.bind(15, prev);
      ins.exec();
      prev = db.getLastInsertRowid();
    }
    for (std::size_t a = 0; a < account_ids.size(); ++a) {
      set_latest.reset();
      set_latest.bind(1, account_ids[a]);
      set_latest.bind(2, latest[a][0]);
      set_latest.bind(3, latest[a][1]);
      set_latest.exec();
    }
    tx.commit();
    written = end;
    if (written % 1'000'000 == 0 || written == orders) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cerr << fmt::format("fill: {} / {} orders, {:.0f} s\n", written, orders, secs);
    }
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << fmt::format("filled {}: {} orders over {} filler accounts in {:.1f} s\n", db_path, orders,
                           filler_accounts, secs);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"warung_bench_seed: databases for bench/run"};
  app.require_subcommand(1);
  spdlog::set_level(spdlog::level::warn);

  std::string db, dir = ".";
  int accounts = 1000, services = 5000, status_accounts = 320, orders_per_kind = 16, filler_accounts = 100;
  long long orders = 0;

  auto* seed_cmd = app.add_subcommand("seed", "accounts, catalog and some orders, plus the files for wrk");
  seed_cmd->add_option("--db", db, "SQLite file (created)")->required();
  seed_cmd->add_option("--out", dir, "directory for accounts.txt, services.txt, refs.txt");
  seed_cmd->add_option("--accounts", accounts)->check(CLI::Range(1, 1'000'000));
  seed_cmd->add_option("--services", services)->check(CLI::Range(2, 1'000'000));
  seed_cmd->add_option("--status-accounts", status_accounts, "accounts that get orders for the status runs")
      ->check(CLI::Range(1, 1'000'000));
  seed_cmd->add_option("--orders-per-kind", orders_per_kind)->check(CLI::Range(1, 10'000));

  auto* fill_cmd = app.add_subcommand("fill", "filler orders for the data-size runs");
  fill_cmd->add_option("--db", db, "SQLite file (seeded)")->required();
  fill_cmd->add_option("--orders", orders)->required()->check(CLI::Range(1LL, 1'000'000'000LL));
  fill_cmd->add_option("--accounts", filler_accounts, "filler accounts")->check(CLI::Range(1, 100'000));

  CLI11_PARSE(app, argc, argv);
  try {
    if (seed_cmd->parsed()) return seed(db, dir, accounts, services, status_accounts, orders_per_kind);
    return fill(db, orders, filler_accounts);
  } catch (const std::exception& e) {
    std::cerr << "warung_bench_seed: " << e.what() << '\n';
    return 1;
  }
}
