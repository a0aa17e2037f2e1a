// The place-order transaction: SqliteOrderWriter::submit and wait for the callback
// (guarded debit, order insert, ledger row, COMMIT with fsync). Arg = orders submitted
// together and waited for: 1 is one order per transaction (the latency of a lone
// order), 256 lets group commit share one fsync among many (the throughput ceiling
// of the write path on this disk). A temporary database file, real synchronous=FULL.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace warung;

void BM_PlaceOrderTransaction(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  const auto batch = static_cast<std::size_t>(state.range(0));
  testing::TempDir dir;
  const std::string path = dir.file("bench.db");
  store::sqlite::SqliteStore store(path);
  constexpr int kAccounts = 64;
  std::vector<std::int64_t> accounts;
  for (int i = 0; i < kAccounts; ++i) {
    store::NewAccount na{fmt::format("U{:09d}", i), "bench", domain::Level::kStandar,
                         fmt::format("hash-{}", i), 1};
    auto a = store.createAccount(na);
    if (!a || !store.adjustBalance(a->id, Money{1'000'000'000'000}, "seed", 1)) {
      state.SkipWithError("seed failed");
      return;
    }
    accounts.push_back(a->id);
  }
  domain::Service svc;
  svc.kind = domain::Kind::kSocialMedia;
  svc.code = "S1";
  svc.name = "Bench Followers";
  svc.category_key = "default";
  svc.prices = {Money{33'500}, Money{33'500}, Money{33'500}};
  if (!store.upsertServices({svc})) {
    state.SkipWithError("service upsert failed");
    return;
  }
  const std::int64_t service_id = store.loadServices().value().front().id;

  store::sqlite::WriterConfig wc;
  wc.max_batch = batch;
  wc.queue_capacity = batch * 2;
  store::sqlite::SqliteOrderWriter writer(path, wc);

  std::mutex mu;
  std::condition_variable cv;
  std::size_t done = 0, failed = 0;
  std::int64_t seq = 0;
  for (auto _ : state) {
    {
      std::lock_guard lock(mu);
      done = 0;
    }
    for (std::size_t i = 0; i < batch; ++i, ++seq) {
      domain::Order o;
      o.ref_id = fmt::format("b{:019d}", seq);
      o.account_id = accounts[static_cast<std::size_t>(seq % kAccounts)];
      o.kind = domain::Kind::kSocialMedia;
      o.service_id = service_id;
      o.service_code = "S1";
      o.service_name = "Bench Followers";
      o.category_key = "default";
      o.data = {fmt::format("https://instagram.com/p/{}", seq), "100", ""};
      o.target = o.data[0];
      o.quantity = 100;
      o.unit_price = Money{33'500};
      o.charge = Money{3'350};
      o.remain = 100;
      o.created_at = o.updated_at = 1'778'502'939;
      writer.submit(std::move(o), [&](Result<store::Placed> r) {
        std::lock_guard lock(mu);
        if (!r) ++failed;
        ++done;
        cv.notify_one();
      });
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == batch; });
  }
  writer.shutdown();
  if (failed > 0) state.SkipWithError("some orders failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

}  // namespace

BENCHMARK(BM_PlaceOrderTransaction)
    ->Arg(1)
    ->Arg(256)
    ->ArgName("batch")
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
