// http::parseParams on the three encodings real clients send, with an order's
// parameters (the largest body on the hot path).
#include <benchmark/benchmark.h>

#include <string>

#include "http/body.hpp"

namespace {

using warung::http::parseParams;

constexpr std::string_view kForm =
    "key=tj73v9cncjfnsy1ow8sg933tvbhwlf062r1ho9cq&sign=82fe3422c94f0c745b99b2eef1affe86"
    "&type=order&service=S123&data1=https%3A%2F%2Finstagram.com%2Fp%2FCx9_a-b%3Figsh%3D1&data2=100"
    "&data3=Cepat&idempotency_key=inv-2024-0001";

constexpr std::string_view kJson =
    R"({"key":"tj73v9cncjfnsy1ow8sg933tvbhwlf062r1ho9cq","sign":"82fe3422c94f0c745b99b2eef1affe86",)"
    R"("type":"order","service":"S123","data1":"https://instagram.com/p/Cx9_a-b?igsh=1","data2":100,)"
    R"("data3":"Cepat","idempotency_key":"inv-2024-0001"})";

std::string multipartBody(std::string_view boundary) {
  const std::pair<const char*, const char*> fields[] = {{"key", "tj73v9cncjfnsy1ow8sg933tvbhwlf062r1ho9cq"},
                                                        {"sign", "82fe3422c94f0c745b99b2eef1affe86"},
                                                        {"type", "order"},
                                                        {"service", "S123"},
                                                        {"data1", "https://instagram.com/p/Cx9_a-b?igsh=1"},
                                                        {"data2", "100"},
                                                        {"data3", "Cepat"},
                                                        {"idempotency_key", "inv-2024-0001"}};
  std::string b;
  for (const auto& [name, value] : fields) {
    b += "--";
    b += boundary;
    b += "\r\nContent-Disposition: form-data; name=\"";
    b += name;
    b += "\"\r\n\r\n";
    b += value;
    b += "\r\n";
  }
  b += "--";
  b += boundary;
  b += "--\r\n";
  return b;
}

void run(benchmark::State& state, std::string_view content_type, std::string_view body) {
  for (auto _ : state) {
    auto p = parseParams(content_type, body);
    if (!p) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(p);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void BM_ParseForm(benchmark::State& state) { run(state, "application/x-www-form-urlencoded", kForm); }
void BM_ParseJson(benchmark::State& state) { run(state, "application/json", kJson); }
void BM_ParseMultipart(benchmark::State& state) {
  const std::string body = multipartBody("----WebKitFormBoundary7MA4YWxkTrZu0gW");
  run(state, "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", body);
}

}  // namespace

BENCHMARK(BM_ParseForm);
BENCHMARK(BM_ParseJson);
BENCHMARK(BM_ParseMultipart);
