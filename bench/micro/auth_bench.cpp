// The sign check (md5 of user_id . key, compared in constant time) and the key hash
// the server computes for every request to find the account.
#include <benchmark/benchmark.h>

#include "common/crypto.hpp"
#include "domain/accounts.hpp"

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

}  // namespace

BENCHMARK(BM_CheckCredentials);
BENCHMARK(BM_KeyHash);
