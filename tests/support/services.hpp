#pragma once
// Catalog entries (the import/export JSON shape) shared by the fulfilment tests: one
// social-media service of 1,000 at 3,333 per 1,000 and one game service at 10,000.
#include <string>

namespace warung::testing {

inline std::string socialServiceJson(const std::string& code) {
  return R"({"kind": "social-media", "code": ")" + code + R"(", "name": "Followers )" + code +
         R"(", "note": "",
   "category": {"main": "Test Followers", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 7, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "100000"},
   "price": {"list": {"standar": 3333, "premium": 3333, "spesial": 3333}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"})";
}

inline std::string gameServiceJson(const std::string& code) {
  return R"({"kind": "game", "code": ")" + code + R"(", "name": "Diamonds )" + code + R"(", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 10000, "spesial": 10000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"})";
}

}  // namespace warung::testing
