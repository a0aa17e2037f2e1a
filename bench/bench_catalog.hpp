#pragma once
// The benchmark catalog, shared by the seed tool and the micro-benchmarks.
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "domain/types.hpp"

namespace warung::bench {

using domain::FieldSpec;
using domain::FieldType;
using domain::Kind;

inline constexpr int kCategories = 25;

// What the wrk scripts send for a field, by how the seed made it.
inline constexpr const char* kQuantity = "100";
inline constexpr const char* kSpeedOption = "Cepat";
inline constexpr const char* kComment = "mantap";
inline constexpr const char* kServerOption = "Asia";
inline constexpr const char* kPhone = "081234567890";

inline FieldSpec input(std::string input_type, std::string label, std::int64_t min, std::int64_t max,
                std::string placeholder = "") {
  FieldSpec f;
  f.type = FieldType::kInput;
  f.input_type = std::move(input_type);
  f.label = std::move(label);
  f.minlength = min;
  f.maxlength = max;
  f.placeholder = std::move(placeholder);
  return f;
}

inline FieldSpec select(std::string label, std::vector<std::string> options) {
  FieldSpec f;
  f.type = FieldType::kSelect;
  f.select_label = std::move(label);
  f.options = std::move(options);
  f.select_placeholder = "Pilih " + f.select_label;
  return f;
}

struct Orderable {
  Kind kind;
  std::string code;
  std::string data2;  // "-" when the field is none
  std::string data3;
};

// Half social media, half game; several categories; every field type (text, number
// and tel inputs, selects, none). Some services are out of stock, some inside a
// cut-off window for most of the day, some disabled (the list must skip those). Only
// services that always take orders are written to services.txt.
inline std::vector<domain::Service> makeCatalog(int count, std::int64_t now, std::vector<Orderable>& orderable) {
  std::vector<domain::Service> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const int j = i / 2;
    domain::Service s;
    s.kind = i % 2 == 0 ? Kind::kSocialMedia : Kind::kGame;
    s.updated_at = now - j;
    const int cat = j % kCategories;
    std::string data2 = "-", data3 = "-";
    if (s.kind == Kind::kSocialMedia) {
      s.code = fmt::format("S{}", j);
      s.name = fmt::format("Bench {} Followers Paket {:04d}", cat, j);
      s.note = "Akun tidak boleh private.</p>\nProses 1-24 jam";
      s.category = fmt::format("Instagram Followers {:02d}", cat);
      s.category_key = "default";
      s.fields[0] = input("text", "Link", 1, 500, "https://instagram.com/...");
      s.fields[1] = input("number", "Jumlah", 1, 7, "100");
      data2 = kQuantity;
      switch (j % 3) {
        case 0: break;
        case 1: s.fields[2] = select("Kecepatan", {"Normal", "Cepat", "Kilat"}); data3 = kSpeedOption; break;
        case 2: s.fields[2] = input("text", "Komentar", 1, 200); data3 = kComment; break;
      }
      s.min_quantity = 10;
      s.max_quantity = 1'000'000;
      const std::int64_t base = 10'000 + (j % 50) * 500;
      s.prices = {Money{base}, Money{base - 500}, Money{base - 1000}};
    } else {
      s.code = fmt::format("G{}", j);
      s.name = fmt::format("Bench Game {} Diamonds / {} Hari", j, 1 + j % 30);
      s.note = "Masukkan User ID.";
      s.category = fmt::format("Game {:02d}", cat);
      s.category_key = fmt::format("game-{:02d}", cat);
      s.fields_title = "Masukkan Data";
      s.fields_info = "Contoh: 12345678 (1234)";
      s.fields[0] = input("number", "User ID", 4, 20, "12345678");
      switch (j % 3) {
        case 0: break;
        case 1: s.fields[1] = select("Server", {"Asia", "America", "Europe", "TW, HK, MO"}); data2 = kServerOption; break;
        case 2: s.fields[1] = input("tel", "Nomor HP", 8, 14, "08xxxxxxxxxx"); data2 = kPhone; break;
      }
      const std::int64_t base = 5'000 + (j % 200) * 250;
      s.prices = {Money{base}, Money{base - 100}, Money{base - 200}};
    }
    bool takes_orders = true;
    if (j % 20 == 19) { s.ready = false; takes_orders = false; }
    if (j % 25 == 24) { s.cutoff = {0, 1439}; takes_orders = false; }   // closed 00:00..23:59
    if (j % 40 == 39) { s.enabled = false; takes_orders = false; }
    if (takes_orders) orderable.push_back({s.kind, s.code, data2, data3});
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace warung::bench
