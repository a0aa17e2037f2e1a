#include "http/static_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <optional>

#include "common/crypto.hpp"
#include "http/gzip.hpp"

namespace warung::http {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssetsDir = "assets/";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";
constexpr std::string_view kOctetStream = "application/octet-stream";

struct FileType {
  std::string_view extension;  // lower case, without the dot
  std::string_view content_type;
  bool compressible;  // png and woff2 are compressed already
};

constexpr FileType kFileTypes[] = {
    {"html", "text/html; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"css", "text/css; charset=utf-8", true},
    {"svg", "image/svg+xml", true},
    {"png", "image/png", false},
    {"ico", "image/x-icon", true},
    {"woff2", "font/woff2", false},
    {"json", "application/json", true},
    {"map", "application/json", true},
    {"txt", "text/plain; charset=utf-8", true},
};

const FileType* fileTypeOf(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : kFileTypes) {
    if (t.extension == ext) return &t;
  }
  return nullptr;
}

// The last segment has a dot: the request is for a file, not for one of the
// application's own routes, so a miss is a 404 rather than index.html.
bool namesAFile(std::string_view key) {
  const auto slash = key.rfind('/');
  return key.substr(slash == std::string_view::npos ? 0 : slash + 1).find('.') != std::string_view::npos;
}

// Strong validator of `bytes`: 128 bits of its sha256 is plenty to tell builds apart.
std::string etagOf(std::string_view bytes) { return "\"" + crypto::sha256Hex(bytes).substr(0, 32) + "\""; }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The file a request target names: "/assets/a.js?v=1" -> "assets/a.js", "/" -> "".
// Decodes %XX before splitting into segments, so an encoded "/" or "." is judged like
// a plain one; drops empty and "." segments. nullopt for a target that is not a path,
// a malformed %-escape, a NUL, or a ".." segment: answered 400, not looked up.
std::optional<std::string> fileKey(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty() || target.front() != '/') return std::nullopt;
  std::string decoded;
  decoded.reserve(target.size());
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      const int hi = i + 2 < target.size() ? hexDigit(target[i + 1]) : -1;
      const int lo = hi >= 0 ? hexDigit(target[i + 2]) : -1;
      if (lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    decoded += c;
  }
  std::string key;
  key.reserve(decoded.size());
  std::string_view rest = decoded;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return std::nullopt;
    if (!key.empty()) key += '/';
    key += segment;
  }
  return key;
}

// If-None-Match: "*" or a list of entity tags, compared weakly (RFC 9110 13.1.2).
bool noneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

bool inside(const fs::path& root, const fs::path& p) {
  return std::mismatch(root.begin(), root.end(), p.begin(), p.end()).first == root.end();
}

void addSecurityHeaders(Response& r) {
  for (const auto& [name, value] : kSecurityHeaders) r.headers.emplace_back(name, value);
}

}  // namespace

Result<StaticFiles> StaticFiles::load(const fs::path& dir, const StaticFilesConfig& config) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) {
    return makeError(Errc::kNotFound, fmt::format("{} does not exist", dir.string()));
  }
  if (ec) return makeError(Errc::kInternal, fmt::format("cannot read {}: {}", dir.string(), ec.message()));
  if (!fs::is_directory(status)) {
    return makeError(Errc::kInvalidArgument, fmt::format("{} is not a directory", dir.string()));
  }
  const fs::path root = fs::canonical(dir, ec);
  if (ec) return makeError(Errc::kInternal, fmt::format("cannot read {}: {}", dir.string(), ec.message()));

  StaticFiles out;
  // Directory symlinks are not followed by the iterator (and refused below), so every
  // entry that is not itself a symlink lies inside root.
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path& path = it->path();
    fs::path real = path;
    const auto link = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(link)) continue;
    if (fs::is_symlink(link)) {
      real = fs::canonical(path, ec);
      if (ec) return makeError(Errc::kInvalidArgument, fmt::format("{} is a broken symlink", path.string()));
      if (!inside(root, real)) {
        return makeError(Errc::kInvalidArgument,
                         fmt::format("{} is a symlink leading outside {}", path.string(), root.string()));
      }
    }
    const auto type = fs::status(real, ec).type();
    if (ec) break;
    if (type == fs::file_type::directory) {
      return makeError(Errc::kInvalidArgument,
                       fmt::format("{} is a symlinked directory (not followed)", path.string()));
    }
    if (type != fs::file_type::regular) {
      return makeError(Errc::kInvalidArgument, fmt::format("{} is not a regular file", path.string()));
    }
    const auto too_large = [&] {
      return makeError(Errc::kPayloadTooLarge, fmt::format("the files under {} total more than {} bytes",
                                                           root.string(), config.max_total_bytes));
    };
    // Checked before reading, so a stray huge file is not read only to be refused.
    const auto size = fs::file_size(real, ec);
    if (ec) break;
    if (size > config.max_total_bytes - out.total_bytes_) return too_large();
    std::ifstream in(real, std::ios::binary);
    if (!in) return makeError(Errc::kInternal, fmt::format("cannot read {}", path.string()));
    std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (content.size() > config.max_total_bytes - out.total_bytes_) return too_large();  // it grew
    out.total_bytes_ += content.size();

    std::string key = path.lexically_relative(root).generic_string();
    const FileType* file_type = fileTypeOf(key);
    File f;
    f.content_type = file_type != nullptr ? file_type->content_type : kOctetStream;
    f.cache_control = key.starts_with(kAssetsDir) ? kImmutable : kNoCache;
    f.etag = etagOf(content);
    if (file_type != nullptr && file_type->compressible && !content.empty()) {
      std::string gz = gzipCompress(content, 9);
      if (gz.size() < content.size()) {
        f.gzip_etag = etagOf(gz);
        f.gzip = std::make_shared<const std::string>(std::move(gz));
      }
    }
    f.body = std::make_shared<const std::string>(std::move(content));
    out.files_.emplace(std::move(key), std::move(f));
  }
  if (ec) return makeError(Errc::kInternal, fmt::format("cannot read {}: {}", root.string(), ec.message()));
  if (!out.files_.contains(std::string(kIndex))) {
    return makeError(Errc::kNotFound, fmt::format("{} has no {}", root.string(), kIndex));
  }
  return out;
}

Response StaticFiles::answer(const Request& req) const {
  if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
    Response r = text(405, "method not allowed: use GET or HEAD\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const auto key = fileKey(req.target());
  if (!key) return text(400, "bad path\n");
  auto it = files_.find(key->empty() ? std::string(kIndex) : *key);
  if (it == files_.end() && !namesAFile(*key)) it = files_.find(std::string(kIndex));
  if (it == files_.end()) return text(404, "not found\n");
  return fileAnswer(it->second, req);
}

Response StaticFiles::fileAnswer(const File& f, const Request& req) const {
  const bool gzip = f.gzip && acceptsGzip(req[bhttp::field::accept_encoding]);
  const std::string& etag = gzip ? f.gzip_etag : f.etag;
  Response r;
  r.content_type = f.content_type;
  r.headers.reserve(std::size(kSecurityHeaders) + 4);
  addSecurityHeaders(r);
  r.headers.emplace_back("Cache-Control", f.cache_control);
  r.headers.emplace_back("ETag", etag);
  if (f.gzip) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (noneMatchHits(req[bhttp::field::if_none_match], etag)) {
    r.status = 304;
    return r;
  }
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.shared_body = gzip ? f.gzip : f.body;
  return r;
}

Response StaticFiles::text(unsigned status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = message;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.reserve(std::size(kSecurityHeaders) + 2);
  addSecurityHeaders(r);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace warung::http
