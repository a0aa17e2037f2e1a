// Error codes to HTTP and the JSON envelope (API-NOTES "Transport").
#include "api/errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace warung::api {
namespace {

namespace json = boost::json;

std::vector<std::string> keysOf(const json::object& o) {
  std::vector<std::string> k;
  for (const auto& kv : o) k.emplace_back(kv.key());
  return k;
}

TEST(HttpStatus, EveryCodeHasItsStatus) {
  EXPECT_EQ(httpStatus(Errc::kInvalidArgument), 400u);
  EXPECT_EQ(httpStatus(Errc::kUnauthenticated), 401u);
  EXPECT_EQ(httpStatus(Errc::kInsufficientBalance), 402u);
  EXPECT_EQ(httpStatus(Errc::kForbidden), 403u);
  EXPECT_EQ(httpStatus(Errc::kNotFound), 404u);
  EXPECT_EQ(httpStatus(Errc::kMethodNotAllowed), 405u);
  EXPECT_EQ(httpStatus(Errc::kTimeout), 408u);
  EXPECT_EQ(httpStatus(Errc::kConflict), 409u);
  EXPECT_EQ(httpStatus(Errc::kPayloadTooLarge), 413u);
  EXPECT_EQ(httpStatus(Errc::kUnprocessable), 422u);
  EXPECT_EQ(httpStatus(Errc::kUnavailable), 503u);
  EXPECT_EQ(httpStatus(Errc::kOverloaded), 503u);
  EXPECT_EQ(httpStatus(Errc::kInternal), 500u);
}

TEST(ErrorResponse, EnvelopeKeyOrderAndTypes) {
  const http::Response r = errorResponse(makeError(Errc::kNotFound, "service '999' not found"), false);
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.content_type, "application/json");
  const json::value v = json::parse(r.body);
  const json::object& o = v.as_object();
  EXPECT_EQ(keysOf(o), (std::vector<std::string>{"code", "data", "status", "message"}));
  ASSERT_TRUE(o.at("code").is_int64());
  EXPECT_EQ(o.at("code").as_int64(), 404);
  EXPECT_TRUE(o.at("data").is_null());
  ASSERT_TRUE(o.at("status").is_bool());
  EXPECT_FALSE(o.at("status").as_bool());
  ASSERT_TRUE(o.at("message").is_string());
  EXPECT_EQ(o.at("message").as_string(), "service '999' not found");
}

TEST(ErrorResponse, StatusEqualsCodeForEveryError) {
  for (Errc c :
       {Errc::kInvalidArgument, Errc::kUnauthenticated, Errc::kForbidden, Errc::kNotFound,
        Errc::kMethodNotAllowed, Errc::kInsufficientBalance, Errc::kConflict, Errc::kUnprocessable,
        Errc::kUnavailable, Errc::kOverloaded, Errc::kPayloadTooLarge, Errc::kTimeout, Errc::kInternal}) {
    const http::Response r = errorResponse(makeError(c, "why"), false);
    EXPECT_EQ(r.status, httpStatus(c));
    const json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("code").as_int64(), static_cast<std::int64_t>(httpStatus(c)));
    EXPECT_FALSE(v.at("status").as_bool());
    EXPECT_TRUE(v.at("data").is_null());
  }
}

TEST(ErrorResponse, MessageIsEscaped) {
  const http::Response r = errorResponse(makeError(Errc::kUnprocessable, "Link \"x\"\nmust be </p>"), false);
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("message").as_string(), "Link \"x\"\nmust be </p>");
}

TEST(ErrorResponse, InternalHidesItsDetail) {
  const http::Response r =
      errorResponse(makeError(Errc::kInternal, "sqlite: disk I/O error at /var/lib/warung/db"), false);
  EXPECT_EQ(r.status, 500u);
  EXPECT_THAT(r.body, ::testing::Not(::testing::HasSubstr("sqlite")));
  EXPECT_THAT(r.body, ::testing::Not(::testing::HasSubstr("warung")));
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("code").as_int64(), 500);
  EXPECT_FALSE(v.at("message").as_string().empty());
}

TEST(ErrorResponse, Always200KeepsTheRealCodeInTheBody) {
  const http::Response r = errorResponse(makeError(Errc::kInsufficientBalance, "balance too low"), true);
  EXPECT_EQ(r.status, 200u);
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("code").as_int64(), 402);
  EXPECT_FALSE(v.at("status").as_bool());
  EXPECT_EQ(v.at("message").as_string(), "balance too low");

  const http::Response internal = errorResponse(makeError(Errc::kInternal, "secret"), true);
  EXPECT_EQ(internal.status, 200u);
  EXPECT_EQ(json::parse(internal.body).at("code").as_int64(), 500);
  EXPECT_THAT(internal.body, ::testing::Not(::testing::HasSubstr("secret")));
}

TEST(SuccessResponse, EnvelopeKeyOrder) {
  const http::Response r = successResponse(R"([{"a":1}])", "Success.");
  EXPECT_EQ(r.status, 200u);
  const json::value v = json::parse(r.body);
  EXPECT_EQ(keysOf(v.as_object()), (std::vector<std::string>{"code", "data", "status", "message"}));
  EXPECT_EQ(v.at("code").as_int64(), 200);
  EXPECT_TRUE(v.at("status").as_bool());
  EXPECT_EQ(v.at("message").as_string(), "Success.");
  EXPECT_EQ(json::serialize(v.at("data")), R"([{"a":1}])");
}

TEST(SuccessResponse, OrderMessageFromTheDocuments) {
  std::string out;
  appendSuccessEnvelope(
      out, "{}", "Thank you for purchasing the product, please wait for the transaction to be processed.");
  const json::value v = json::parse(out);
  EXPECT_EQ(v.at("message").as_string(),
            "Thank you for purchasing the product, please wait for the transaction to be processed.");
  EXPECT_TRUE(v.at("data").as_object().empty());
}

}  // namespace
}  // namespace warung::api
