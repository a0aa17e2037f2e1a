#pragma once
// The files of a browser application (the operator's console: index.html and
// content-hashed assets/), read into memory once and answered from there.
//
// Loading: every regular file under the directory, recursively, up to a cap on their
// total size. A symlink is followed only to a file inside the directory; one leading
// outside it, a symlinked directory, or anything but a regular file (a FIFO, a socket)
// refuses the whole directory. Each compressible file (html, js, css, svg, json, map,
// txt, ico) also gets a gzip version, kept when smaller. The files are not read again:
// a rebuilt console is served after a restart.
//
// Answers (answer()), for GET and HEAD; the request's path maps to a file's path under
// the directory ("/" is index.html, the query is ignored):
//   the file exists                 200 (304 when If-None-Match names its ETag)
//   no file, last segment has no    200 index.html: the application's own routes
//   extension ("/orders/ABC123")        (a single-page app) reload to its page
//   no file otherwise               404 text
//   path unusable: bad %-encoding,  400 text; no file outside the directory can be
//   NUL, a ".." segment                 named, and nothing is read from disk anyway
//   another method                  405 text, Allow: GET, HEAD
// Caching: Cache-Control "public, max-age=31536000, immutable" for files under
// assets/ (their names carry content hashes), "no-cache" for the rest (index.html
// is revalidated by ETag on every load). ETag: a hash of the bytes sent. The gzip
// version is sent when Accept-Encoding allows it (Content-Encoding: gzip, Vary:
// Accept-Encoding). Content-Type by extension; unknown: application/octet-stream.
// Every answer, text() included, carries kSecurityHeaders.
//
// Bodies are shared with the answers (Response::shared_body), never copied. A loaded
// StaticFiles is immutable: answer() may be called from any thread.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/result.hpp"
#include "http/server.hpp"

namespace warung::http {

// A page served from these files may load scripts, styles, images and fonts from its
// own origin only (plus inline styles and data: images), and may not be framed.
inline constexpr std::pair<std::string_view, std::string_view> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

struct StaticFilesConfig {
  std::size_t max_total_bytes = 32 << 20;  // the files' own sizes, summed (gzip not counted)
};

class StaticFiles {
 public:
  // Reads `dir`. Errors: kNotFound when `dir` does not exist or has no index.html (an
  // application not built yet); kPayloadTooLarge when the files
  // total more than config.max_total_bytes; kInvalidArgument for a path that is not a
  // directory, a symlink leading outside it, a symlinked directory or a file that is
  // not regular; kInternal when a file cannot be read. `detail` names the path.
  static Result<StaticFiles> load(const std::filesystem::path& dir, const StaticFilesConfig& config = {});

  // The answer to `req` (see the table above). The body of a HEAD answer is the GET
  // answer's; the server sends only its length.
  Response answer(const Request& req) const;

  // A short text/plain answer with kSecurityHeaders and Cache-Control: no-store, for
  // the errors above and for a caller with nothing to serve (a console not built).
  static Response text(unsigned status, std::string_view message);

  std::size_t fileCount() const { return files_.size(); }
  std::size_t totalBytes() const { return total_bytes_; }

 private:
  struct File {
    std::shared_ptr<const std::string> body;
    std::shared_ptr<const std::string> gzip;  // null: not compressible, or no smaller
    std::string_view content_type;
    std::string_view cache_control;
    std::string etag;       // of body, quoted
    std::string gzip_etag;  // of gzip, quoted
  };
  StaticFiles() = default;
  Response fileAnswer(const File& f, const Request& req) const;

  std::unordered_map<std::string, File> files_;  // by path under the directory: "assets/app.js"
  std::size_t total_bytes_ = 0;
};

}  // namespace warung::http
