// JSON encoding: one order (the answer to type=order, and 1/15 of type=status), the
// same order through boost::json (DOM + serialize: what the hand-written JsonWriter
// replaces; the ratio of the two is the reason it exists), and the service list of
// 2,500 services of one kind (type=service when the cached list is rebuilt, and for
// every request of an account with price overrides); and the latest 15 copied from
// the entries OrderJsonCache holds.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include "api/osimesa/encode.hpp"
#include "api/osimesa/order_cache.hpp"
#include "bench_catalog.hpp"
#include "domain/catalog.hpp"

namespace {

using namespace warung;
using domain::Kind;

domain::Order sampleOrder(Kind kind) {
  domain::Order o;
  o.id = 123456;
  o.ref_id = "k3v9q0p8x7w6e5r4t3y2";
  o.account_id = 42;
  o.kind = kind;
  o.service_id = 77;
  if (kind == Kind::kSocialMedia) {
    o.service_code = "S123";
    o.service_name = "Bench 3 Followers Paket 0123";
    o.category_key = "default";
    o.data = {"https://instagram.com/p/Cx9_a-b?igsh=1", "100", "Cepat"};
    o.quantity = 100;
    o.remain = 100;
  } else {
    o.service_code = "G123";
    o.service_name = "Bench Game 123 Diamonds / 4 Hari";
    o.category_key = "game-23";
    o.data = {"12345678", "Asia", ""};
  }
  o.unit_price = Money{33'500};
  o.charge = Money{3'350};
  o.created_at = 1'778'502'939;
  o.updated_at = 1'778'502'939;
  return o;
}

// The same document as appendOrder(o, true), through a boost::json DOM.
boost::json::object orderDom(const domain::Order& o) {
  namespace json = boost::json;
  json::object v;
  v["data"] = json::array{o.data[0], o.data[1], o.data[2]};
  v["note"] = o.note;
  v["price"] = o.charge.rupiah;
  v["ref_id"] = o.ref_id;
  if (o.kind == Kind::kSocialMedia) {
    v["detail"] = json::object{{"start", o.start_count}, {"amount", o.quantity}, {"remain", o.remain}};
  }
  v["status"] = domain::toString(o.status);
  json::object product;
  product["code"] = o.service_code;
  product[o.kind == Kind::kSocialMedia ? "type" : "slug"] = o.category_key;
  product["service"] = o.service_name;
  v["product"] = std::move(product);
  if (o.kind == Kind::kGame) v["voucher"] = o.voucher;
  v["created_at"] = o.created_at;
  v["updated_at"] = o.updated_at;
  return v;
}

void BM_AppendOrder(benchmark::State& state, Kind kind) {
  const auto o = sampleOrder(kind);
  std::string out;
  for (auto _ : state) {
    out.clear();
    api::osimesa::appendOrder(out, o, true);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}

void BM_BoostJsonOrder(benchmark::State& state, Kind kind) {
  const auto o = sampleOrder(kind);
  std::string out;
  for (auto _ : state) {
    out = boost::json::serialize(orderDom(o));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}

// The data array of type=status: the latest 15 orders.
void BM_StatusLatest15(benchmark::State& state) {
  const auto o = sampleOrder(Kind::kSocialMedia);
  std::string out;
  for (auto _ : state) {
    out.clear();
    out += '[';
    for (int i = 0; i < 15; ++i) {
      if (i > 0) out += ',';
      api::osimesa::appendOrder(out, o, true);
    }
    out += ']';
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}

// The same array from OrderJsonCache (a polled list): 15 entries looked up among
// `state.range(0)` held orders and copied.
void BM_StatusLatest15Held(benchmark::State& state) {
  const auto held = static_cast<std::int64_t>(state.range(0));
  api::osimesa::OrderJsonCache cache(static_cast<std::size_t>(held));
  std::string one;
  api::osimesa::appendOrder(one, sampleOrder(Kind::kSocialMedia), true);
  for (std::int64_t id = 0; id < held; ++id) cache.put(id, domain::OrderStatus::kWaiting, one);
  std::string out;
  std::int64_t next = 0;
  for (auto _ : state) {
    out.clear();
    out += '[';
    for (int i = 0; i < 15; ++i) {
      if (i > 0) out += ',';
      // Lists of different accounts: ids spread over everything held.
      next = (next + 7919) % held;
      if (!cache.appendTo(out, next, domain::OrderStatus::kWaiting)) state.SkipWithError("not held");
    }
    out += ']';
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}

void BM_ServiceList(benchmark::State& state, Kind kind) {
  std::vector<bench::Orderable> orderable;
  domain::Catalog catalog(bench::makeCatalog(5000, 1'778'502'939, orderable), 1);
  domain::Account a;
  a.id = 1;
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto list = api::osimesa::serviceList(catalog, kind, a);
    bytes = list.size();
    benchmark::DoNotOptimize(list.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["bytes"] = static_cast<double>(bytes);
}

}  // namespace

BENCHMARK_CAPTURE(BM_AppendOrder, social, Kind::kSocialMedia);
BENCHMARK_CAPTURE(BM_AppendOrder, game, Kind::kGame);
BENCHMARK_CAPTURE(BM_BoostJsonOrder, social, Kind::kSocialMedia);
BENCHMARK_CAPTURE(BM_BoostJsonOrder, game, Kind::kGame);
BENCHMARK(BM_StatusLatest15);
BENCHMARK(BM_StatusLatest15Held)->Arg(4800)->Arg(65536);
BENCHMARK_CAPTURE(BM_ServiceList, social, Kind::kSocialMedia)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ServiceList, game, Kind::kGame)->Unit(benchmark::kMillisecond);
