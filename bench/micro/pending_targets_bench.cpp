// The order writer's duplicate-pending check (store/sqlite/pending_targets.hpp): what
// one new order costs it (look its key up, find nothing, remember the order), with a
// given number of orders already pending, against the std::unordered_multimap it
// replaced (same keys, same steps). Orders also leave: every step forgets the order
// placed `pending` steps before, so the table stays at its size. And the slowest single
// add while two million orders come in (max_add_us), where a table grows: the order
// writer waits for it with the batch's orders.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/sqlite/pending_targets.hpp"

namespace {

using warung::store::sqlite::PendingTargets;

// Keys as the writer makes them: rotating accounts and services, unique targets.
std::vector<PendingTargets::Key> keys(std::size_t n) {
  std::vector<PendingTargets::Key> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(PendingTargets::keyOf(static_cast<std::int64_t>(i % 1000 + 1),
                                        static_cast<std::int64_t>(i % 4600 + 1),
                                        "https://instagram.com/bench_" + std::to_string(i)));
  }
  return out;
}

void BM_PendingTargets(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  const auto all = keys(2 * pending);
  PendingTargets table;
  for (std::size_t i = 0; i < pending; ++i) table.add(all[i], static_cast<std::int64_t>(i + 1));
  std::size_t next = pending;
  for (auto _ : state) {
    const std::size_t i = next % all.size();
    const std::size_t old = (next - pending) % all.size();
    bool found = table.visit(all[i], [](std::int64_t) { return PendingTargets::Next::kStop; });
    benchmark::DoNotOptimize(found);
    table.add(all[i], static_cast<std::int64_t>(next + 1));
    table.remove(all[old], static_cast<std::int64_t>(next - pending + 1));
    ++next;
  }
}

void BM_PendingTargetsStdMultimap(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  const auto all = keys(2 * pending);
  std::unordered_multimap<PendingTargets::Key, std::int64_t> map;
  for (std::size_t i = 0; i < pending; ++i) map.emplace(all[i], static_cast<std::int64_t>(i + 1));
  std::size_t next = pending;
  for (auto _ : state) {
    const std::size_t i = next % all.size();
    const std::size_t old = (next - pending) % all.size();
    auto [it, end] = map.equal_range(all[i]);
    bool found = it != end;
    benchmark::DoNotOptimize(found);
    map.emplace(all[i], static_cast<std::int64_t>(next + 1));
    for (auto [o, oend] = map.equal_range(all[old]); o != oend; ++o) {
      if (o->second == static_cast<std::int64_t>(next - pending + 1)) {
        map.erase(o);
        break;
      }
    }
    ++next;
  }
}

template <class Add>
void slowestAdd(benchmark::State& state, Add add) {
  const auto all = keys(2'000'000);
  double worst = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      add(all[i], static_cast<std::int64_t>(i + 1));
      worst = std::max(
          worst, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  state.counters["max_add_us"] = worst;
}

void BM_PendingTargetsGrowth(benchmark::State& state) {
  std::unique_ptr<PendingTargets> table;
  slowestAdd(state, [&](PendingTargets::Key key, std::int64_t id) {
    if (id == 1) table = std::make_unique<PendingTargets>();
    table->add(key, id);
  });
}

void BM_PendingTargetsGrowthStdMultimap(benchmark::State& state) {
  std::unique_ptr<std::unordered_multimap<PendingTargets::Key, std::int64_t>> map;
  slowestAdd(state, [&](PendingTargets::Key key, std::int64_t id) {
    if (id == 1) map = std::make_unique<std::unordered_multimap<PendingTargets::Key, std::int64_t>>();
    map->emplace(key, id);
  });
}

}  // namespace

BENCHMARK(BM_PendingTargetsGrowth)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PendingTargetsGrowthStdMultimap)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PendingTargets)->Arg(10'000)->Arg(1'000'000);
BENCHMARK(BM_PendingTargetsStdMultimap)->Arg(10'000)->Arg(1'000'000);
