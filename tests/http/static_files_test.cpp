// StaticFiles: loading a directory (symlinks, the size cap, a missing build) and the
// answers (content types, the single-page-app fallback, refused paths, methods,
// caching, ETag/304, gzip, security headers), without a socket.
#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "http/support.hpp"
#include "support/temp_dir.hpp"

namespace warung::http {
namespace {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;
using testing::gunzip;
using warung::testing::TempDir;

void writeFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::string bodyOf(const Response& r) { return r.shared_body ? *r.shared_body : r.body; }

Request request(std::string target, std::vector<std::pair<bhttp::field, std::string>> headers = {},
                bhttp::verb method = bhttp::verb::get) {
  Request req{method, target, 11};
  for (const auto& [k, v] : headers) req.set(k, v);
  return req;
}

constexpr const char* kIndexHtml =
    "<!doctype html><title>console</title><script src=/assets/app-1a2b.js></script>";

// A console build: index.html and hashed assets, the way the web build lays them out.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "console";
    writeFile(root_ / "index.html", kIndexHtml);
    app_js_.clear();
    for (int i = 0; i < 200; ++i)
      app_js_ += "export function f" + std::to_string(i) + "() { return 'orders'; }\n";
    writeFile(root_ / "assets/app-1a2b.js", app_js_);
    writeFile(root_ / "assets/app-1a2b.css", "body{margin:0}");
    writeFile(root_ / "favicon.ico", std::string(64, '\0'));
  }

  StaticFiles loaded(const StaticFilesConfig& config = {}) {
    auto files = StaticFiles::load(root_, config);
    if (!files) throw std::runtime_error(files.error().detail);
    return std::move(files).value();
  }

  static void expectSecurityHeaders(const Response& r, const std::string& what) {
    EXPECT_EQ(
        header(r, "Content-Security-Policy"),
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        << what;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(header(r, "X-Frame-Options"), "DENY") << what;
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer") << what;
  }

  TempDir dir_;
  fs::path root_;
  std::string app_js_;
};

TEST_F(StaticFilesTest, ContentTypeFollowsTheExtension) {
  const std::vector<std::pair<std::string, std::string>> kTypes{
      {"a.html", "text/html; charset=utf-8"},
      {"a.js", "text/javascript; charset=utf-8"},
      {"a.mjs", "text/javascript; charset=utf-8"},
      {"a.css", "text/css; charset=utf-8"},
      {"a.svg", "image/svg+xml"},
      {"a.png", "image/png"},
      {"a.ico", "image/x-icon"},
      {"a.woff2", "font/woff2"},
      {"a.json", "application/json"},
      {"a.js.map", "application/json"},
      {"a.txt", "text/plain; charset=utf-8"},
      {"A.PNG", "image/png"},
      {"a.bin", "application/octet-stream"},
      {"LICENSE", "application/octet-stream"},
  };
  for (const auto& [name, type] : kTypes) writeFile(root_ / "assets" / name, "x");
  const StaticFiles files = loaded();
  for (const auto& [name, type] : kTypes) {
    const Response r = files.answer(request("/assets/" + name));
    EXPECT_EQ(r.status, 200u) << name;
    EXPECT_EQ(r.content_type, type) << name;
    EXPECT_EQ(bodyOf(r), "x") << name;
  }
}

TEST_F(StaticFilesTest, RootAndTheApplicationsRoutesAnswerIndexHtml) {
  const StaticFiles files = loaded();
  for (const std::string target : {"/", "/index.html", "/orders/ABC123", "/orders/ABC123?tab=events",
                                   "/accounts/", "//orders//X", "/admin"}) {
    const Response r = files.answer(request(target));
    EXPECT_EQ(r.status, 200u) << target;
    EXPECT_EQ(bodyOf(r), kIndexHtml) << target;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << target;
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache") << target;
    expectSecurityHeaders(r, target);
  }
}

TEST_F(StaticFilesTest, MissingFileWithAnExtensionIs404NotIndexHtml) {
  const StaticFiles files = loaded();
  for (const std::string target : {"/assets/app-0000.js", "/missing.png", "/orders/x.json"}) {
    const Response r = files.answer(request(target));
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(r.content_type, "text/plain; charset=utf-8") << target;
    EXPECT_EQ(header(r, "Cache-Control"), "no-store") << target;
    expectSecurityHeaders(r, target);
  }
}

TEST_F(StaticFilesTest, PathsLeavingTheDirectoryOrMalformedAreRefused) {
  writeFile(dir_.path() / "secret.txt", "the secret");  // beside the console directory
  const StaticFiles files = loaded();
  for (const std::string target :
       {"/../etc/passwd", "/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/", "/%2E%2E/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%00", "/index.html%00.js", "/a%zz", "/a%2",
        "/a%", "relative/index.html", "http://host/index.html", ""}) {
    const Response r = files.answer(request(target));
    EXPECT_EQ(r.status, 400u) << target;
    EXPECT_EQ(bodyOf(r), "bad path\n") << target;
    expectSecurityHeaders(r, target);
  }
  // Percent-encoding of harmless characters is decoded, and "." segments are dropped.
  writeFile(root_ / "assets/a b.css", "spaced");
  const StaticFiles again = loaded();
  EXPECT_EQ(bodyOf(again.answer(request("/assets/a%20b.css"))), "spaced");
  EXPECT_EQ(bodyOf(again.answer(request("/%61ssets/./a%20b.css"))), "spaced");
}

TEST_F(StaticFilesTest, OnlyGetAndHeadAreAllowed) {
  const StaticFiles files = loaded();
  for (const auto method :
       {bhttp::verb::post, bhttp::verb::put, bhttp::verb::delete_, bhttp::verb::options}) {
    const Response r = files.answer(request("/", {}, method));
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
    expectSecurityHeaders(r, "405");
  }
  // HEAD answers as GET does; the server drops the body on the wire.
  const Response head = files.answer(request("/assets/app-1a2b.css", {}, bhttp::verb::head));
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(bodyOf(head), "body{margin:0}");
}

TEST_F(StaticFilesTest, AssetsAreImmutableEverythingElseRevalidates) {
  const StaticFiles files = loaded();
  EXPECT_EQ(header(files.answer(request("/assets/app-1a2b.js")), "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(header(files.answer(request("/assets/app-1a2b.css")), "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(header(files.answer(request("/favicon.ico")), "Cache-Control"), "no-cache");
  EXPECT_EQ(header(files.answer(request("/")), "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, MatchingIfNoneMatchIs304WithoutABody) {
  const StaticFiles files = loaded();
  const Response first = files.answer(request("/"));
  const std::string etag = header(first, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_NE(header(files.answer(request("/assets/app-1a2b.css")), "ETag"), etag);

  for (const std::string& inm : std::vector<std::string>{etag, "W/" + etag, "\"other\", " + etag, "*"}) {
    const Response r = files.answer(request("/", {{bhttp::field::if_none_match, inm}}));
    EXPECT_EQ(r.status, 304u) << inm;
    EXPECT_EQ(bodyOf(r), "") << inm;
    EXPECT_EQ(header(r, "ETag"), etag) << inm;
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache") << inm;
    expectSecurityHeaders(r, "304");
  }
  const Response changed = files.answer(request("/", {{bhttp::field::if_none_match, "\"an older build\""}}));
  EXPECT_EQ(changed.status, 200u);
  EXPECT_EQ(bodyOf(changed), kIndexHtml);
}

TEST_F(StaticFilesTest, GzipWhenAcceptedAndSmaller) {
  writeFile(root_ / "assets/logo.png", std::string(4000, 'p'));  // compressible bytes, but a png
  const StaticFiles files = loaded();

  const Response gz =
      files.answer(request("/assets/app-1a2b.js", {{bhttp::field::accept_encoding, "gzip, br"}}));
  EXPECT_EQ(gz.status, 200u);
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header(gz, "Vary"), "Accept-Encoding");
  EXPECT_LT(bodyOf(gz).size(), app_js_.size());
  EXPECT_EQ(gunzip(bodyOf(gz)), app_js_);
  EXPECT_EQ(gz.content_type, "text/javascript; charset=utf-8");

  for (const std::string ae : {"", "identity", "gzip;q=0"}) {
    const Response plain =
        files.answer(request("/assets/app-1a2b.js", {{bhttp::field::accept_encoding, ae}}));
    EXPECT_EQ(header(plain, "Content-Encoding"), "") << ae;
    EXPECT_EQ(header(plain, "Vary"), "Accept-Encoding") << ae;
    EXPECT_EQ(bodyOf(plain), app_js_) << ae;
    // Two representations, two validators; each revalidates to 304.
    EXPECT_NE(header(plain, "ETag"), header(gz, "ETag")) << ae;
  }
  EXPECT_EQ(files
                .answer(request("/assets/app-1a2b.js", {{bhttp::field::accept_encoding, "gzip"},
                                                        {bhttp::field::if_none_match, header(gz, "ETag")}}))
                .status,
            304u);

  // Already compressed formats, and files gzip would not shrink, go as they are.
  const Response png = files.answer(request("/assets/logo.png", {{bhttp::field::accept_encoding, "gzip"}}));
  EXPECT_EQ(header(png, "Content-Encoding"), "");
  EXPECT_EQ(header(png, "Vary"), "");
  const Response tiny =
      files.answer(request("/assets/app-1a2b.css", {{bhttp::field::accept_encoding, "gzip"}}));
  EXPECT_EQ(header(tiny, "Content-Encoding"), "");
  EXPECT_EQ(bodyOf(tiny), "body{margin:0}");
}

TEST_F(StaticFilesTest, BodiesAreSharedNotCopied) {
  const StaticFiles files = loaded();
  const Response a = files.answer(request("/assets/app-1a2b.js"));
  const Response b = files.answer(request("/assets/app-1a2b.js"));
  ASSERT_TRUE(a.shared_body);
  EXPECT_EQ(a.shared_body.get(), b.shared_body.get());
}

TEST_F(StaticFilesTest, TotalSizeIsCapped) {
  const std::size_t total = std::string(kIndexHtml).size() + app_js_.size() + 14 + 64;
  EXPECT_EQ(loaded({.max_total_bytes = total}).totalBytes(), total);
  EXPECT_EQ(loaded().fileCount(), 4u);

  auto over = StaticFiles::load(root_, {.max_total_bytes = total - 1});
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::kPayloadTooLarge);
  EXPECT_NE(over.error().detail.find(std::to_string(total - 1) + " bytes"), std::string::npos)
      << over.error().detail;
}

TEST_F(StaticFilesTest, SymlinksInsideAreServedLeavingTheDirectoryIsRefused) {
  fs::create_symlink(root_ / "assets/app-1a2b.css", root_ / "style.css");
  EXPECT_EQ(bodyOf(loaded().answer(request("/style.css"))), "body{margin:0}");

  writeFile(dir_.path() / "secret.txt", "the secret");
  fs::create_symlink(dir_.path() / "secret.txt", root_ / "assets/leak.txt");
  auto leaking = StaticFiles::load(root_);
  ASSERT_FALSE(leaking);
  EXPECT_EQ(leaking.error().code, Errc::kInvalidArgument);
  EXPECT_NE(leaking.error().detail.find("leak.txt"), std::string::npos) << leaking.error().detail;
  EXPECT_NE(leaking.error().detail.find("outside"), std::string::npos) << leaking.error().detail;
  fs::remove(root_ / "assets/leak.txt");

  fs::create_directory_symlink(dir_.path(), root_ / "up");
  auto up = StaticFiles::load(root_);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.error().code, Errc::kInvalidArgument);
  fs::remove(root_ / "up");
  // Directory symlinks are not followed even inside: one rule, no cycles to guard.
  fs::create_directory_symlink(root_ / "assets", root_ / "static");
  auto linked_dir = StaticFiles::load(root_);
  ASSERT_FALSE(linked_dir);
  EXPECT_NE(linked_dir.error().detail.find("symlinked directory"), std::string::npos)
      << linked_dir.error().detail;
  fs::remove(root_ / "static");

  fs::create_symlink(root_ / "nowhere", root_ / "broken.js");
  EXPECT_FALSE(StaticFiles::load(root_));
}

TEST_F(StaticFilesTest, NotBuiltIsNotFoundOtherProblemsAreInvalid) {
  auto missing = StaticFiles::load(dir_.path() / "no-such-dir");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_NE(missing.error().detail.find("no-such-dir"), std::string::npos);

  fs::create_directories(dir_.path() / "empty/assets");
  auto empty = StaticFiles::load(dir_.path() / "empty");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::kNotFound);
  EXPECT_NE(empty.error().detail.find("index.html"), std::string::npos);

  auto file = StaticFiles::load(root_ / "index.html");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, Errc::kInvalidArgument);
}

TEST(StaticFilesText, CarriesTheSecurityHeadersAndIsNotCached) {
  const Response r = StaticFiles::text(503, "not built\n");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body, "not built\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_NE(header(r, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
}

}  // namespace
}  // namespace warung::http
