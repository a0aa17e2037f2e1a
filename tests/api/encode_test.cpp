// The osimesa documents' JSON shapes (shared/spec/social-media-api.txt, game-api.txt):
// key order, nesting and types, checked against the documents' own examples.
#include "api/osimesa/encode.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <climits>
#include <random>

#include "common/json_writer.hpp"

namespace warung::api::osimesa {
namespace {

namespace json = boost::json;
using domain::Account;
using domain::Catalog;
using domain::FieldSpec;
using domain::FieldType;
using domain::Kind;
using domain::Level;
using domain::Order;
using domain::OrderStatus;
using domain::Service;
using Keys = std::vector<std::string>;

Keys keysOf(const json::value& v) {
  Keys k;
  for (const auto& kv : v.as_object()) k.emplace_back(kv.key());
  return k;
}

// Same keys in the same order, same types and values, all the way down.
// boost::json::serialize keeps insertion order and normalizes escapes ("\/" == "/").
std::string canonical(std::string_view text) { return json::serialize(json::parse(text)); }

// ---------------------------------------------------------------- documents' examples

// social-media-api.txt, "Place Order", data.
constexpr std::string_view kDocSocialOrder = R"json({
"data": [
"your input data 1",
"your input data 2",
"your input data 3"
],
"note": "transaction note",
"price": 10000,
"ref_id": "some1d",
"detail": {
"start": 0,
"amount": 0,
"remain": 0
},
"status": "waiting",
"product": {
"code": "product_id",
"type": "product_type",
"service": "product_name"
}
})json";

// social-media-api.txt, "Check Transaction", data[0].
constexpr std::string_view kDocSocialStatusEntry = R"json({
"data": [
"your input data 1",
"your input data 2",
"your input data 3"
],
"note": "transaction note",
"price": 10000,
"ref_id": "some1d",
"detail": {
"start": 0,
"amount": 0,
"remain": 0
},
"status": "waiting",
"product": {
"code": "product_id",
"type": "product_type",
"service": "product_name"
},
"created_at": 1778502939,
"updated_at": 1778502939
})json";

// game-api.txt, "Place Order", data.
constexpr std::string_view kDocGameOrder = R"json({
"data": [
"your input data 1",
"your input data 2",
"your input data 3"
],
"note": "transaction note",
"price": 10000,
"ref_id": "some1d",
"status": "waiting",
"product": {
"code": "product_id",
"slug": "product_slug",
"service": "product_name"
},
"voucher": "voucher_code"
})json";

// game-api.txt, "Check Transaction", data[0].
constexpr std::string_view kDocGameStatusEntry = R"json({
"data": [
"your input data 1",
"your input data 2",
"your input data 3"
],
"note": "transaction note",
"price": 10000,
"ref_id": "some1d",
"status": "waiting",
"product": {
"code": "product_id",
"slug": "product_slug",
"service": "product_name"
},
"voucher": "voucher_code",
"created_at": 1774522545,
"updated_at": 1774522545
})json";

// social-media-api.txt, "Get Service", data[0].
constexpr std::string_view kDocSocialService = R"json({
"category": {
"main": "Instagram Like Indonesia",
"type": "default"
},
"fields": {
"info": "",
"field1": {
"type": "input",
"input": {
"type": "text",
"label": "Link",
"minlength": 0,
"maxlength": 999999999,
"placeholder": "Masukan Link Postingan"
},
"select": {
"label": "",
"options": "",
"placeholder": ""
}
},
"field2": {
"type": "input",
"input": {
"type": "text",
"label": "Jumlah",
"minlength": 0,
"maxlength": 999999999,
"placeholder": "0"
},
"select": {
"label": "",
"options": "",
"placeholder": ""
}
},
"field3": {
"type": "none",
"input": {
"type": "text",
"label": "",
"minlength": 0,
"maxlength": 0,
"placeholder": ""
},
"select": {
"label": "",
"options": "",
"placeholder": ""
}
}
},
"order": {
"min": "100",
"max": "1000"
},
"name": "LIKES INDO PAKAI INI",
"note": "LINK POSTINGAN<\/p>",
"code": "5",
"price": {
"list": {
"standar": 33500,
"premium": 33500,
"spesial": 33500
},
"current": 12500
},
"cutoff": {
"start": "00:00",
"end": "00:00"
},
"status": "ready",
"updated_at": 1725168682
})json";

// game-api.txt, "Get Service", data[0].
constexpr std::string_view kDocGameService = R"json({
"category": {
"main": "Kuota Axis",
"slug": "kuota-axis"
},
"fields": {
"title": "Masukkan Data",
"info": "",
"field1": {
"type": "input",
"input": {
"type": "tel",
"label": "Masukkan Nomor HP",
"minlength": 0,
"maxlength": 1000,
"placeholder": ""
},
"select": {
"label": "",
"options": [],
"placeholder": ""
}
},
"field2": {
"type": "none",
"input": {
"type": "text",
"label": "",
"minlength": 0,
"maxlength": 0,
"placeholder": ""
},
"select": {
"label": "",
"options": [],
"placeholder": ""
}
},
"field3": {
"type": "none",
"input": {
"type": "text",
"label": "",
"minlength": 0,
"maxlength": 0,
"placeholder": ""
},
"select": {
"label": "",
"options": [],
"placeholder": ""
}
}
},
"name": "Axis OWSEM 24 GB + Unlimited Games \/ 30 Hari",
"note": "OWSEM 24GB + Kuota Games 30hr",
"code": "OW6",
"price": {
"list": {
"standar": 42475,
"premium": 42275,
"spesial": 42125
},
"current": 41975
},
"cutoff": {
"start": "23:30",
"end": "00:15"
},
"status": "empty",
"updated_at": 1770948021
})json";

// ---------------------------------------------------------------- builders

FieldSpec input(std::string type, std::string label, std::int64_t minlength, std::int64_t maxlength,
                std::string placeholder) {
  FieldSpec f;
  f.type = FieldType::kInput;
  f.input_type = std::move(type);
  f.label = std::move(label);
  f.minlength = minlength;
  f.maxlength = maxlength;
  f.placeholder = std::move(placeholder);
  return f;
}

FieldSpec none() { return FieldSpec{}; }

Service likesIndo() {  // the social-media document's first service
  Service s;
  s.id = 5;
  s.kind = Kind::kSocialMedia;
  s.code = "5";
  s.name = "LIKES INDO PAKAI INI";
  s.note = "LINK POSTINGAN</p>";
  s.category = "Instagram Like Indonesia";
  s.category_key = "default";
  s.fields_info = "";
  s.fields = {input("text", "Link", 0, 999999999, "Masukan Link Postingan"),
              input("text", "Jumlah", 0, 999999999, "0"), none()};
  s.min_quantity = 100;
  s.max_quantity = 1000;
  s.prices = {Money{33500}, Money{33500}, Money{33500}};
  s.cutoff = {0, 0};
  s.ready = true;
  s.updated_at = 1725168682;
  return s;
}

Service axisOwsem() {  // the game document's first service
  Service s;
  s.id = 6;
  s.kind = Kind::kGame;
  s.code = "OW6";
  s.name = "Axis OWSEM 24 GB + Unlimited Games / 30 Hari";
  s.note = "OWSEM 24GB + Kuota Games 30hr";
  s.category = "Kuota Axis";
  s.category_key = "kuota-axis";
  s.fields_title = "Masukkan Data";
  s.fields = {input("tel", "Masukkan Nomor HP", 0, 1000, ""), none(), none()};
  s.prices = {Money{42475}, Money{42275}, Money{42125}};
  s.cutoff = {23 * 60 + 30, 15};
  s.ready = false;
  s.updated_at = 1770948021;
  return s;
}

Order docOrder(Kind kind) {  // the documents' example order
  Order o;
  o.kind = kind;
  o.data = {"your input data 1", "your input data 2", "your input data 3"};
  o.note = "transaction note";
  o.charge = Money{10000};
  o.unit_price = Money{99999};  // not shown: `price` is what was charged
  o.ref_id = "some1d";
  o.start_count = 0;
  o.quantity = 0;
  o.remain = 0;
  o.status = OrderStatus::kWaiting;
  o.service_code = "product_id";
  o.category_key = kind == Kind::kSocialMedia ? "product_type" : "product_slug";
  o.service_name = "product_name";
  o.voucher = "voucher_code";
  o.created_at = kind == Kind::kSocialMedia ? 1778502939 : 1774522545;
  o.updated_at = o.created_at;
  return o;
}

std::string order(const Order& o, bool with_times) {
  std::string out;
  appendOrder(out, o, with_times);
  return out;
}

std::string service(const Service& s, Money current) {
  std::string out;
  appendService(out, s, current);
  return out;
}

// ---------------------------------------------------------------- orders

TEST(AppendOrder, SocialMediaKeyOrder) {
  Order o = docOrder(Kind::kSocialMedia);
  const json::value v = json::parse(order(o, false));
  EXPECT_EQ(keysOf(v), (Keys{"data", "note", "price", "ref_id", "detail", "status", "product"}));
  EXPECT_EQ(keysOf(v.at("detail")), (Keys{"start", "amount", "remain"}));
  EXPECT_EQ(keysOf(v.at("product")), (Keys{"code", "type", "service"}));
  ASSERT_TRUE(v.at("data").is_array());
  EXPECT_EQ(v.at("data").as_array().size(), 3u);
  for (const auto& d : v.at("data").as_array()) EXPECT_TRUE(d.is_string());
}

TEST(AppendOrder, SocialMediaWithTimesAddsThemAtTheEnd) {
  const json::value v = json::parse(order(docOrder(Kind::kSocialMedia), true));
  EXPECT_EQ(keysOf(v), (Keys{"data", "note", "price", "ref_id", "detail", "status", "product", "created_at",
                             "updated_at"}));
  ASSERT_TRUE(v.at("created_at").is_int64());
  ASSERT_TRUE(v.at("updated_at").is_int64());
}

TEST(AppendOrder, GameKeyOrder) {
  const json::value v = json::parse(order(docOrder(Kind::kGame), false));
  EXPECT_EQ(keysOf(v), (Keys{"data", "note", "price", "ref_id", "status", "product", "voucher"}));
  EXPECT_EQ(keysOf(v.at("product")), (Keys{"code", "slug", "service"}));
  const json::value t = json::parse(order(docOrder(Kind::kGame), true));
  EXPECT_EQ(keysOf(t), (Keys{"data", "note", "price", "ref_id", "status", "product", "voucher", "created_at",
                             "updated_at"}));
}

TEST(AppendOrder, SocialMediaEqualsTheDocumentsExamples) {
  EXPECT_EQ(canonical(order(docOrder(Kind::kSocialMedia), false)), canonical(kDocSocialOrder));
  EXPECT_EQ(canonical(order(docOrder(Kind::kSocialMedia), true)), canonical(kDocSocialStatusEntry));
}

TEST(AppendOrder, GameEqualsTheDocumentsExamples) {
  EXPECT_EQ(canonical(order(docOrder(Kind::kGame), false)), canonical(kDocGameOrder));
  EXPECT_EQ(canonical(order(docOrder(Kind::kGame), true)), canonical(kDocGameStatusEntry));
}

TEST(AppendOrder, ValuesAndTypes) {
  Order o = docOrder(Kind::kSocialMedia);
  o.data = {"https://instagram.com/p/x", "150", ""};
  o.charge = Money{1875};
  o.unit_price = Money{12500};
  o.quantity = 150;
  o.remain = 75;
  o.start_count = 1234;
  o.status = OrderStatus::kPartial;
  o.created_at = 1700000000;
  o.updated_at = 1700000600;
  const json::value v = json::parse(order(o, true));
  ASSERT_TRUE(v.at("price").is_int64());
  EXPECT_EQ(v.at("price").as_int64(), 1875);  // the charge, not the per-1000 price
  EXPECT_EQ(v.at("data").at(0).as_string(), "https://instagram.com/p/x");
  EXPECT_EQ(v.at("data").at(1).as_string(), "150");
  EXPECT_EQ(v.at("data").at(2).as_string(), "");
  ASSERT_TRUE(v.at("detail").at("start").is_int64());
  EXPECT_EQ(v.at("detail").at("start").as_int64(), 1234);
  EXPECT_EQ(v.at("detail").at("amount").as_int64(), 150);
  EXPECT_EQ(v.at("detail").at("remain").as_int64(), 75);
  EXPECT_EQ(v.at("status").as_string(), "partial");
  EXPECT_EQ(v.at("created_at").as_int64(), 1700000000);
  EXPECT_EQ(v.at("updated_at").as_int64(), 1700000600);
}

TEST(AppendOrder, StatusNames) {
  Order o = docOrder(Kind::kGame);
  const std::pair<OrderStatus, const char*> cases[] = {{OrderStatus::kWaiting, "waiting"},
                                                       {OrderStatus::kProcessing, "processing"},
                                                       {OrderStatus::kSuccess, "success"},
                                                       {OrderStatus::kError, "error"}};
  for (const auto& [s, name] : cases) {
    o.status = s;
    EXPECT_EQ(json::parse(order(o, false)).at("status").as_string(), name);
  }
}

TEST(AppendOrder, UserDataIsEscaped) {
  Order o = docOrder(Kind::kGame);
  o.data = {"a\"b", "c\\d", "line\nbreak"};
  o.voucher = "SN: 123/456";
  const std::string text = order(o, false);
  const json::value v = json::parse(text);
  EXPECT_EQ(v.at("data").at(0).as_string(), "a\"b");
  EXPECT_EQ(v.at("data").at(1).as_string(), "c\\d");
  EXPECT_EQ(v.at("data").at(2).as_string(), "line\nbreak");
  EXPECT_EQ(v.at("voucher").as_string(), "SN: 123/456");
}

TEST(AppendOrder, AppendsSoEntriesCanBeJoined) {
  std::string out = "[";
  appendOrder(out, docOrder(Kind::kGame), true);
  out += ',';
  appendOrder(out, docOrder(Kind::kGame), true);
  out += ']';
  const json::value v = json::parse(out);
  EXPECT_EQ(v.as_array().size(), 2u);
}

// appendOrder writes literal fragments between the values; this is the same layout
// through JsonWriter, the form it replaced, to hold it to the same bytes.
std::string orderThroughJsonWriter(const Order& o, bool with_times) {
  std::string out;
  JsonWriter w(out);
  w.beginObject();
  w.key("data").beginArray();
  for (const auto& d : o.data) w.string(d);
  w.endArray();
  w.field("note", o.note).field("price", o.charge.rupiah).field("ref_id", o.ref_id);
  if (o.kind == Kind::kSocialMedia) {
    w.key("detail")
        .beginObject()
        .field("start", o.start_count)
        .field("amount", o.quantity)
        .field("remain", o.remain)
        .endObject();
  }
  w.field("status", domain::toString(o.status));
  w.key("product").beginObject().field("code", o.service_code);
  w.field(o.kind == Kind::kSocialMedia ? "type" : "slug", o.category_key);
  w.field("service", o.service_name).endObject();
  if (o.kind == Kind::kGame) w.field("voucher", o.voucher);
  if (with_times) w.field("created_at", o.created_at).field("updated_at", o.updated_at);
  w.endObject();
  return out;
}

TEST(AppendOrder, SameBytesAsTheJsonWriterForm) {
  std::mt19937 rng(20261121);
  const std::vector<std::string> texts{"",
                                       "plain",
                                       "https://instagram.com/p/abc?x=1&y=2",
                                       "a\"b\\c",
                                       "tab\there",
                                       "ctl\x01\x1f",
                                       "caf\xc3\xa9 \xe2\x82\xac",
                                       "bad \xff\xc3",
                                       "0123456789abcdef/"};
  const std::vector<std::int64_t> numbers{0, 1, -1, 999'999'999'999, INT64_MIN, INT64_MAX};
  auto text = [&] { return texts[rng() % texts.size()]; };
  auto number = [&] { return numbers[rng() % numbers.size()]; };
  for (int i = 0; i < 500; ++i) {
    Order o;
    o.kind = i % 2 == 0 ? Kind::kSocialMedia : Kind::kGame;
    o.data = {text(), text(), text()};
    o.note = text();
    o.charge = Money{number()};
    o.ref_id = text();
    o.start_count = number();
    o.quantity = number();
    o.remain = number();
    o.status = static_cast<OrderStatus>(rng() % 5);
    o.service_code = text();
    o.category_key = text();
    o.service_name = text();
    o.voucher = text();
    o.created_at = number();
    o.updated_at = number();
    for (bool with_times : {false, true}) {
      ASSERT_EQ(order(o, with_times), orderThroughJsonWriter(o, with_times)) << "order " << i;
    }
  }
}

// ---------------------------------------------------------------- services

const Keys kFieldKeys{"type", "input", "select"};
const Keys kInputKeys{"type", "label", "minlength", "maxlength", "placeholder"};
const Keys kSelectKeys{"label", "options", "placeholder"};

void expectFieldShape(const json::value& f, bool game) {
  EXPECT_EQ(keysOf(f), kFieldKeys);
  EXPECT_EQ(keysOf(f.at("input")), kInputKeys);
  EXPECT_EQ(keysOf(f.at("select")), kSelectKeys);
  EXPECT_TRUE(f.at("type").is_string());
  EXPECT_TRUE(f.at("input").at("minlength").is_int64());
  EXPECT_TRUE(f.at("input").at("maxlength").is_int64());
  if (game) {
    EXPECT_TRUE(f.at("select").at("options").is_array());
  } else {
    EXPECT_TRUE(f.at("select").at("options").is_string());
  }
}

TEST(AppendService, SocialMediaShape) {
  const json::value v = json::parse(service(likesIndo(), Money{12500}));
  EXPECT_EQ(keysOf(v), (Keys{"category", "fields", "order", "name", "note", "code", "price", "cutoff",
                             "status", "updated_at"}));
  EXPECT_EQ(keysOf(v.at("category")), (Keys{"main", "type"}));
  EXPECT_EQ(keysOf(v.at("fields")), (Keys{"info", "field1", "field2", "field3"}));
  for (const char* f : {"field1", "field2", "field3"}) expectFieldShape(v.at("fields").at(f), false);
  EXPECT_EQ(keysOf(v.at("order")), (Keys{"min", "max"}));
  EXPECT_TRUE(v.at("order").at("min").is_string());
  EXPECT_TRUE(v.at("order").at("max").is_string());
  EXPECT_EQ(keysOf(v.at("price")), (Keys{"list", "current"}));
  EXPECT_EQ(keysOf(v.at("price").at("list")), (Keys{"standar", "premium", "spesial"}));
  for (const char* l : {"standar", "premium", "spesial"})
    EXPECT_TRUE(v.at("price").at("list").at(l).is_int64());
  EXPECT_TRUE(v.at("price").at("current").is_int64());
  EXPECT_EQ(keysOf(v.at("cutoff")), (Keys{"start", "end"}));
  EXPECT_TRUE(v.at("updated_at").is_int64());
}

TEST(AppendService, GameShape) {
  const json::value v = json::parse(service(axisOwsem(), Money{41975}));
  EXPECT_EQ(keysOf(v),
            (Keys{"category", "fields", "name", "note", "code", "price", "cutoff", "status", "updated_at"}));
  EXPECT_EQ(keysOf(v.at("category")), (Keys{"main", "slug"}));
  EXPECT_EQ(keysOf(v.at("fields")), (Keys{"title", "info", "field1", "field2", "field3"}));
  for (const char* f : {"field1", "field2", "field3"}) expectFieldShape(v.at("fields").at(f), true);
  EXPECT_FALSE(v.as_object().contains("order"));
  EXPECT_EQ(keysOf(v.at("price").at("list")), (Keys{"standar", "premium", "spesial"}));
  EXPECT_TRUE(v.at("updated_at").is_int64());
}

TEST(AppendService, GoldenSocialMediaEntryFromTheDocument) {
  const std::string ours = service(likesIndo(), Money{12500});
  EXPECT_EQ(canonical(ours), canonical(kDocSocialService));
  // Byte-level: '/' escaped the PHP way, as in the document.
  EXPECT_THAT(ours, ::testing::HasSubstr(R"("note":"LINK POSTINGAN<\/p>")"));
}

TEST(AppendService, GoldenGameEntryFromTheDocument) {
  EXPECT_EQ(canonical(service(axisOwsem(), Money{41975})), canonical(kDocGameService));
}

TEST(AppendService, SelectOptionsStringForSocialArrayForGame) {
  FieldSpec sel;
  sel.type = FieldType::kSelect;
  sel.select_label = "Server";
  sel.options = {"Asia", "Europe"};
  sel.select_placeholder = "Pilih";

  Service social = likesIndo();
  social.fields[2] = sel;
  json::value v = json::parse(service(social, Money{1}));
  const json::value& s1 = v.at("fields").at("field3").at("select");
  EXPECT_EQ(s1.at("label").as_string(), "Server");
  ASSERT_TRUE(s1.at("options").is_string());
  EXPECT_EQ(s1.at("options").as_string(), "Asia,Europe");
  EXPECT_EQ(s1.at("placeholder").as_string(), "Pilih");
  EXPECT_EQ(v.at("fields").at("field3").at("type").as_string(), "select");

  Service game = axisOwsem();
  game.fields[1] = sel;
  v = json::parse(service(game, Money{1}));
  const json::value& s2 = v.at("fields").at("field2").at("select");
  ASSERT_TRUE(s2.at("options").is_array());
  EXPECT_EQ(json::serialize(s2.at("options")), R"(["Asia","Europe"])");
}

TEST(AppendService, ValuesFollowTheService) {
  Service s = likesIndo();
  s.prices = {Money{33500}, Money{32000}, Money{30500}};
  s.cutoff = {7 * 60 + 5, 23 * 60 + 59};
  s.ready = false;
  s.min_quantity = 50;
  s.max_quantity = 20000;
  const json::value v = json::parse(service(s, Money{620}));
  EXPECT_EQ(v.at("price").at("list").at("standar").as_int64(), 33500);
  EXPECT_EQ(v.at("price").at("list").at("premium").as_int64(), 32000);
  EXPECT_EQ(v.at("price").at("list").at("spesial").as_int64(), 30500);
  EXPECT_EQ(v.at("price").at("current").as_int64(), 620);
  EXPECT_EQ(v.at("cutoff").at("start").as_string(), "07:05");
  EXPECT_EQ(v.at("cutoff").at("end").as_string(), "23:59");
  EXPECT_EQ(v.at("status").as_string(), "empty");
  EXPECT_EQ(v.at("order").at("min").as_string(), "50");
  EXPECT_EQ(v.at("order").at("max").as_string(), "20000");
}

// ---------------------------------------------------------------- service lists

Service named(Service s, std::int64_t id, std::string code, std::string name) {
  s.id = id;
  s.code = std::move(code);
  s.name = std::move(name);
  return s;
}

std::shared_ptr<const Catalog> makeCatalog(std::int64_t version, std::int64_t likes_standar = 33500) {
  Service likes = likesIndo();
  likes.prices[0] = Money{likes_standar};
  Service tiktok = named(likesIndo(), 7, "6", "TIKTOK SAVE");
  tiktok.category = "TIKTOK SAVE";
  tiktok.prices = {Money{6000}, Money{5900}, Money{5800}};
  Service hidden = named(likesIndo(), 8, "OFF", "A hidden one");
  hidden.enabled = false;
  Service axis = axisOwsem();
  Service sm = named(axisOwsem(), 9, "SMT70", "Smartfren Pulsa Transfer 70.000");
  sm.category = "Smartfren Transfer";
  return std::make_shared<const Catalog>(std::vector<Service>{tiktok, hidden, axis, likes, sm}, version);
}

Keys codesOf(std::string_view list) {
  Keys out;
  const json::value v = json::parse(list);  // kept alive: the loop borrows from it
  for (const auto& e : v.as_array()) out.emplace_back(e.at("code").as_string());
  return out;
}

std::int64_t currentOf(std::string_view list, std::string_view code) {
  const json::value v = json::parse(list);
  for (const auto& e : v.as_array()) {
    if (e.at("code").as_string() == code) return e.at("price").at("current").as_int64();
  }
  ADD_FAILURE() << "no service " << code;
  return -1;
}

Account account(Level level) {
  Account a;
  a.id = 1;
  a.level = level;
  return a;
}

TEST(ServiceList, OnlyEnabledServicesOfTheKindInCatalogOrder) {
  const auto c = makeCatalog(1);
  const std::string social = serviceList(*c, Kind::kSocialMedia, account(Level::kStandar));
  EXPECT_EQ(codesOf(social), (Keys{"5", "6"}));
  const std::string game = serviceList(*c, Kind::kGame, account(Level::kStandar));
  EXPECT_EQ(codesOf(game), (Keys{"OW6", "SMT70"}));
  const json::value gv = json::parse(game);
  const json::value sv = json::parse(social);
  for (const auto& e : gv.as_array()) EXPECT_TRUE(e.at("category").as_object().contains("slug"));
  for (const auto& e : sv.as_array()) EXPECT_TRUE(e.at("category").as_object().contains("type"));
}

TEST(ServiceList, EmptyListIsAnEmptyArray) {
  const Catalog c;
  EXPECT_EQ(serviceList(c, Kind::kGame, account(Level::kStandar)), "[]");
}

TEST(ServiceList, CurrentIsTheLevelPriceOrTheOverride) {
  const auto c = makeCatalog(1);
  EXPECT_EQ(currentOf(serviceList(*c, Kind::kSocialMedia, account(Level::kStandar)), "6"), 6000);
  EXPECT_EQ(currentOf(serviceList(*c, Kind::kSocialMedia, account(Level::kPremium)), "6"), 5900);
  EXPECT_EQ(currentOf(serviceList(*c, Kind::kSocialMedia, account(Level::kSpesial)), "6"), 5800);
  Account a = account(Level::kPremium);
  a.price_overrides[7] = Money{620};
  const std::string list = serviceList(*c, Kind::kSocialMedia, a);
  EXPECT_EQ(currentOf(list, "6"), 620);
  EXPECT_EQ(currentOf(list, "5"), 33500);
  // price.list stays the level prices.
  const json::value v = json::parse(list);
  for (const auto& e : v.as_array()) {
    if (e.at("code").as_string() == "6") {
      EXPECT_EQ(e.at("price").at("list").at("premium").as_int64(), 5900);
    }
  }
}

TEST(ServiceListCache, SamePointerForSameCatalogAndLevel) {
  ServiceListCache cache;
  const auto c = makeCatalog(1);
  Account a = account(Level::kStandar);
  Account b = account(Level::kStandar);
  b.id = 2;
  const auto first = cache.get(c, Kind::kSocialMedia, a);
  const auto again = cache.get(c, Kind::kSocialMedia, b);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first.get(), again.get());
  EXPECT_EQ(*first, serviceList(*c, Kind::kSocialMedia, a));
}

TEST(ServiceListCache, LevelsAndKindsAreSeparate) {
  ServiceListCache cache;
  const auto c = makeCatalog(1);
  const auto standar = cache.get(c, Kind::kSocialMedia, account(Level::kStandar));
  const auto spesial = cache.get(c, Kind::kSocialMedia, account(Level::kSpesial));
  const auto game = cache.get(c, Kind::kGame, account(Level::kStandar));
  EXPECT_NE(standar.get(), spesial.get());
  EXPECT_EQ(currentOf(*standar, "6"), 6000);
  EXPECT_EQ(currentOf(*spesial, "6"), 5800);
  EXPECT_EQ(codesOf(*game), (Keys{"OW6", "SMT70"}));
  EXPECT_EQ(codesOf(*standar), (Keys{"5", "6"}));
}

TEST(ServiceListCache, NewSnapshotGivesANewList) {
  ServiceListCache cache;
  const Account a = account(Level::kStandar);
  auto c1 = makeCatalog(1, 33500);
  const auto before = cache.get(c1, Kind::kSocialMedia, a);
  EXPECT_EQ(currentOf(*before, "5"), 33500);
  auto c2 = makeCatalog(2, 34000);
  const auto after = cache.get(c2, Kind::kSocialMedia, a);
  EXPECT_NE(before.get(), after.get());
  EXPECT_EQ(currentOf(*after, "5"), 34000);
  // The old list a reader still holds is untouched.
  EXPECT_EQ(currentOf(*before, "5"), 33500);
  // And the new one is cached in turn.
  EXPECT_EQ(cache.get(c2, Kind::kSocialMedia, a).get(), after.get());
}

TEST(ServiceListCache, NewSnapshotAfterTheOldOneIsGone) {
  ServiceListCache cache;
  const Account a = account(Level::kStandar);
  auto c1 = makeCatalog(1, 33500);
  EXPECT_EQ(currentOf(*cache.get(c1, Kind::kSocialMedia, a), "5"), 33500);
  c1.reset();  // the directory drops its snapshot; a new one may reuse the address
  for (int i = 0; i < 8; ++i) {
    auto c = makeCatalog(2 + i, 40000 + i);
    EXPECT_EQ(currentOf(*cache.get(c, Kind::kSocialMedia, a), "5"), 40000 + i);
  }
}

TEST(ServiceListCache, AccountsWithOverridesGetTheirOwnList) {
  ServiceListCache cache;
  const auto c = makeCatalog(1);
  const Account plain = account(Level::kStandar);
  Account special = account(Level::kStandar);
  special.id = 2;
  special.price_overrides[5] = Money{12500};

  // Override first: it must not end up in the shared list.
  const auto own = cache.get(c, Kind::kSocialMedia, special);
  EXPECT_EQ(currentOf(*own, "5"), 12500);
  EXPECT_EQ(currentOf(*own, "6"), 6000);
  const auto shared = cache.get(c, Kind::kSocialMedia, plain);
  EXPECT_EQ(currentOf(*shared, "5"), 33500);
  EXPECT_NE(own.get(), shared.get());
  // And after the shared list exists, the override account still sees its price.
  EXPECT_EQ(currentOf(*cache.get(c, Kind::kSocialMedia, special), "5"), 12500);
  EXPECT_EQ(currentOf(*cache.get(c, Kind::kSocialMedia, plain), "5"), 33500);
}

}  // namespace
}  // namespace warung::api::osimesa
