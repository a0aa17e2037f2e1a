#pragma once
// Test helpers for dispatch/: a loopback server answering canned bytes (for the
// libcurl client's edge cases), a scripted HttpClient (for answers the simulator
// does not give), and a port nobody listens on.
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/http_client.hpp"

namespace warung::testing {

// Polls `cond` until it holds or `timeout` passes (no bare sleeps in tests).
inline bool eventuallyTrue(const std::function<bool()>& cond,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

// A port that was free a moment ago and has no listener now.
inline std::uint16_t closedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  return port;
}

// Serves one connection at a time on 127.0.0.1: reads a request, asks `respond` for
// the raw bytes to write (nullopt: close without answering), closes the connection.
// `respond` may call wait() to stall until the server is stopped.
class CannedServer {
 public:
  struct Seen {
    std::string target;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  using Respond = std::function<std::optional<std::string>(const Seen&)>;

  explicit CannedServer(Respond respond)
      : respond_(std::move(respond)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { loop(); });
  }
  ~CannedServer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
  }

  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Blocks until the server is being destroyed, or `d` passed.
  void wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, d, [&] { return stopping_; });
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

  static std::string reply(int status, const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
  }

 private:
  void loop() {
    namespace http = boost::beast::http;
    for (;;) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket sock(io_);
      acceptor_.accept(sock, ec);
      if (ec) return;
      boost::beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(sock, buf, req, ec);
      if (ec) continue;
      Seen s;
      s.target = std::string(req.target());
      s.content_type = std::string(req[http::field::content_type]);
      s.body = req.body();
      for (const auto& f : req) s.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      {
        std::lock_guard lock(mu_);
        seen_.push_back(s);
      }
      if (auto bytes = respond_(s)) boost::asio::write(sock, boost::asio::buffer(*bytes), ec);
      sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      sock.close(ec);
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
  }

  Respond respond_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<Seen> seen_;
};

// Answers from a script, in order; records every request. Past the script it
// answers kTimeout.
class ScriptedHttpClient final : public dispatch::HttpClient {
 public:
  void push(Result<dispatch::HttpReply> r) { script_.push_back(std::move(r)); }
  void pushReply(long status, std::string body) { push(dispatch::HttpReply{status, std::move(body)}); }

  Result<dispatch::HttpReply> post(const dispatch::HttpRequest& req) override {
    std::lock_guard lock(mu_);
    requests_.push_back(req);
    if (script_.empty()) return makeError(Errc::kTimeout, "script exhausted");
    auto r = std::move(script_.front());
    script_.pop_front();
    return r;
  }
  std::vector<dispatch::HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<Result<dispatch::HttpReply>> script_;
  std::vector<dispatch::HttpRequest> requests_;
};

}  // namespace warung::testing
