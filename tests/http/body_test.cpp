#include "http/body.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warung::http {
namespace {

Params mustParse(std::string_view content_type, std::string_view body) {
  auto r = parseParams(content_type, body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
  return r.ok() ? std::move(r).value() : Params{};
}

Error mustFail(std::string_view content_type, std::string_view body) {
  auto r = parseParams(content_type, body);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{Errc::kInternal, "parsed unexpectedly"} : r.error();
}

// --- urlDecode ----------------------------------------------------------------

TEST(UrlDecode, PlainTextIsUnchanged) {
  auto r = urlDecode("abc-123_.~");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "abc-123_.~");
}

TEST(UrlDecode, PlusIsSpaceAndEscapedPlusIsPlus) {
  auto r = urlDecode("a+b%2Bc%2bd");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "a b+c+d");
}

TEST(UrlDecode, HexEitherCaseAndUtf8) {
  auto r = urlDecode("%e2%82%AC%41");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r,
            "\xe2\x82\xac"
            "A");
}

TEST(UrlDecode, EscapedNulIsKept) {
  auto r = urlDecode("a%00b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, std::string("a\0b", 3));
}

TEST(UrlDecode, BadEscapesAreRefused) {
  for (std::string_view bad : {"%", "%4", "a%zz", "%g1", "abc%", "%%41"}) {
    auto r = urlDecode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
    EXPECT_EQ(r.error().detail, "malformed percent-escape in form body");
  }
}

// --- form-urlencoded ----------------------------------------------------------

TEST(FormBody, NamesAndValuesAreDecoded) {
  auto p = mustParse("application/x-www-form-urlencoded", "key=abc&action=order&target=0812+3456%2B7");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.get("key"), "abc");
  EXPECT_EQ(p.get("action"), "order");
  EXPECT_EQ(p.get("target"), "0812 3456+7");
  EXPECT_EQ(p.get("missing"), std::nullopt);
}

TEST(FormBody, EmptyContentTypeIsForm) {
  auto p = mustParse("", "a=1");
  EXPECT_EQ(p.get("a"), "1");
}

TEST(FormBody, ContentTypeIsCaseInsensitiveWithParameters) {
  auto p = mustParse("Application/X-WWW-Form-Urlencoded ; charset=UTF-8", "a=1");
  EXPECT_EQ(p.get("a"), "1");
}

TEST(FormBody, EmptyBodyGivesNoParams) {
  EXPECT_EQ(mustParse("application/x-www-form-urlencoded", "").size(), 0u);
}

TEST(FormBody, EmptyPiecesAreSkippedAndBareNamesHaveEmptyValue) {
  auto p = mustParse("", "&&a=1&&flag&b=&");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.get("a"), "1");
  EXPECT_EQ(p.get("flag"), "");
  EXPECT_EQ(p.get("b"), "");
}

TEST(FormBody, ValueMayContainEquals) {
  auto p = mustParse("", "sign=abc==");
  EXPECT_EQ(p.get("sign"), "abc==");
}

TEST(FormBody, EncodedNames) {
  auto p = mustParse("", "a%5Bb%5D=1&x+y=2");
  EXPECT_EQ(p.get("a[b]"), "1");
  EXPECT_EQ(p.get("x y"), "2");
}

TEST(FormBody, DuplicateNamesKeepAllAndGetReturnsFirst) {
  auto p = mustParse("", "a=1&a=2");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.get("a"), "1");
  EXPECT_EQ(p.value(1), "2");
}

// Handlers take views of the parameters and may move the Params after: the views
// must stay valid, also for a request whose parameters would fit inline in a string.
TEST(FormBody, ViewsSurviveMovingTheParams) {
  auto p = mustParse("", "a=1&b=%32");
  const std::string_view a = *p.get("a");
  const std::string_view b = *p.get("b");
  const Params moved = std::move(p);
  EXPECT_EQ(a, "1");
  EXPECT_EQ(b, "2");
  EXPECT_EQ(a.data(), moved.get("a")->data());
  EXPECT_EQ(moved.name(1), "b");
}

TEST(FormBody, BadEscapeIsInvalidArgument) {
  auto e = mustFail("application/x-www-form-urlencoded", "a=%zz");
  EXPECT_EQ(e.code, Errc::kInvalidArgument);
  EXPECT_EQ(e.detail, "malformed percent-escape in form body");
  EXPECT_EQ(mustFail("", "%4=1").code, Errc::kInvalidArgument);
}

// --- multipart ----------------------------------------------------------------

std::string multipartBody(std::string_view boundary) {
  std::string b = "--";
  b += boundary;
  return b +
         "\r\n"
         "Content-Disposition: form-data; name=\"key\"\r\n"
         "\r\n"
         "abc\r\n" +
         b + "\r\n" +
         "content-disposition: form-data; name=\"note\"\r\n"
         "Content-Type: text/plain\r\n"
         "\r\n"
         "line1\r\nline2\r\n\r\n" +
         b + "\r\n" +
         "Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n"
         "\r\n"
         "file-data\r\n" +
         b + "--\r\n";
}

TEST(MultipartBody, PartsAreParsed) {
  auto p = mustParse("multipart/form-data; boundary=XyZ123", multipartBody("XyZ123"));
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.get("key"), "abc");
  // CRLFs inside content are kept; only the CRLF before the delimiter is dropped.
  EXPECT_EQ(p.get("note"), "line1\r\nline2\r\n");
  EXPECT_EQ(p.get("upload"), "file-data");
}

TEST(MultipartBody, QuotedBoundaryWithSpecialCharacters) {
  auto p = mustParse("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"", multipartBody("a b;c"));
  EXPECT_EQ(p.get("key"), "abc");
}

TEST(MultipartBody, PreambleAndEpilogueAreIgnored) {
  const std::string body = "this is a preamble\r\n" + multipartBody("B") + "epilogue";
  auto p = mustParse("multipart/form-data; boundary=B", body);
  EXPECT_EQ(p.get("key"), "abc");
}

TEST(MultipartBody, EmptyValueAndNoFinalCrlf) {
  const std::string body = "--B\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--B--";
  auto p = mustParse("multipart/form-data; boundary=B", body);
  EXPECT_EQ(p.get("empty"), "");
}

TEST(MultipartBody, BoundaryLookalikeInsideContentIsContent) {
  // "--B" not preceded by CRLF is not a delimiter.
  const std::string body = "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nfoo--Bar\r\n--B--\r\n";
  auto p = mustParse("multipart/form-data; boundary=B", body);
  EXPECT_EQ(p.get("x"), "foo--Bar");
}

TEST(MultipartBody, MissingBoundaryParameter) {
  auto e = mustFail("multipart/form-data", multipartBody("B"));
  EXPECT_EQ(e.code, Errc::kInvalidArgument);
  EXPECT_EQ(e.detail, "multipart body without boundary");
  EXPECT_EQ(mustFail("multipart/form-data; boundary=\"\"", "").detail, "multipart body without boundary");
}

TEST(MultipartBody, MissingClosingBoundary) {
  const std::string body = "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n";
  auto e = mustFail("multipart/form-data; boundary=B", body);
  EXPECT_EQ(e.code, Errc::kInvalidArgument);
  EXPECT_EQ(e.detail, "malformed multipart body");
}

TEST(MultipartBody, WrongBoundaryIsMalformed) {
  EXPECT_EQ(mustFail("multipart/form-data; boundary=Other", multipartBody("B")).detail,
            "malformed multipart body");
}

TEST(MultipartBody, BareLfIsMalformed) {
  const std::string body = "--B\nContent-Disposition: form-data; name=\"x\"\n\nvalue\n--B--\n";
  EXPECT_EQ(mustFail("multipart/form-data; boundary=B", body).detail, "malformed multipart body");
}

TEST(MultipartBody, PartWithoutNameIsRefused) {
  const std::string body = "--B\r\nContent-Type: text/plain\r\n\r\nvalue\r\n--B--\r\n";
  EXPECT_EQ(mustFail("multipart/form-data; boundary=B", body).code, Errc::kInvalidArgument);
}

// --- JSON ---------------------------------------------------------------------

TEST(JsonBody, StringsNumbersAndBooleans) {
  auto p = mustParse("application/json",
                     R"({"key":"abc","service":42,"neg":-7,"big":18446744073709551615,)"
                     R"("price":100.0,"rate":1.5,"yes":true,"no":false,"gone":null,"s":"a\"b"})");
  EXPECT_EQ(p.get("key"), "abc");
  EXPECT_EQ(p.get("service"), "42");
  EXPECT_EQ(p.get("neg"), "-7");
  EXPECT_EQ(p.get("big"), "18446744073709551615");
  EXPECT_EQ(p.get("price"), "100");
  EXPECT_EQ(p.get("rate"), "1.5");
  EXPECT_EQ(p.get("yes"), "true");
  EXPECT_EQ(p.get("no"), "false");
  EXPECT_EQ(p.get("gone"), std::nullopt);
  EXPECT_EQ(p.get("s"), "a\"b");
  EXPECT_EQ(p.size(), 9u);
}

TEST(JsonBody, JsonVariantsAreAccepted) {
  EXPECT_EQ(mustParse("text/json", R"({"a":1})").get("a"), "1");
  EXPECT_EQ(mustParse("application/vnd.api+json; charset=utf-8", R"({"a":1})").get("a"), "1");
  EXPECT_EQ(mustParse("APPLICATION/JSON", R"({"a":"x"})").get("a"), "x");
}

TEST(JsonBody, NestedValuesAreRefused) {
  auto e = mustFail("application/json", R"({"a":1,"list":[1,2]})");
  EXPECT_EQ(e.code, Errc::kInvalidArgument);
  EXPECT_EQ(e.detail, "parameter 'list' must be a string or number");
  EXPECT_EQ(mustFail("application/json", R"({"obj":{}})").detail,
            "parameter 'obj' must be a string or number");
}

TEST(JsonBody, InvalidJson) {
  auto e = mustFail("application/json", R"({"a":)");
  EXPECT_EQ(e.code, Errc::kInvalidArgument);
  EXPECT_EQ(e.detail.rfind("body is not valid JSON: ", 0), 0u) << e.detail;
  EXPECT_EQ(mustFail("application/json", "").code, Errc::kInvalidArgument);
}

TEST(JsonBody, NonObjectIsRefused) {
  for (std::string_view body : {"[1]", "\"s\"", "3", "null"}) {
    auto e = mustFail("application/json", body);
    EXPECT_EQ(e.detail, "JSON body must be an object") << body;
  }
}

TEST(JsonBody, EmptyObject) { EXPECT_EQ(mustParse("application/json", "{}").size(), 0u); }

TEST(JsonBody, LargeBodyBeyondScratchBuffer) {
  std::string body = "{";
  for (int i = 0; i < 500; ++i) {
    if (i) body += ",";
    body += "\"k" + std::to_string(i) + "\":\"" + std::string(20, 'v') + "\"";
  }
  body += "}";
  auto p = mustParse("application/json", body);
  EXPECT_EQ(p.size(), 500u);
  EXPECT_EQ(p.get("k499"), std::string(20, 'v'));
}

// --- other types --------------------------------------------------------------

TEST(ParseParams, UnsupportedContentType) {
  auto e = mustFail("text/plain; charset=utf-8", "a=1");
  EXPECT_EQ(e.code, Errc::kInvalidArgument);
  EXPECT_EQ(e.detail, "unsupported content type 'text/plain'; use form, multipart or JSON");
}

}  // namespace
}  // namespace warung::http
