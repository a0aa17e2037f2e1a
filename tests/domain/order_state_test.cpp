// The order state machine and refunds (API-NOTES "Lifecycle and money").
#include "domain/order_state.hpp"

#include <gtest/gtest.h>

#include <array>

#include "domain/pricing.hpp"

namespace warung::domain {
namespace {

using S = OrderStatus;
constexpr std::array<S, 5> kAll{S::kWaiting, S::kProcessing, S::kSuccess, S::kPartial, S::kError};

Order socialOrder(std::int64_t unit_price, std::int64_t quantity, S status = S::kWaiting) {
  Order o;
  o.id = 42;
  o.account_id = 9;
  o.ref_id = "ref42";
  o.kind = Kind::kSocialMedia;
  o.quantity = quantity;
  o.unit_price = Money{unit_price};
  o.charge = *perThousand(Money{unit_price}, quantity);
  o.remain = quantity;
  o.status = status;
  o.note = "old note";
  return o;
}

Order gameOrder(std::int64_t price, S status = S::kWaiting) {
  Order o;
  o.id = 43;
  o.account_id = 9;
  o.ref_id = "ref43";
  o.kind = Kind::kGame;
  o.quantity = 1;
  o.unit_price = Money{price};
  o.charge = Money{price};
  o.status = status;
  return o;
}

TransitionRequest to(S s) {
  TransitionRequest r;
  r.to = s;
  return r;
}

TEST(OrderState, FinalStates) {
  EXPECT_FALSE(isFinal(S::kWaiting));
  EXPECT_FALSE(isFinal(S::kProcessing));
  EXPECT_TRUE(isFinal(S::kSuccess));
  EXPECT_TRUE(isFinal(S::kPartial));
  EXPECT_TRUE(isFinal(S::kError));
}

TEST(OrderState, TransitionTableSocialMedia) {
  const Kind k = Kind::kSocialMedia;
  EXPECT_FALSE(canTransition(k, S::kWaiting, S::kWaiting));
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kProcessing));
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kSuccess));
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kPartial));
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kError));
  EXPECT_FALSE(canTransition(k, S::kProcessing, S::kWaiting));
  EXPECT_FALSE(canTransition(k, S::kProcessing, S::kProcessing));
  EXPECT_TRUE(canTransition(k, S::kProcessing, S::kSuccess));
  EXPECT_TRUE(canTransition(k, S::kProcessing, S::kPartial));
  EXPECT_TRUE(canTransition(k, S::kProcessing, S::kError));
  for (S from : {S::kSuccess, S::kPartial, S::kError}) {
    for (S next : kAll)
      EXPECT_FALSE(canTransition(k, from, next)) << toString(from) << "->" << toString(next);
  }
}

TEST(OrderState, TransitionTableGameHasNoPartial) {
  const Kind k = Kind::kGame;
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kProcessing));
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kSuccess));
  EXPECT_TRUE(canTransition(k, S::kWaiting, S::kError));
  EXPECT_FALSE(canTransition(k, S::kWaiting, S::kPartial));
  EXPECT_TRUE(canTransition(k, S::kProcessing, S::kSuccess));
  EXPECT_TRUE(canTransition(k, S::kProcessing, S::kError));
  EXPECT_FALSE(canTransition(k, S::kProcessing, S::kPartial));
  EXPECT_FALSE(canTransition(k, S::kProcessing, S::kWaiting));
  for (S from : {S::kSuccess, S::kError}) {
    for (S next : kAll) EXPECT_FALSE(canTransition(k, from, next));
  }
}

// The status list's cache (api/osimesa/order_cache.hpp) keys an order's answer by
// (id, status): that is only sound while no transition keeps the status or returns to
// one the order has had. Every allowed transition must move strictly forward.
TEST(OrderState, AnOrdersStatusIsItsVersion) {
  auto rank = [](S s) { return s == S::kWaiting ? 0 : s == S::kProcessing ? 1 : 2; };
  for (Kind kind : {Kind::kSocialMedia, Kind::kGame}) {
    for (S from : kAll) {
      for (S to : kAll) {
        if (!canTransition(kind, from, to)) continue;
        SCOPED_TRACE(std::string(toString(from)) + " -> " + std::string(toString(to)));
        EXPECT_GT(rank(to), rank(from));
      }
    }
  }
}

TEST(PlanTransition, CopiesIdentityAndTime) {
  const Order o = socialOrder(12500, 1000);
  auto t = planTransition(o, to(S::kProcessing), 1700000500);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->order_id, 42);
  EXPECT_EQ(t->account_id, 9);
  EXPECT_EQ(t->ref_id, "ref42");
  EXPECT_EQ(t->from, S::kWaiting);
  EXPECT_EQ(t->to, S::kProcessing);
  EXPECT_EQ(t->at, 1700000500);
  EXPECT_EQ(t->refund, Money{0});
  EXPECT_EQ(t->note, "old note");  // kept unless a new one is given
}

TEST(PlanTransition, NewNoteReplacesOld) {
  const Order o = socialOrder(12500, 1000);
  TransitionRequest r = to(S::kProcessing);
  r.note = "sent to provider";
  auto t = planTransition(o, r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->note, "sent to provider");
}

TEST(PlanTransition, ErrorRefundsTheWholeCharge) {
  const Order o = socialOrder(33500, 101);  // charge 3384
  ASSERT_EQ(o.charge, Money{3384});
  auto t = planTransition(o, to(S::kError), 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, Money{3384});
  EXPECT_EQ(t->remain, 101);

  const Order g = gameOrder(41975, S::kProcessing);
  t = planTransition(g, to(S::kError), 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, Money{41975});
}

TEST(PlanTransition, ErrorRefundsWhatWasActuallyCharged) {
  Order o = socialOrder(12500, 1000);
  o.charge = Money{11111};  // e.g. the price changed; the refund follows the debit
  auto t = planTransition(o, to(S::kError), 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, Money{11111});
}

TEST(PlanTransition, SuccessRefundsNothing) {
  const Order o = socialOrder(12500, 1000, S::kProcessing);
  TransitionRequest r = to(S::kSuccess);
  r.start_count = 350;
  auto t = planTransition(o, r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, Money{0});
  EXPECT_EQ(t->remain, 0);
  EXPECT_EQ(t->start_count, 350);
}

TEST(PlanTransition, PartialRefundWhereRoundingMatters) {
  // charge = ceil(33500 * 101 / 1000) = ceil(3383.5) = 3384.
  // Delivered 100 cost ceil(3350000 / 1000) = 3350, so the refund is 34.
  const Order o = socialOrder(33500, 101, S::kProcessing);
  TransitionRequest r = to(S::kPartial);
  r.remain = 1;
  auto t = planTransition(o, r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->remain, 1);
  EXPECT_EQ(t->refund, Money{34});
}

TEST(PlanTransition, PartialRefundIsChargeMinusDeliveredNotRemainPriced) {
  // unit 12500, qty 150: charge 1875. 75 delivered cost ceil(937.5) = 938, refund 937
  // (pricing the 75 undelivered units directly would give 938: one rupiah too many).
  Order o = socialOrder(12500, 150);
  ASSERT_EQ(o.charge, Money{1875});
  TransitionRequest r = to(S::kPartial);
  r.remain = 75;
  auto t = planTransition(o, r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, Money{937});

  // unit 333, qty 3: charge ceil(0.999) = 1; 2 delivered still cost 1, refund 0.
  o = socialOrder(333, 3);
  ASSERT_EQ(o.charge, Money{1});
  r.remain = 1;
  t = planTransition(o, r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, Money{0});
}

TEST(PlanTransition, PartialWithNothingDeliveredRefundsEverything) {
  const Order o = socialOrder(33500, 101);
  TransitionRequest r = to(S::kPartial);
  r.remain = 101;
  auto t = planTransition(o, r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->refund, o.charge);
}

TEST(PlanTransition, PartialRemainMustBeOneToQuantity) {
  const Order o = socialOrder(12500, 100);
  for (std::optional<std::int64_t> bad :
       {std::optional<std::int64_t>{}, std::optional<std::int64_t>{0}, std::optional<std::int64_t>{-1},
        std::optional<std::int64_t>{101}}) {
    TransitionRequest r = to(S::kPartial);
    r.remain = bad;
    auto t = planTransition(o, r, 1);
    ASSERT_FALSE(t.ok()) << (bad ? std::to_string(*bad) : "none");
    EXPECT_EQ(t.error().code, Errc::kInvalidArgument);
  }
  for (std::int64_t good : {1, 50, 100}) {
    TransitionRequest r = to(S::kPartial);
    r.remain = good;
    EXPECT_TRUE(planTransition(o, r, 1).ok()) << good;
  }
}

TEST(PlanTransition, RemainOnlyWithPartial) {
  const Order o = socialOrder(12500, 100);
  for (S s : {S::kProcessing, S::kSuccess, S::kError}) {
    TransitionRequest r = to(s);
    r.remain = 10;
    auto t = planTransition(o, r, 1);
    ASSERT_FALSE(t.ok()) << toString(s);
    EXPECT_EQ(t.error().code, Errc::kInvalidArgument);
  }
}

TEST(PlanTransition, VoucherOnlyForGames) {
  TransitionRequest r = to(S::kSuccess);
  r.voucher = "SN-123";
  auto t = planTransition(socialOrder(12500, 100), r, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kInvalidArgument);

  t = planTransition(gameOrder(41975), r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->voucher, "SN-123");
  EXPECT_EQ(t->refund, Money{0});
}

TEST(PlanTransition, StartCountOnlyForSocialMedia) {
  TransitionRequest r = to(S::kProcessing);
  r.start_count = 10;
  auto t = planTransition(gameOrder(41975), r, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kInvalidArgument);

  t = planTransition(socialOrder(12500, 100), r, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->start_count, 10);

  r.start_count = -1;
  t = planTransition(socialOrder(12500, 100), r, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kInvalidArgument);
}

TEST(PlanTransition, RemainForGameIsRefused) {
  TransitionRequest r = to(S::kError);
  r.remain = 1;
  auto t = planTransition(gameOrder(100), r, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kInvalidArgument);
}

TEST(PlanTransition, PartialForGameIsAConflict) {
  TransitionRequest r = to(S::kPartial);
  auto t = planTransition(gameOrder(100), r, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kConflict);
}

TEST(PlanTransition, FromAFinalStateIsAConflict) {
  for (S from : {S::kSuccess, S::kPartial, S::kError}) {
    for (S next : kAll) {
      Order o = socialOrder(12500, 100, from);
      TransitionRequest r = to(next);
      if (next == S::kPartial) r.remain = 1;
      auto t = planTransition(o, r, 1);
      ASSERT_FALSE(t.ok()) << toString(from) << "->" << toString(next);
      EXPECT_EQ(t.error().code, Errc::kConflict);
    }
  }
  // A second error after an error must never refund twice.
  auto t = planTransition(gameOrder(100, S::kError), to(S::kError), 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kConflict);
}

TEST(PlanTransition, BackToWaitingIsAConflict) {
  auto t = planTransition(socialOrder(12500, 100, S::kProcessing), to(S::kWaiting), 1);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::kConflict);
}

TEST(RefundFor, NeverExceedsTheChargeNorGoesNegative) {
  for (std::int64_t price : {1, 333, 999, 1000, 1001, 12500, 33500, 41975}) {
    for (std::int64_t qty : {1, 2, 3, 7, 101, 150, 1000}) {
      const Order o = socialOrder(price, qty);
      std::int64_t previous = -1;
      for (std::int64_t remain = 0; remain <= qty; ++remain) {
        const Money r = refundFor(o, S::kPartial, remain);
        EXPECT_GE(r.rupiah, 0) << price << " " << qty << " " << remain;
        EXPECT_LE(r, o.charge) << price << " " << qty << " " << remain;
        // What the customer keeps paying covers the delivered units at the order's price.
        EXPECT_EQ((o.charge - r), *perThousand(o.unit_price, qty - remain))
            << price << " " << qty << " " << remain;
        EXPECT_GE(r.rupiah, previous);  // more undelivered, never less refunded
        previous = r.rupiah;
      }
      EXPECT_EQ(refundFor(o, S::kError, qty), o.charge);
      EXPECT_EQ(refundFor(o, S::kSuccess, 0), Money{0});
      EXPECT_EQ(refundFor(o, S::kProcessing, qty), Money{0});
    }
  }
}

TEST(RefundFor, ChargeBelowDeliveredPriceRefundsZero) {
  Order o = socialOrder(12500, 1000);
  o.charge = Money{100};  // debited less than the units are worth: nothing to give back
  EXPECT_EQ(refundFor(o, S::kPartial, 10), Money{0});
  EXPECT_LE(refundFor(o, S::kPartial, 1000), o.charge);
}

}  // namespace
}  // namespace warung::domain
