#pragma once
// The HTTP/1.1 server on Boost.Beast/Asio: keep-alive, header/body size caps, a
// deadline for each whole request, a connection cap, graceful drain, access log.
//
// Threads: `run()` runs `threads` io threads and blocks until the server has stopped
// and drained. A Handler is called on an io thread; it must not block for long and
// must call `respond` exactly once, from any thread (the write is posted back to the
// connection). Calls after the deadline has answered are ignored, as are second calls
// and calls after the Server is destroyed. The Request is valid only during the
// handler call: copy what you need before answering from another thread.
//
// Deadlines: `request_timeout` covers a whole request, from accept (first request
// on a connection) or from its first byte (later keep-alive requests) until the
// answer is written; between keep-alive requests the wait is `idle_timeout`. A client
// too slow to send its request is disconnected without an answer; a handler too slow
// to answer gets on_error(kTimeout) written for it and the connection is closed.
//
// HEAD: a handler answers as for GET; the server sends the headers and the body's
// Content-Length, not the body.
//
// Answers the server makes itself, all via on_error (it never writes HTML):
//   unknown path             kNotFound "no such path: /x"  (connection kept)
//   handler threw            kInternal "internal error"    (connection kept)
//   headers over the cap     kPayloadTooLarge, status forced to 431, then close
//   body over the cap        kPayloadTooLarge (responder's status, e.g. 413), then close
//   unparsable HTTP          kInvalidArgument "malformed HTTP request", then close
//   handler past deadline    kTimeout "request took longer than N ms", then close
//   over max_connections     kOverloaded "too many connections", written at accept
//                            without reading the request, then close
//
// Access log (`access_log`): one info line per answer on the spdlog logger "access"
// (the app's if registered, else created on stdout): `remote "METHOD target" status
// bytes-written durationus`.
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace warung::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

struct Response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // When set, sent instead of `body` without copying (cached documents); the server
  // holds it until the write completes.
  std::shared_ptr<const std::string> shared_body;
  // When set, called on the connection's own io thread just before the answer is
  // written, to finish it (fill in `body`): a handler answering from another thread
  // leaves the encoding to the connection's thread (the order writer's callback, so
  // the single writer thread does not encode every order it placed). If it throws,
  // the answer is kInternal "internal error".
  std::function<void(Response&)> finish;
};

using Respond = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Respond)>;
// Builds the JSON error answer for failures the server itself detects (unknown path,
// body too large, request timed out, too many connections). Provided by api/.
using ErrorResponder = std::function<Response(const Error&)>;

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see Server::port())
  int threads = 2;
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::milliseconds request_timeout{10'000};  // whole request: read, handle, write
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::chrono::milliseconds drain_timeout{10'000};    // graceful shutdown limit
  std::size_t max_connections = 10'000;               // concurrent connections; more get 503
  bool access_log = true;
  std::string thread_name = "http";  // io threads are named NAME-1, NAME-2, ... (the caller's keeps its name)
};

// The IP address (no port) of the client whose request is being handled, for
// per-address limits such as sign-in throttling. Valid only during a Handler call, on
// the io thread that called it; empty anywhere else. Copy it before answering later.
std::string_view remoteAddress();

class Server {
 public:
  Server(ServerConfig config, ErrorResponder on_error);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Exact-path routes. Unknown paths get on_error(kNotFound). Register before listen().
  void route(std::string path, Handler h);
  // Every path starting with `prefix` (e.g. "/admin/api/") that has no exact route;
  // the longest matching prefix wins. Register before listen().
  void routePrefix(std::string prefix, Handler h);

  // Binds and starts accepting; throws std::runtime_error naming the address on failure.
  void listen();
  // The bound port (after listen()).
  std::uint16_t port() const;

  // Runs the io threads; returns after stop() (or SIGINT/SIGTERM when
  // `handle_signals`) once in-flight requests have finished or drain_timeout passed.
  void run(bool handle_signals = true);
  // Stop accepting, close idle connections, let in-flight requests finish. Thread-safe.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace warung::http
