#include "app/demo.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>
#include <tuple>

#include "app/catalog_io.hpp"
#include "common/crypto.hpp"
#include "common/password.hpp"
#include "domain/accounts.hpp"

namespace warung::app {

std::string_view demoCatalogJson() {
  return R"JSON([
  {"kind": "social-media", "code": "5", "name": "LIKES INDO PAKAI INI", "note": "LINK POSTINGAN</p>",
   "category": {"main": "Instagram Like Indonesia", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 0, "maxlength": 999999999, "placeholder": "Masukan Link Postingan"}},
     "field2": {"type": "input", "input": {"type": "text", "label": "Jumlah", "minlength": 0, "maxlength": 999999999, "placeholder": "0"}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "1000"},
   "price": {"list": {"standar": 33500, "premium": 33500, "spesial": 33500}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready", "updated_at": 1725168682},
  {"kind": "social-media", "code": "6", "name": "TIKTOK SAVE", "note": "\nMASUKAN LINK</p>",
   "category": {"main": "TIKTOK SAVE", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "LINK", "minlength": 0, "maxlength": 999999999, "placeholder": "MASUKAN LINK"}},
     "field2": {"type": "input", "input": {"type": "text", "label": "TOTAL", "minlength": 0, "maxlength": 999999999, "placeholder": "NAH TOTAL"}},
     "field3": {"type": "none"}},
   "order": {"min": "50", "max": "20000"},
   "price": {"list": {"standar": 6000, "premium": 6000, "spesial": 6000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready", "updated_at": 1691558984},
  {"kind": "social-media", "code": "11", "name": "Instagram Followers Indonesia Real Aktif", "note": "Akun tidak boleh private.",
   "category": {"main": "Instagram Followers Indonesia", "type": "default"},
   "fields": {"info": "Username tanpa @",
     "field1": {"type": "input", "input": {"type": "text", "label": "Username", "minlength": 1, "maxlength": 30, "placeholder": "username"}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": "100"}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "10000"},
   "price": {"list": {"standar": 45000, "premium": 43000, "spesial": 41000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "21", "name": "YouTube Views Worldwide", "note": "Video harus publik.",
   "category": {"main": "YouTube Views", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link Video", "minlength": 10, "maxlength": 500, "placeholder": "https://youtu.be/..."}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 7, "placeholder": "1000"}},
     "field3": {"type": "none"}},
   "order": {"min": "1000", "max": "1000000"},
   "price": {"list": {"standar": 18000, "premium": 17500, "spesial": 17000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "31", "name": "TikTok Followers Global", "note": "Pilih kecepatan pengiriman.",
   "category": {"main": "TikTok Followers", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link Profil", "minlength": 1, "maxlength": 500, "placeholder": "https://tiktok.com/@..."}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": "100"}},
     "field3": {"type": "select", "select": {"label": "Kecepatan", "options": "Normal,Cepat", "placeholder": "Pilih kecepatan"}}},
   "order": {"min": "100", "max": "50000"},
   "price": {"list": {"standar": 52000, "premium": 50000, "spesial": 48500}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "41", "name": "Twitter Retweet (maintenance)", "note": "Sedang gangguan.",
   "category": {"main": "Twitter Retweet", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link Tweet", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 6, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "50", "max": "5000"},
   "price": {"list": {"standar": 30000, "premium": 29000, "spesial": 28000}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready", "enabled": false},
  {"kind": "game", "code": "OW6", "name": "Axis OWSEM 24 GB + Unlimited Games / 30 Hari", "note": "OWSEM 24GB + Kuota Games 30hr",
   "category": {"main": "Kuota Axis", "slug": "kuota-axis"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Masukkan Nomor HP", "minlength": 0, "maxlength": 1000, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 42475, "premium": 42275, "spesial": 42125}},
   "cutoff": {"start": "23:30", "end": "00:15"}, "status": "empty", "updated_at": 1770948021},
  {"kind": "game", "code": "SMT70", "name": "Smartfren Pulsa Transfer 70.000", "note": "Pulsa Transfer",
   "category": {"main": "Smartfren Transfer", "slug": "smartfren-transfer"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Masukkan Nomor HP", "minlength": 0, "maxlength": 1000, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 67275, "premium": 67075, "spesial": 66925}},
   "cutoff": {"start": "23:44", "end": "00:15"}, "status": "empty", "updated_at": 1742176810},
  {"kind": "game", "code": "ML86", "name": "Mobile Legends 86 Diamonds", "note": "Masukkan User ID dan Zone ID.",
   "category": {"main": "Mobile Legends", "slug": "mobile-legends"},
   "fields": {"title": "Masukkan Data", "info": "Contoh: 12345678 (1234)",
     "field1": {"type": "input", "input": {"type": "number", "label": "User ID", "minlength": 4, "maxlength": 12, "placeholder": "12345678"}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Zone ID", "minlength": 1, "maxlength": 6, "placeholder": "1234"}},
     "field3": {"type": "none"}},
   "price": {"list": {"standar": 19500, "premium": 19300, "spesial": 19100}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "FF140", "name": "Free Fire 140 Diamonds", "note": "Masukkan Player ID.",
   "category": {"main": "Free Fire", "slug": "free-fire"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 6, "maxlength": 12, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 18000, "premium": 17800, "spesial": 17600}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "GI60", "name": "Genshin Impact 60 Genesis Crystals", "note": "Pilih server akun.",
   "category": {"main": "Genshin Impact", "slug": "genshin-impact"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "UID", "minlength": 9, "maxlength": 10, "placeholder": "800000000"}},
     "field2": {"type": "select", "select": {"label": "Server", "options": ["Asia", "America", "Europe", "TW, HK, MO"], "placeholder": "Pilih server"}},
     "field3": {"type": "none"}},
   "price": {"list": {"standar": 15000, "premium": 14800, "spesial": 14600}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "game", "code": "TSEL10", "name": "Telkomsel Pulsa 10.000", "note": "Pulsa reguler.",
   "category": {"main": "Pulsa Telkomsel", "slug": "pulsa-telkomsel"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "tel", "label": "Nomor HP", "minlength": 10, "maxlength": 14, "placeholder": "08xxxxxxxxxx"}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10850, "premium": 10750, "spesial": 10700}},
   "cutoff": {"start": "23:45", "end": "00:30"}, "status": "ready"}
])JSON";
}

Status connectDemoProviders(store::Store& store, store::DispatchStore& dstore,
                            const dispatch::ProviderSimulator& sim, const Clock& clock) {
  std::map<domain::Kind, std::int64_t> provider_for;
  for (auto [kind, name, dialect] : {std::tuple{domain::Kind::kSocialMedia, "sim-smm", "smm-v2"},
                                     std::tuple{domain::Kind::kGame, "sim-game", "osimesa"}}) {
    domain::Provider wanted = sim.provider(dialect, name);
    wanted.created_at = clock.nowUnix();
    auto existing = dstore.findProvider(name);
    if (existing) {
      wanted.id = existing->id;
      wanted.enabled = existing->enabled;
      if (auto st = dstore.updateProvider(wanted); !st) return st.error();
    } else {
      auto created = dstore.createProvider(wanted);
      if (!created) return created.error();
      wanted.id = created->id;
    }
    provider_for[kind] = wanted.id;
  }
  auto demo = parseCatalog(demoCatalogJson(), clock.nowUnix());
  if (!demo) return demo.error();
  auto services = store.loadServices();
  if (!services) return services.error();
  for (const auto& s : *services) {
    const bool in_demo = std::any_of(demo->begin(), demo->end(),
                                     [&](const auto& d) { return d.kind == s.kind && d.code == s.code; });
    if (!in_demo || s.code == "TSEL10") continue;
    auto routes = dstore.routes(s.id);
    if (!routes) return routes.error();
    if (!routes->empty()) continue;
    // The simulator accepts any service code; cost is the standar price less 10%.
    domain::Route r{s.id, provider_for[s.kind], 0, s.code, Money{s.prices[0].rupiah * 9 / 10}};
    if (auto st = dstore.setRoutes(s.id, {r}); !st) return st.error();
  }
  return okStatus();
}

Result<bool> loadDemoIfEmpty(store::Store& store, IdGenerator& ids, const Clock& clock,
                             const std::string& base_url, std::ostream& out) {
  auto accounts = store.listAccounts();
  if (!accounts) return accounts.error();
  auto services = store.loadServices();
  if (!services) return services.error();
  if (!accounts->empty() || !services->empty()) return false;

  auto catalog = parseCatalog(demoCatalogJson(), clock.nowUnix());
  if (!catalog) return catalog.error();
  if (auto st = store.upsertServices(*catalog); !st) return st.error();

  const std::string key = ids.newApiKey();
  store::NewAccount na{ids.newUserId(), "Demo Reseller", domain::Level::kStandar, domain::keyHash(key),
                       clock.nowUnix()};
  auto account = store.createAccount(na);
  if (!account) return account.error();
  const Money opening{1'000'000};
  if (auto e = store.adjustBalance(account->id, opening, "demo opening balance", clock.nowUnix()); !e) {
    return e.error();
  }
  const std::string sign = crypto::md5Hex(account->user_id + key);
  out << fmt::format(
      "\nDemo data loaded: {} services and a demo account with Rp 1.000.000.\n"
      "  user id: {}\n  api key: {}   (shown once; `warung key rotate {}` makes a new one)\n"
      "  sign:    {}   (md5 of user id + api key)\n\n"
      "Try it:\n"
      "  curl -s {}/api/game -d key={} -d sign={} -d type=service\n"
      "  curl -s {}/api/game -d key={} -d sign={} -d type=order -d service=ML86 -d data1=12345678 -d "
      "data2=1234\n"
      "  curl -s {}/api/social-media -d key={} -d sign={} -d type=order -d service=5 "
      "-d data1=https://instagram.com/p/demo -d data2=100\n"
      "  curl -s {}/api/social-media -d key={} -d sign={} -d type=status\n\n",
      catalog->size(), account->user_id, key, account->user_id, sign, base_url, key, sign, base_url, key,
      sign, base_url, key, sign, base_url, key, sign);
  out.flush();
  return true;
}

Status createDemoOperator(store::AdminStore& admins, IdGenerator& ids, const Clock& clock,
                          std::ostream& out) {
  auto existing = admins.listAdmins();
  if (!existing) return existing.error();
  if (!existing->empty()) return okStatus();
  const std::string pw = ids.newApiKey().substr(0, 16);
  auto hash = password::hash(pw);
  if (!hash) return hash.error();
  auto created = admins.createAdmin("admin", *hash, clock.nowUnix());
  if (!created) return created.error();
  out << fmt::format(
      "The console (at the \"warung admin on\" address below): sign in as admin / {}\n"
      "  (shown once; `warung admin create NAME` adds operators)\n\n",
      pw);
  out.flush();
  return okStatus();
}

}  // namespace warung::app
