// Authentication: the sign check (md5 of user_id . key, compared in constant time)
// and the key hash, which a request with a key the server has not kept costs; and
// what one with a kept key costs (Directory::accountByKey, then checkSign).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "domain/accounts.hpp"
#include "store/directory.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace warung;

domain::Account account(const std::string& key) {
  domain::Account a;
  a.id = 1;
  a.user_id = "Uajhf86luo";
  a.key_hash = domain::keyHash(key);
  return a;
}

void BM_CheckCredentials(benchmark::State& state) {
  const std::string key = "tj73v9cncjfnsy1ow8sg933tvbhwlf062r1ho9cq";
  const domain::Account a = account(key);
  const std::string sign = crypto::md5Hex(a.user_id + key);
  for (auto _ : state) {
    auto st = domain::checkCredentials(a, key, sign);
    if (!st) state.SkipWithError("rejected");
    benchmark::DoNotOptimize(st);
  }
}

void BM_KeyHash(benchmark::State& state) {
  const std::string key = "tj73v9cncjfnsy1ow8sg933tvbhwlf062r1ho9cq";
  for (auto _ : state) benchmark::DoNotOptimize(domain::keyHash(key));
}

// Keys of 1,000 accounts kept, asked in turn, as a server's request path does.
void BM_AuthenticateKeptKey(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  testing::TempDir dir;
  store::sqlite::SqliteStore store(dir.file("auth.db"));
  std::vector<std::pair<std::string, std::string>> credentials;  // key, sign
  for (int i = 0; i < 1000; ++i) {
    const std::string user_id = "U" + std::to_string(100000000 + i);
    const std::string key = crypto::randomAlnum(40);
    if (!store.createAccount({user_id, "bench", domain::Level::kStandar, domain::keyHash(key), 1})) {
      state.SkipWithError("seed failed");
      return;
    }
    credentials.emplace_back(key, crypto::md5Hex(user_id + key));
  }
  store::Directory directory(store, {});
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [key, sign] = credentials[i++ % credentials.size()];
    auto found = directory.accountByKey(key);
    if (!found || !domain::checkSign(*(*found)->account, (*found)->sign, sign)) {
      state.SkipWithError("rejected");
      break;
    }
    benchmark::DoNotOptimize(found);
  }
}

}  // namespace

BENCHMARK(BM_CheckCredentials);
BENCHMARK(BM_KeyHash);
BENCHMARK(BM_AuthenticateKeptKey);
