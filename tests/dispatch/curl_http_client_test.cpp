#include <gtest/gtest.h>

#include <string>

#include "dispatch/http_client.hpp"
#include "dispatch/support.hpp"

namespace warung::dispatch {
namespace {

using namespace std::chrono_literals;
using testing::CannedServer;

HttpRequest requestTo(const std::string& url, std::chrono::milliseconds timeout = 5s) {
  HttpRequest r;
  r.url = url;
  r.body = "a=1";
  r.timeout = timeout;
  return r;
}

TEST(FormEncode, EscapesReservedAndNonAscii) {
  EXPECT_EQ(formEncode({{"a b", "x&y=z/\xC3\xA9"}, {"k", "A-z_0.9~"}}), "a+b=x%26y%3Dz%2F%C3%A9&k=A-z_0.9~");
  EXPECT_EQ(formEncode({}), "");
  EXPECT_EQ(formEncode({{"empty", ""}}), "empty=");
}

TEST(CurlHttpClient, PostsBodyAndHeadersAndReturnsTheReply) {
  CannedServer server([](const CannedServer::Seen&) { return CannedServer::reply(200, R"({"ok":true})"); });
  auto client = makeCurlHttpClient();
  HttpRequest req = requestTo(server.url("/api/v2"));
  req.body = formEncode({{"key", "k"}, {"action", "balance"}});
  req.headers = {{"X-Test", "yes"}};
  auto r = client->post(req);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/api/v2");
  EXPECT_EQ(seen[0].body, "key=k&action=balance");
  EXPECT_EQ(seen[0].content_type, "application/x-www-form-urlencoded");
  bool found = false;
  for (const auto& [n, v] : seen[0].headers) found = found || (n == "X-Test" && v == "yes");
  EXPECT_TRUE(found);
}

TEST(CurlHttpClient, ServerErrorsAndRedirectsAreReplies) {
  CannedServer server([](const CannedServer::Seen& s) {
    if (s.target == "/redirect") return CannedServer::reply(302, "", "Location: /elsewhere\r\n");
    return CannedServer::reply(503, "busy");
  });
  auto client = makeCurlHttpClient();
  auto r = client->post(requestTo(server.url("/x")));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
  auto redirect = client->post(requestTo(server.url("/redirect")));
  ASSERT_TRUE(redirect.ok()) << redirect.error().detail;
  EXPECT_EQ(redirect->status, 302);  // not followed
  EXPECT_EQ(server.seen().size(), 2u);
}

TEST(CurlHttpClient, SlowServerIsTimeout) {
  CannedServer slow([&slow](const CannedServer::Seen&) -> std::optional<std::string> {
    slow.wait(30s);
    return std::nullopt;
  });
  auto client = makeCurlHttpClient();
  auto r = client->post(requestTo(slow.url(), 200ms));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kTimeout);
}

TEST(CurlHttpClient, ConnectionClosedWithoutAnswerIsOutcomeUnknown) {
  CannedServer server([](const CannedServer::Seen&) -> std::optional<std::string> { return std::nullopt; });
  auto client = makeCurlHttpClient();
  auto r = client->post(requestTo(server.url()));
  ASSERT_FALSE(r.ok());
  // The request arrived: never kUnavailable, which would allow a second send.
  EXPECT_EQ(r.error().code, Errc::kTimeout);
  EXPECT_EQ(server.seen().size(), 1u);
}

TEST(CurlHttpClient, ConnectionRefusedIsUnavailable) {
  auto client = makeCurlHttpClient();
  auto r = client->post(requestTo("http://127.0.0.1:" + std::to_string(testing::closedPort()) + "/api"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::kUnavailable) << r.error().detail;
}

TEST(CurlHttpClient, MalformedOrUnsupportedUrlIsInvalidArgument) {
  auto client = makeCurlHttpClient();
  for (const char* url : {"http://[::1", "ftp://127.0.0.1/x", "", "gopher://example"}) {
    auto r = client->post(requestTo(url));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << url << ": " << r.error().detail;
  }
}

TEST(CurlHttpClient, AnswerOverTheCapIsPayloadTooLarge) {
  const std::string big(5000, 'x');
  CannedServer server([&](const CannedServer::Seen& s) -> std::optional<std::string> {
    if (s.target == "/chunked") {
      // No Content-Length: only the running count can stop it.
      std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
      for (int i = 0; i < 5; ++i) out += "3e8\r\n" + std::string(1000, 'y') + "\r\n";
      return out + "0\r\n\r\n";
    }
    return CannedServer::reply(200, big);
  });
  auto client = makeCurlHttpClient();
  for (const char* path : {"/sized", "/chunked"}) {
    HttpRequest req = requestTo(server.url(path));
    req.max_response_bytes = 4096;
    auto r = client->post(req);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.error().code, Errc::kPayloadTooLarge) << path << ": " << r.error().detail;
  }
  HttpRequest fits = requestTo(server.url("/sized"));
  fits.max_response_bytes = 5000;
  auto r = client->post(fits);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->body.size(), 5000u);
}

TEST(CurlHttpClient, HandleIsReusableAfterAnError) {
  CannedServer server([](const CannedServer::Seen&) { return CannedServer::reply(200, "fine"); });
  auto client = makeCurlHttpClient();
  EXPECT_FALSE(client->post(requestTo("http://[::1")).ok());
  EXPECT_FALSE(client->post(requestTo("http://127.0.0.1:" + std::to_string(testing::closedPort()))).ok());
  auto r = client->post(requestTo(server.url()));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->body, "fine");
}

}  // namespace
}  // namespace warung::dispatch
