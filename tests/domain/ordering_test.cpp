// Placing an order up to storage (API-NOTES "Orders"), with a fixed clock, fake ids
// and a fixed zone.
#include "domain/ordering.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "common/clock.hpp"

namespace warung::domain {
namespace {

using ::testing::HasSubstr;

class CountingIds final : public IdGenerator {
 public:
  std::string newRefId() override { return "ref-" + std::to_string(++refs_); }
  std::string newApiKey() override { return "key-" + std::to_string(++keys_); }
  std::string newUserId() override { return "user-" + std::to_string(++users_); }
  int refs() const { return refs_; }

 private:
  int refs_ = 0;
  int keys_ = 0;
  int users_ = 0;
};

FieldSpec input(std::string label, std::string type = "text", std::int64_t maxlength = 999999999) {
  FieldSpec f;
  f.type = FieldType::kInput;
  f.input_type = std::move(type);
  f.label = std::move(label);
  f.maxlength = maxlength;
  return f;
}

// 2024-06-01 16:30:00 UTC = 23:30 in Jakarta (UTC+7).
constexpr std::int64_t k2330Wib = 1717259400;
// 2024-06-01 05:00:00 UTC = 12:00 in Jakarta.
constexpr std::int64_t kNoonWib = 1717218000;

class PlanOrderTest : public ::testing::Test {
 protected:
  PlanOrderTest() : clock_(kNoonWib), zone_(420, "Asia/Jakarta") {
    Service likes;
    likes.id = 5;
    likes.kind = Kind::kSocialMedia;
    likes.code = "5";
    likes.name = "LIKES INDO PAKAI INI";
    likes.category = "Instagram Like Indonesia";
    likes.category_key = "default";
    likes.fields = {input("Link"), input("Jumlah"), FieldSpec{}};
    likes.min_quantity = 100;
    likes.max_quantity = 1000;
    likes.prices = {Money{33500}, Money{32000}, Money{30000}};

    Service axis;
    axis.id = 6;
    axis.kind = Kind::kGame;
    axis.code = "OW6";
    axis.name = "Axis OWSEM 24 GB";
    axis.category = "Kuota Axis";
    axis.category_key = "kuota-axis";
    axis.fields = {input("Masukkan Nomor HP", "tel", 1000), FieldSpec{}, FieldSpec{}};
    axis.prices = {Money{42475}, Money{42275}, Money{42125}};
    axis.cutoff = {23 * 60 + 30, 15};

    Service ml;  // game with two fields: user id and zone id
    ml.id = 7;
    ml.kind = Kind::kGame;
    ml.code = "ML86";
    ml.name = "86 Diamonds";
    ml.category = "Mobile Legends";
    ml.category_key = "mobile-legends";
    ml.fields = {input("User ID", "number", 20), input("Zone ID", "number", 10), FieldSpec{}};
    ml.prices = {Money{20000}, Money{19500}, Money{19000}};

    Service off = likes;
    off.id = 8;
    off.code = "OFF";
    off.enabled = false;

    Service empty = likes;
    empty.id = 9;
    empty.code = "EMPTY";
    empty.ready = false;

    Service sameCodeAsGame = likes;  // social media "OW6" must not be found as the game
    sameCodeAsGame.id = 10;
    sameCodeAsGame.code = "SM-ONLY";

    catalog_ = Catalog({likes, axis, ml, off, empty, sameCodeAsGame}, 1);
    account_.id = 77;
    account_.user_id = "U1";
    account_.level = Level::kPremium;
  }

  Result<Order> place(Kind kind, std::string_view code, OrderData data, std::string_view idem = {}) {
    PlaceOrderInput in{code, data, idem};
    return planOrder(kind, account_, catalog_, in, zone_, clock_.nowUnix(), ids_);
  }
  Result<Order> social(std::string_view code, std::optional<std::string_view> d1,
                       std::optional<std::string_view> d2, std::optional<std::string_view> d3 = {}) {
    return place(Kind::kSocialMedia, code, OrderData{d1, d2, d3});
  }

  FixedClock clock_;
  FixedOffsetZone zone_;
  CountingIds ids_;
  Catalog catalog_;
  Account account_;
};

void expectError(const auto& r, Errc code) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().detail;
}

TEST_F(PlanOrderTest, UnknownServiceIsNotFound) {
  auto r = social("999", "https://x", "100");
  expectError(r, Errc::kNotFound);
  EXPECT_THAT(r.error().detail, HasSubstr("999"));
  EXPECT_EQ(ids_.refs(), 0);
}

TEST_F(PlanOrderTest, DisabledServiceIsNotFound) {
  expectError(social("OFF", "https://x", "100"), Errc::kNotFound);
}

TEST_F(PlanOrderTest, ServiceOfTheOtherKindIsNotFound) {
  expectError(social("OW6", "08123", "100"), Errc::kNotFound);
  expectError(place(Kind::kGame, "5", OrderData{"https://x", "100", std::nullopt}), Errc::kNotFound);
}

TEST_F(PlanOrderTest, FieldFailureIsUnprocessable) {
  auto r = social("5", std::nullopt, "100");
  expectError(r, Errc::kUnprocessable);
  EXPECT_THAT(r.error().detail, HasSubstr("Link"));
  r = place(Kind::kGame, "OW6", OrderData{"0812-ABC", std::nullopt, std::nullopt});
  expectError(r, Errc::kUnprocessable);
  EXPECT_THAT(r.error().detail, HasSubstr("Masukkan Nomor HP"));
}

TEST_F(PlanOrderTest, QuantityFailureIsUnprocessable) {
  for (const char* q : {"99", "1001", "abc", "10.5", "-100"}) {
    auto r = social("5", "https://x", q);
    expectError(r, Errc::kUnprocessable);
    EXPECT_THAT(r.error().detail, HasSubstr("Jumlah")) << q;
  }
}

TEST_F(PlanOrderTest, InsideCutoffIsUnavailableAndGivesTheWindow) {
  clock_.set(k2330Wib);
  auto r = place(Kind::kGame, "OW6", OrderData{"08123456789", std::nullopt, std::nullopt});
  expectError(r, Errc::kUnavailable);
  EXPECT_THAT(r.error().detail, HasSubstr("23:30"));
  EXPECT_THAT(r.error().detail, HasSubstr("00:15"));
  EXPECT_EQ(ids_.refs(), 0);
}

TEST_F(PlanOrderTest, CutoffUsesTheZoneNotUtc) {
  // 16:30 UTC is outside 23:30-00:15 in UTC but inside it in Jakarta: covered above.
  // 23:45 UTC is inside the window in UTC but 06:45 in Jakarta: open.
  clock_.set(1717285500);  // 2024-06-01 23:45 UTC
  EXPECT_TRUE(place(Kind::kGame, "OW6", OrderData{"08123456789", std::nullopt, std::nullopt}).ok());
}

TEST_F(PlanOrderTest, CutoffEdges) {
  const OrderData d{"08123456789", std::nullopt, std::nullopt};
  clock_.set(k2330Wib - 1);  // 23:29:59
  EXPECT_TRUE(place(Kind::kGame, "OW6", d).ok());
  clock_.set(k2330Wib + 45 * 60 - 1);  // 00:14:59
  expectError(place(Kind::kGame, "OW6", d), Errc::kUnavailable);
  clock_.set(k2330Wib + 45 * 60);  // 00:15:00
  EXPECT_TRUE(place(Kind::kGame, "OW6", d).ok());
}

TEST_F(PlanOrderTest, NotReadyIsUnavailable) {
  auto r = social("EMPTY", "https://x", "100");
  expectError(r, Errc::kUnavailable);
  EXPECT_THAT(r.error().detail, HasSubstr("EMPTY"));
}

TEST_F(PlanOrderTest, FieldsAreCheckedBeforeStock) {
  // Empty and with a missing link: the field error comes first (API-NOTES order).
  expectError(social("EMPTY", std::nullopt, "100"), Errc::kUnprocessable);
  // Empty with a bad quantity: the quantity error comes first too.
  expectError(social("EMPTY", "https://x", "5"), Errc::kUnprocessable);
}

TEST_F(PlanOrderTest, FieldsAreCheckedBeforeCutoff) {
  clock_.set(k2330Wib);
  expectError(place(Kind::kGame, "OW6", OrderData{std::nullopt, std::nullopt, std::nullopt}),
              Errc::kUnprocessable);
}

TEST_F(PlanOrderTest, CutoffIsCheckedBeforeStock) {
  Service s = *catalog_.find(Kind::kGame, "OW6");
  s.ready = false;
  catalog_ = Catalog({s}, 2);
  clock_.set(k2330Wib);
  auto r = place(Kind::kGame, "OW6", OrderData{"08123", std::nullopt, std::nullopt});
  expectError(r, Errc::kUnavailable);
  EXPECT_THAT(r.error().detail, HasSubstr("23:30"));
}

TEST_F(PlanOrderTest, SocialMediaSuccessFillsTheOrder) {
  auto r =
      place(Kind::kSocialMedia, "5", OrderData{"https://instagram.com/p/abc", "101", std::nullopt}, "idem-1");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  const Order& o = *r;
  EXPECT_EQ(o.ref_id, "ref-1");
  EXPECT_EQ(o.account_id, 77);
  EXPECT_EQ(o.kind, Kind::kSocialMedia);
  EXPECT_EQ(o.service_id, 5);
  EXPECT_EQ(o.service_code, "5");
  EXPECT_EQ(o.service_name, "LIKES INDO PAKAI INI");
  EXPECT_EQ(o.category_key, "default");
  EXPECT_EQ(o.data[0], "https://instagram.com/p/abc");
  EXPECT_EQ(o.data[1], "101");
  EXPECT_EQ(o.target, "https://instagram.com/p/abc");
  EXPECT_EQ(o.quantity, 101);
  EXPECT_EQ(o.unit_price, Money{32000});  // premium
  EXPECT_EQ(o.charge, Money{3232});       // 32000 * 101 / 1000 = 3232 exactly
  EXPECT_EQ(o.status, OrderStatus::kWaiting);
  EXPECT_EQ(o.remain, 101);
  EXPECT_EQ(o.start_count, 0);
  EXPECT_EQ(o.note, "");
  EXPECT_EQ(o.voucher, "");
  EXPECT_EQ(o.idempotency_key, "idem-1");
  EXPECT_EQ(o.created_at, kNoonWib);
  EXPECT_EQ(o.updated_at, kNoonWib);
  EXPECT_EQ(o.fingerprint.size(), 32u);
}

TEST_F(PlanOrderTest, ChargeRoundsUp) {
  account_.level = Level::kStandar;
  auto r = social("5", "https://x", "101");  // ceil(33500 * 101 / 1000) = 3384
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unit_price, Money{33500});
  EXPECT_EQ(r->charge, Money{3384});
}

TEST_F(PlanOrderTest, OverrideIsRespected) {
  account_.price_overrides[5] = Money{12500};
  auto r = social("5", "https://x", "150");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unit_price, Money{12500});
  EXPECT_EQ(r->charge, Money{1875});

  account_.price_overrides[6] = Money{40000};
  r = place(Kind::kGame, "OW6", OrderData{"08123", std::nullopt, std::nullopt});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unit_price, Money{40000});
  EXPECT_EQ(r->charge, Money{40000});
}

TEST_F(PlanOrderTest, GameSuccessFillsTheOrder) {
  auto r = place(Kind::kGame, "ML86", OrderData{"123456", "7890", "ignored"});
  ASSERT_TRUE(r.ok()) << r.error().detail;
  const Order& o = *r;
  EXPECT_EQ(o.ref_id, "ref-1");
  EXPECT_EQ(o.kind, Kind::kGame);
  EXPECT_EQ(o.service_code, "ML86");
  EXPECT_EQ(o.service_name, "86 Diamonds");
  EXPECT_EQ(o.category_key, "mobile-legends");
  EXPECT_EQ(o.quantity, 1);
  EXPECT_EQ(o.unit_price, Money{19500});
  EXPECT_EQ(o.charge, Money{19500});
  EXPECT_EQ(o.remain, 0);
  EXPECT_EQ(o.status, OrderStatus::kWaiting);
  EXPECT_EQ(o.created_at, kNoonWib);
  EXPECT_EQ(o.target, targetOf(*catalog_.find(Kind::kGame, "ML86"), OrderData{"123456", "7890", "ignored"}));
  EXPECT_THAT(o.target, HasSubstr("123456"));
  EXPECT_THAT(o.target, HasSubstr("7890"));
  EXPECT_THAT(o.target, ::testing::Not(HasSubstr("ignored")));
}

TEST_F(PlanOrderTest, GameQuantityFieldIsNotParsed) {
  // data2 of a game is not a quantity, so any valid value passes.
  auto r = place(Kind::kGame, "ML86", OrderData{"123456", "99999", std::nullopt});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->charge, Money{19500});
}

TEST_F(PlanOrderTest, EachOrderGetsANewRefId) {
  auto a = social("5", "https://x", "100");
  auto b = social("5", "https://x", "100");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->ref_id, b->ref_id);
}

TEST(TargetOf, SocialMediaIsTheLink) {
  Service s;
  s.kind = Kind::kSocialMedia;
  s.fields = {input("Link"), input("Jumlah"), FieldSpec{}};
  EXPECT_EQ(targetOf(s, OrderData{"https://a", "100", std::nullopt}), "https://a");
  EXPECT_EQ(targetOf(s, OrderData{"https://a", "500", std::nullopt}), "https://a");
}

TEST(TargetOf, GameJoinsNonNoneFieldsUnambiguously) {
  Service s;
  s.kind = Kind::kGame;
  s.fields = {input("User ID"), FieldSpec{}, input("Zone ID")};
  const auto t = [&](std::optional<std::string_view> a, std::optional<std::string_view> b,
                     std::optional<std::string_view> c) {
    return targetOf(s, OrderData{a, b, c});
  };
  EXPECT_EQ(t("123", "x", "45"), t("123", "y", "45"));  // none field ignored
  EXPECT_NE(t("123", "x", "45"), t("123", "x", "46"));  // every input counts
  EXPECT_NE(t("123", "x", "45"), t("124", "x", "45"));
  EXPECT_NE(t("12", "x", "345"), t("123", "x", "45"));  // no ambiguity when joined
}

TEST(FingerprintOf, StableAndSensitiveToEveryPart) {
  const OrderData d{"https://a", "100", std::nullopt};
  const std::string fp = fingerprintOf(Kind::kSocialMedia, "5", d);
  EXPECT_EQ(fp.size(), 32u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(fp, fingerprintOf(Kind::kSocialMedia, "5", d));
  std::set<std::string> all{fp};
  all.insert(fingerprintOf(Kind::kGame, "5", d));
  all.insert(fingerprintOf(Kind::kSocialMedia, "6", d));
  all.insert(fingerprintOf(Kind::kSocialMedia, "5", OrderData{"https://b", "100", std::nullopt}));
  all.insert(fingerprintOf(Kind::kSocialMedia, "5", OrderData{"https://a", "101", std::nullopt}));
  all.insert(fingerprintOf(Kind::kSocialMedia, "5", OrderData{"https://a", "100", "x"}));
  all.insert(fingerprintOf(Kind::kSocialMedia, "5", OrderData{"https://a", "100", ""}));  // empty != absent
  all.insert(fingerprintOf(Kind::kSocialMedia, "5", OrderData{"https://a1", "00", std::nullopt}));
  EXPECT_EQ(all.size(), 8u);
}

TEST_F(PlanOrderTest, FingerprintStableAcrossOrdersAndDiffersWithData) {
  auto keyed = [&](std::string_view d1, std::string_view d2, std::string_view key) {
    return place(Kind::kSocialMedia, "5", OrderData{d1, d2, std::nullopt}, key);
  };
  auto a = keyed("https://x", "100", "k1");
  auto b = keyed("https://x", "100", "k2");
  auto c = keyed("https://x", "200", "k3");
  auto d = keyed("https://y", "100", "k4");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_NE(a->fingerprint, c->fingerprint);
  EXPECT_NE(a->fingerprint, d->fingerprint);
  // The idempotency key is not part of the fingerprint (same params, another key).
  auto e = place(Kind::kSocialMedia, "5", OrderData{"https://x", "100", std::nullopt}, "other-key");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(a->fingerprint, e->fingerprint);
  // Only a retry with a key compares fingerprints: an order without one has none (the
  // md5 was a tenth of an order's instructions on the io thread).
  auto keyless = social("5", "https://x", "100");
  ASSERT_TRUE(keyless.ok());
  EXPECT_EQ(keyless->fingerprint, "");
}

TEST_F(PlanOrderTest, EmptyServiceCodeIsRefused) {
  auto r = social("", "https://x", "100");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().code, Errc::kInternal);
}

}  // namespace
}  // namespace warung::domain
