// HttpClient over libcurl. See http_client.hpp for the contract.
//
// Why the error mapping is shaped this way: the dispatcher may fail over to another
// provider only when the request surely did not arrive (kUnavailable). Any doubt is
// kTimeout ("outcome unknown"), which makes the dispatcher reconcile instead of
// re-sending; a wrong kUnavailable could buy the same order twice, a wrong kTimeout
// only costs a lookup.
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>

#include "dispatch/http_client.hpp"

namespace warung::dispatch {
namespace {

constexpr long kMaxConnectTimeoutMs = 5000;

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread, reset before each use: the handle keeps its
// connection cache, so consecutive calls to one provider reuse the connection.
class ThreadHandle {
 public:
  ThreadHandle() : h_(curl_easy_init()) {}
  ~ThreadHandle() {
    if (h_ != nullptr) curl_easy_cleanup(h_);
  }
  ThreadHandle(const ThreadHandle&) = delete;
  ThreadHandle& operator=(const ThreadHandle&) = delete;
  CURL* get() const { return h_; }

 private:
  CURL* h_;
};

struct Sink {
  std::string body;
  std::size_t cap = 0;
  bool overflow = false;
};

std::size_t onWrite(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * nmemb;
  if (sink->body.size() + n > sink->cap) {
    sink->overflow = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

class SlistGuard {
 public:
  ~SlistGuard() {
    if (list_ != nullptr) curl_slist_free_all(list_);
  }
  void append(const std::string& line) {
    if (auto* next = curl_slist_append(list_, line.c_str())) list_ = next;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

Error mapCurlError(CURLcode rc, const char* errbuf) {
  std::string msg = (errbuf != nullptr && errbuf[0] != '\0') ? std::string(errbuf) : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return makeError(Errc::kTimeout, "timed out: " + msg);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    // The TLS handshake precedes the request: when it fails nothing was sent.
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return makeError(Errc::kUnavailable, "could not connect: " + msg);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return makeError(Errc::kInvalidArgument, "bad URL: " + msg);
    case CURLE_FILESIZE_EXCEEDED:
      return makeError(Errc::kPayloadTooLarge, "response too large: " + msg);
    default:
      // After the connection was made (send/receive errors, empty reply, ...): the
      // request may have been processed.
      return makeError(Errc::kTimeout, "outcome unknown: " + msg);
  }
}

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient() { globalInit(); }

  Result<HttpReply> post(const HttpRequest& req) override {
    thread_local ThreadHandle handle;
    CURL* h = handle.get();
    if (h == nullptr) return makeError(Errc::kInternal, "curl_easy_init failed");
    curl_easy_reset(h);

    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    Sink sink;
    sink.cap = req.max_response_bytes;

    const long timeout_ms = std::max<long>(1, static_cast<long>(req.timeout.count()));
    SlistGuard headers;
    headers.append("Content-Type: " + req.content_type);
    headers.append("Expect:");  // no 100-continue round trip
    for (const auto& [name, value] : req.headers) headers.append(name + ": " + value);

    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // providers are APIs: a redirect is an answer
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, kMaxConnectTimeoutMs));
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_USERAGENT, "warung");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onWrite);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_response_bytes));

    const CURLcode rc = curl_easy_perform(h);
    // The handle outlives this call: drop pointers into this frame.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    if (sink.overflow) {
      return makeError(Errc::kPayloadTooLarge,
                       "response exceeds " + std::to_string(req.max_response_bytes) + " bytes");
    }
    if (rc != CURLE_OK) return mapCurlError(rc, errbuf);

    HttpReply reply;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.body = std::move(sink.body);
    return reply;
  }
};

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void appendEncoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

}  // namespace

std::unique_ptr<HttpClient> makeCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    appendEncoded(out, name);
    out += '=';
    appendEncoded(out, value);
  }
  return out;
}

}  // namespace warung::dispatch
