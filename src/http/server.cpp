#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <csignal>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/thread_name.hpp"

namespace warung::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Executor = net::io_context::executor_type;

namespace {

// Error answers written after the request deadline has already passed (timeout) or
// before a request was read (overload, oversized input) still need time to reach the
// client; this bounds that write.
constexpr std::chrono::milliseconds kErrorWriteGrace{1000};
// After an error answer the client may still be sending the rest of an oversized
// request. Closing a socket with unread input makes the kernel send RST, which can
// destroy our answer in flight, so we half-close and discard input for this long.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr std::size_t kFirstReadBytes = 4096;
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Guards posting to the io_context from foreign threads: a respond() racing with
// ~Server must not touch a destroyed io_context, so it posts only while the gate is
// open, under the gate's lock, and ~Server closes the gate before tearing down.
struct Gate {
  std::mutex mu;
  bool open = true;
};

std::string_view pathOf(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

// The address of the request whose handler runs on this thread (remoteAddress()).
thread_local std::string_view tl_remote_address;

}  // namespace

std::string_view remoteAddress() { return tl_remote_address; }

struct Server::Impl {
  class Session;

  Impl(ServerConfig config, ErrorResponder on_error)
      : config_(std::move(config)),
        on_error_(std::move(on_error)),
        iocs_(makeContexts(std::max(1, config_.threads))),
        acceptor_(iocs_.front()->get_executor()),
        accept_retry_(acceptor_.get_executor()),
        drain_timer_(acceptor_.get_executor()) {
    if (config_.access_log) access_log_ = accessLogger();
    for (auto& ioc : iocs_) work_.push_back(net::make_work_guard(*ioc));
  }

  // One io_context per io thread, each run by its thread alone: a connection lives on
  // one of them (assigned at accept, in turn), so its handlers need no strand, and a
  // request's steps never wake another thread. Answers from other threads (the order
  // writer's callbacks) are posted to the connection's context.
  static std::vector<std::unique_ptr<net::io_context>> makeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> v;
    for (int i = 0; i < n; ++i) v.push_back(std::make_unique<net::io_context>(1));
    return v;
  }

  void stopAll() {
    for (auto& ioc : iocs_) ioc->stop();
  }

  ~Impl() {
    {
      std::lock_guard lock(gate_->mu);
      gate_->open = false;
    }
    destroying_ = true;
    stopAll();
    // Members below iocs_ (work guards, acceptor, timers) are destroyed first; the
    // contexts' destructors then destroy pending handlers and with them the sessions,
    // which unregister from sessions_ — declared above iocs_ so it is still alive.
  }

  static std::shared_ptr<spdlog::logger> accessLogger() {
    if (auto logger = spdlog::get("access")) return logger;
    try {
      return spdlog::stdout_color_mt("access");
    } catch (const spdlog::spdlog_ex&) {
      // Another thread registered it between get() and create().
      if (auto logger = spdlog::get("access")) return logger;
      return spdlog::default_logger();
    }
  }

  // --- called from sessions -------------------------------------------------
  void registerSession(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard lock(sessions_mu_);
    sessions_.emplace(s, std::move(w));
  }
  void unregisterSession(Session* s) {
    {
      std::lock_guard lock(sessions_mu_);
      sessions_.erase(s);
    }
    const auto left = active_.fetch_sub(1) - 1;
    if (left == 0 && stopping_ && !destroying_) stopAll();
  }

  Response errorResponse(const Error& e) {
    try {
      return on_error_(e);
    } catch (const std::exception& ex) {
      spdlog::error("http: error responder threw: {}", ex.what());
    } catch (...) {
      spdlog::error("http: error responder threw");
    }
    return Response{500, R"({"error":"internal error"})", "application/json", {}, nullptr, nullptr};
  }

  const Handler* findRoute(std::string_view target) const {
    const std::string_view path = pathOf(target);
    const auto it = routes_.find(path);
    if (it != routes_.end()) return &it->second;
    // prefix_routes_ is sorted longest first, so the first match is the longest.
    for (const auto& [prefix, h] : prefix_routes_) {
      if (path.starts_with(prefix)) return &h;
    }
    return nullptr;
  }

  // --- accept loop (runs on the first io context) ------------------------------
  void doAccept();
  void onAccept(beast::error_code ec, tcp::socket socket, Executor executor);
  void reject(tcp::socket socket);
  void beginDrain();

  // Declaration order matters for destruction: everything sessions touch from their
  // destructors lives above iocs_.
  ServerConfig config_;
  ErrorResponder on_error_;
  std::unordered_map<std::string, Handler, StringHash, std::equal_to<>> routes_;
  std::vector<std::pair<std::string, Handler>> prefix_routes_;  // longest prefix first
  std::shared_ptr<spdlog::logger> access_log_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::mutex sessions_mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> destroying_{false};
  std::uint16_t port_ = 0;

  std::vector<std::unique_ptr<net::io_context>> iocs_;
  std::vector<net::executor_work_guard<Executor>> work_;  // keeps idle contexts running
  std::size_t next_context_ = 0;                          // accept loop only
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  net::steady_timer drain_timer_;
  std::optional<net::signal_set> signals_;
};

// One connection. All members are touched only on the thread of the connection's io
// context, which is what makes "exactly one answer per request" a plain state check:
// respond() and the deadline both run there and whoever finds state_ == kHandling with
// the current seq_ wins.
class Server::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket&& socket, Executor executor)
      : server_(server), executor_(executor), socket_(std::move(socket)), timer_(executor) {
    beast::error_code ec;
    const auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    if (server_.access_log_) remote_ = ec ? std::string("-") : fmt::format("{}:{}", remote_ip_, ep.port());
  }

  ~Session() { server_.unregisterSession(this); }

  void start() {
    server_.registerSession(this, weak_from_this());
    net::dispatch(executor_, [self = shared_from_this()] { self->waitForRequest(true); });
  }

  // Graceful shutdown: idle connections close now; a request being read, handled or
  // written finishes and its answer carries Connection: close.
  void drain() {
    net::dispatch(executor_, [self = shared_from_this()] {
      if (self->state_ == State::kIdle) self->closeNow();
    });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  // The request deadline starts at accept for the first request on a connection and
  // at the first byte for later keep-alive requests, whose wait is bounded by
  // idle_timeout instead. Either way a client cannot hold a connection past the
  // deadline by trickling bytes: every read/write of the request shares deadline_.
  void waitForRequest(bool fresh) {
    state_ = State::kIdle;
    if (server_.stopping_) return closeNow();
    if (fresh) {
      deadline_ = Clock::now() + server_.config_.request_timeout;
      setDue(deadline_);
    } else {
      setDue(Clock::now() + server_.config_.idle_timeout);
    }
    if (buffer_.size() > 0) return beginRequest(fresh);  // pipelined bytes already here
    socket_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this(), fresh](beast::error_code ec, std::size_t n) {
                              if (ec) return self->closeNow();  // idle timeout, EOF, drain
                              self->buffer_.commit(n);
                              self->beginRequest(fresh);
                            });
  }

  void beginRequest(bool fresh) {
    state_ = State::kReading;
    started_ = Clock::now();
    if (!fresh) deadline_ = started_ + server_.config_.request_timeout;
    setDue(deadline_);
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(server_.config_.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(server_.config_.max_body_bytes);
    beast::error_code ec;
    if (parseBuffered([this] { return parser_->is_header_done(); }, ec)) return onHeader(ec);
    bhttp::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
  }

  // Parses what the buffer already holds, as Beast's read operations do first, until
  // `enough` or an error: true then (ec says which). False when more bytes are needed,
  // for Beast's async_read_header / async_read to read them. A request usually
  // arrives whole in the first read, and parsing it here instead of through those
  // composed operations (each completing through the io context's queue) saved
  // 4,000 instructions per request, a quarter of a /healthz answer (bench/README.md).
  template <class Enough>
  bool parseBuffered(const Enough& enough, beast::error_code& ec) {
    while (buffer_.size() > 0 && !enough()) {
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        return false;
      }
      if (ec) return true;
      if (used == 0) break;  // no progress: Beast's own loop takes over
    }
    return enough();
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onReadError(ec);
    // curl and others wait (up to 1 s) for "100 Continue" before sending a large body.
    const auto& req = parser_->get();
    const auto expect = req[bhttp::field::expect];
    if (req.version() >= 11 && beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                              [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                if (ec) return self->closeNow();
                                self->readBody();
                              });
    }
    readBody();
  }

  void readBody() {
    beast::error_code ec;
    if (parseBuffered([this] { return parser_->is_done(); }, ec)) {
      return ec ? onReadError(ec) : onRequest();
    }
    bhttp::async_read(socket_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->onReadError(ec);
                        self->onRequest();
                      });
  }

  void onReadError(beast::error_code ec) {
    const auto& cfg = server_.config_;
    if (ec == bhttp::error::header_limit) {
      Response r = server_.errorResponse(makeError(
          Errc::kPayloadTooLarge, fmt::format("request headers exceed {} bytes", cfg.max_header_bytes)));
      r.status = 431;  // Request Header Fields Too Large: more precise than 413
      return writeErrorAndClose(std::move(r));
    }
    if (ec == bhttp::error::body_limit) {
      return writeErrorAndClose(server_.errorResponse(makeError(
          Errc::kPayloadTooLarge, fmt::format("request body exceeds {} bytes", cfg.max_body_bytes))));
    }
    // end_of_stream / partial_message: the client went away. Timeouts and socket
    // errors: the stream is already closed. Nothing useful to answer either way.
    const bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (parse_error) {
      return writeErrorAndClose(
          server_.errorResponse(makeError(Errc::kInvalidArgument, "malformed HTTP request")));
    }
    closeNow();
  }

  void onRequest() {
    req_ = parser_->release();
    parser_.reset();
    state_ = State::kHandling;
    const std::uint64_t seq = ++seq_;

    const Handler* handler = server_.findRoute(req_.target());
    if (handler == nullptr) {
      return answer(seq, server_.errorResponse(makeError(
                             Errc::kNotFound, fmt::format("no such path: {}", pathOf(req_.target())))));
    }

    // The handler's deadline is the request's (deadline_, already due): onTimer
    // answers for a handler that has not by then.

    // The respond callback holds the session weakly: a handler that never answers
    // must not keep a dead connection's memory alive, and a late answer after the
    // connection is gone is simply dropped.
    Respond respond = [weak = weak_from_this(), gate = server_.gate_, seq](Response r) {
      std::unique_lock lock(gate->mu);
      if (!gate->open) return;
      auto self = weak.lock();
      if (!self) return;
      if (self->executor_.running_in_this_thread()) {
        // Answered synchronously on the io thread: the io_context is running, so no
        // gate is needed, and writing at once saves a round through the queue.
        lock.unlock();
        return self->answer(seq, std::move(r));
      }
      const Executor executor = self->executor_;  // read before `self` is moved below
      net::post(executor, [self = std::move(self), seq, r = std::move(r)]() mutable {
        self->answer(seq, std::move(r));
      });
    };
    tl_remote_address = remote_ip_;
    struct ClearRemote {
      ~ClearRemote() { tl_remote_address = {}; }
    } clear_remote;
    try {
      (*handler)(req_, std::move(respond));
    } catch (const std::exception& e) {
      spdlog::error("http: handler for {} threw: {}", pathOf(req_.target()), e.what());
      answer(seq, server_.errorResponse(makeError(Errc::kInternal, "internal error")));
    } catch (...) {
      spdlog::error("http: handler for {} threw a non-exception", pathOf(req_.target()));
      answer(seq, server_.errorResponse(makeError(Errc::kInternal, "internal error")));
    }
  }

  void onDeadline(std::uint64_t seq) {
    if (seq != seq_ || state_ != State::kHandling) return;
    state_ = State::kWriting;  // a late respond() now finds the request answered
    Response r = server_.errorResponse(
        makeError(Errc::kTimeout,
                  fmt::format("request took longer than {} ms", server_.config_.request_timeout.count())));
    write(std::move(r), /*close=*/true, /*linger=*/false, /*grace=*/true);
  }

  // Exactly-once gate for handler answers (respond, not-found, handler exception).
  void answer(std::uint64_t seq, Response r) {
    if (seq != seq_ || state_ != State::kHandling) return;
    if (r.finish) {
      try {
        auto finish = std::move(r.finish);
        finish(r);
      } catch (const std::exception& e) {
        spdlog::error("http: finishing an answer threw: {}", e.what());
        r = server_.errorResponse(makeError(Errc::kInternal, "internal error"));
      }
    }
    const bool close = !req_.keep_alive() || server_.stopping_;
    write(std::move(r), close, /*linger=*/false, /*grace=*/false);
  }

  void writeErrorAndClose(Response r) {
    // The request may be only half parsed; log what we know of it.
    if (parser_ && parser_->is_header_done()) {
      req_ = parser_->release();
    } else {
      req_ = {};
    }
    parser_.reset();
    write(std::move(r), /*close=*/true, /*linger=*/true, /*grace=*/true);
  }

  void write(Response r, bool close, bool linger, bool grace) {
    state_ = State::kWriting;
    status_ = r.status;
    // The body is either owned here or shared with a cache (a service list of
    // megabytes is sent to many clients without a copy each); either way it lives
    // until the write completes.
    std::string_view body;
    if (r.shared_body) {
      shared_body_ = std::move(r.shared_body);
      body = *shared_body_;
    } else {
      owned_body_ = std::move(r.body);
      body = owned_body_;
    }
    // HEAD: GET's headers, its Content-Length included, and no body (a body would be
    // read as the start of the next answer on this connection).
    const bool head = req_.method() == bhttp::verb::head;
    const bool http10 = req_.version() == 10;
    formatHead(head_, r, http10, close, body.size());
    if (head || !mayHaveBody(r.status)) body = {};
    setDue(grace ? Clock::now() + kErrorWriteGrace : deadline_);
    const std::array<net::const_buffer, 2> wire{net::buffer(head_), net::buffer(body.data(), body.size())};
    // Everything left in one send each time (Asio's default stops each at 64 KiB: a
    // 2 MB service list took 35 sends).
    const auto whole_rest = [](const beast::error_code& ec, std::size_t) -> std::size_t {
      return ec ? 0 : std::size_t{1} << 30;
    };
    net::async_write(socket_, wire, whole_rest,
                     [self = shared_from_this(), close, linger](beast::error_code ec, std::size_t n) {
                       self->onWrite(ec, n, close, linger);
                     });
  }

  // 1xx, 204 and 304 answers carry neither a body nor a Content-Length.
  static bool mayHaveBody(unsigned status) { return status >= 200 && status != 204 && status != 304; }

  // The status line and headers, written by hand into a buffer kept across requests:
  // Beast's serializer spent more instructions walking its buffer views than the
  // whole answer to a status query costs to build.
  static void formatHead(std::string& out, const Response& r, bool http10, bool close,
                         std::size_t body_size) {
    out.clear();
    out += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    appendNumber(out, r.status);
    out += ' ';
    const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
    out.append(reason.data(), reason.size());
    out += "\r\nServer: warung\r\nContent-Type: ";
    out += r.content_type;
    out += "\r\n";
    for (const auto& [name, value] : r.headers) {
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
    if (mayHaveBody(r.status)) {
      out += "Content-Length: ";
      appendNumber(out, body_size);
      out += "\r\n";
    }
    if (http10 && !close) out += "Connection: keep-alive\r\n";
    if (!http10 && close) out += "Connection: close\r\n";
    out += "\r\n";
  }

  static void appendNumber(std::string& out, std::size_t n) {
    char digits[24];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), n).ptr;
    out.append(digits, end);
  }

  void onWrite(beast::error_code ec, std::size_t bytes, bool close, bool linger) {
    logAccess(bytes);
    if (ec) return closeNow();
    if (close) return linger ? lingeringClose() : closeNow();
    req_ = {};
    shared_body_.reset();
    owned_body_ = {};
    waitForRequest(false);
  }

  void logAccess(std::size_t bytes) {
    if (!server_.access_log_) return;
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
    const auto method = req_.method_string();
    const auto target = req_.target();
    server_.access_log_->info(
        "{} \"{} {}\" {} {} {}us", remote_, method.empty() ? std::string_view("-") : std::string_view(method),
        target.empty() ? std::string_view("-") : std::string_view(target), status_, bytes, us);
  }

  void lingeringClose() {
    state_ = State::kClosing;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return closeNow();
    setDue(Clock::now() + kLingerTimeout);
    discardInput();
  }

  void discardInput() {
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->closeNow();
                              self->discardInput();
                            });
  }

  void closeNow() {
    state_ = State::kClosing;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    due_ = armed_ = Clock::time_point::max();
    timer_.cancel();
  }

  // --- the connection's one timer ---------------------------------------------
  // Every phase (waiting for a request, reading it, handling, writing, lingering)
  // ends by a deadline, due_, and a keep-alive request moves it three times. Arming
  // a timer for each move (Beast's timed stream around every read and write, and one
  // for the handler) cost 6,500 instructions per request with the stream's wrapping,
  // 30 % of a /healthz answer (bench/README.md): every move cancels a wait, and a
  // cancelled wait runs its handler too. So the socket is a plain one, and the timer
  // is armed only when the deadline moves earlier than the pending wait, and never
  // later than the shortest of request_timeout and idle_timeout from now: every
  // phase's deadline lies at least that far after the phase starts, so the normal
  // phases never move it earlier (only the error paths' shorter grace and linger
  // do). When the timer fires before due_ (it moved later meanwhile) it is armed
  // again: once per that period per connection.
  void setDue(Clock::time_point due) {
    due_ = due;
    if (due < armed_) arm(due);
  }

  void arm(Clock::time_point at) {
    // At least 1 ms, so that a zero timeout set in code cannot make the timer spin.
    const auto period = std::max(std::min(server_.config_.request_timeout, server_.config_.idle_timeout),
                                 std::chrono::milliseconds(1));
    armed_ = std::min(at, Clock::now() + period);
    timer_.expires_at(armed_);  // a pending wait ends with operation_aborted
    // The wait holds the session: while a handler works on a request nothing else
    // does (its respond callback holds it weakly). closeNow cancels the wait.
    timer_.async_wait([self = shared_from_this(), at = armed_](beast::error_code ec) {
      // Cancelled, or a wait that completed just before it was re-armed.
      if (ec || self->armed_ != at) return;
      self->onTimer();
    });
  }

  void onTimer() {
    armed_ = Clock::time_point::max();
    if (!socket_.is_open()) return;  // closed (only closeNow closes it, and it cancels)
    if (Clock::now() < due_) return arm(due_);
    // A handler that has not answered by the request's deadline gets a timeout
    // answer; any other phase past its deadline (an idle or slow client, a write
    // that does not drain, a lingering close) ends the connection.
    if (state_ == State::kHandling) return onDeadline(seq_);
    closeNow();
  }

  Server::Impl& server_;
  Executor executor_;  // the socket's io context, kept typed for running_in_this_thread()
  tcp::socket socket_;
  net::steady_timer timer_;
  Clock::time_point due_ = Clock::time_point::max();    // when the current phase must end
  Clock::time_point armed_ = Clock::time_point::max();  // the pending wait's expiry; max: none
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request req_;
  std::string head_;     // the answer's status line and headers
  unsigned status_ = 0;  // the answer's status, for the access log
  std::string owned_body_;
  std::shared_ptr<const std::string> shared_body_;
  State state_ = State::kIdle;
  std::uint64_t seq_ = 0;
  Clock::time_point started_{};
  Clock::time_point deadline_{};
  std::string remote_;
  std::string remote_ip_;  // the peer's address without the port; "" when unknown
};

// A connection over the cap: write the prepared 503, half-close, and discard input
// until EOF or kLingerTimeout so the client reads the answer rather than a RST.
class Rejection : public std::enable_shared_from_this<Rejection> {
 public:
  Rejection(tcp::socket&& socket, std::string wire) : stream_(std::move(socket)), wire_(std::move(wire)) {}

  void start() {
    stream_.expires_after(kErrorWriteGrace);
    net::async_write(stream_, net::buffer(wire_),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                       self->stream_.expires_after(kLingerTimeout);
                       self->discard();
                     });
  }

 private:
  void discard() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->discard();
                            });
  }

  beast::tcp_stream stream_;
  std::string wire_;
  std::array<char, 1024> scratch_{};
};

// --- Impl: accept loop and drain ----------------------------------------------

void Server::Impl::doAccept() {
  const Executor executor = iocs_[next_context_++ % iocs_.size()]->get_executor();
  acceptor_.async_accept(executor, [this, executor](beast::error_code ec, tcp::socket socket) {
    onAccept(ec, std::move(socket), executor);
  });
}

void Server::Impl::onAccept(beast::error_code ec, tcp::socket socket, Executor executor) {
  if (stopping_) return;  // acceptor closed (or closing); drop anything late
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    // EMFILE and friends: retrying at once would spin; back off briefly.
    spdlog::warn("http: accept failed: {}", ec.message());
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([this](beast::error_code ec) {
      if (!ec && !stopping_) doAccept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (active_.load() >= config_.max_connections) {
    reject(std::move(socket));
  } else {
    ++active_;
    std::make_shared<Session>(*this, std::move(socket), executor)->start();
  }
  doAccept();
}

// Over the connection cap we do not read the request at all: parsing it would spend
// the resources the cap protects. We answer 503 at once, half-close, and discard
// whatever the client sends for a short while so it reads our answer, not a RST.
void Server::Impl::reject(tcp::socket socket) {
  Response r = errorResponse(makeError(Errc::kOverloaded, "too many connections"));
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), 11};
  res.set(bhttp::field::server, "warung");
  res.set(bhttp::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.insert(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(false);
  res.prepare_payload();
  std::ostringstream wire;
  wire << res;
  std::make_shared<Rejection>(std::move(socket), std::move(wire).str())->start();
}

void Server::Impl::beginDrain() {
  if (stopping_.exchange(true)) return;
  beast::error_code ec;
  acceptor_.close(ec);
  accept_retry_.cancel();
  if (signals_) signals_->cancel(ec);

  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu_);
    live.reserve(sessions_.size());
    for (auto& [_, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->drain();
  live.clear();

  if (active_.load() == 0) {
    stopAll();
    return;
  }
  drain_timer_.expires_after(config_.drain_timeout);
  drain_timer_.async_wait([this](beast::error_code ec) {
    if (ec) return;
    spdlog::warn("http: drain timeout after {} ms with {} connections left; closing",
                 config_.drain_timeout.count(), active_.load());
    stopAll();
  });
}

// --- Server -------------------------------------------------------------------

Server::Server(ServerConfig config, ErrorResponder on_error)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(on_error))) {}

Server::~Server() = default;

void Server::route(std::string path, Handler h) {
  impl_->routes_.insert_or_assign(std::move(path), std::move(h));
}

void Server::routePrefix(std::string prefix, Handler h) {
  auto& routes = impl_->prefix_routes_;
  std::erase_if(routes, [&](const auto& r) { return r.first == prefix; });
  routes.emplace_back(std::move(prefix), std::move(h));
  std::stable_sort(routes.begin(), routes.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void Server::listen() {
  auto& impl = *impl_;
  const auto fail = [&](const std::string& reason) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", impl.config_.host, impl.config_.port, reason));
  };
  beast::error_code ec;
  tcp::endpoint endpoint;
  const auto address = net::ip::make_address(impl.config_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, impl.config_.port);
  } else {
    // A host name such as "localhost": take the first address it resolves to.
    tcp::resolver resolver(*impl.iocs_.front());
    const auto results = resolver.resolve(impl.config_.host, std::to_string(impl.config_.port), ec);
    if (ec || results.empty()) fail(ec ? ec.message() : "host not found");
    endpoint = results.begin()->endpoint();
  }

  impl.acceptor_.open(endpoint.protocol(), ec);
  if (ec) fail(ec.message());
  impl.acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) fail(ec.message());
  impl.acceptor_.bind(endpoint, ec);
  if (ec) fail(ec.message());
  impl.acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) fail(ec.message());
  impl.port_ = impl.acceptor_.local_endpoint(ec).port();
  if (ec) fail(ec.message());

  net::dispatch(impl.acceptor_.get_executor(), [&impl] { impl.doAccept(); });
}

std::uint16_t Server::port() const { return impl_->port_; }

void Server::run(bool handle_signals) {
  auto& impl = *impl_;
  if (handle_signals) {
    impl.signals_.emplace(impl.acceptor_.get_executor(), SIGINT, SIGTERM);
    impl.signals_->async_wait([&impl](beast::error_code ec, int signo) {
      if (ec) return;
      spdlog::info("http: signal {} received; draining", signo);
      impl.beginDrain();
    });
  }
  std::vector<std::thread> extra;
  extra.reserve(impl.iocs_.size() - 1);
  for (std::size_t i = 1; i < impl.iocs_.size(); ++i) {
    extra.emplace_back([&impl, i] {
      setThreadName(impl.config_.thread_name + "-" + std::to_string(i));
      impl.iocs_[i]->run();
    });
  }
  impl.iocs_.front()->run();
  for (auto& t : extra) t.join();
}

void Server::stop() {
  net::post(impl_->acceptor_.get_executor(), [impl = impl_.get()] { impl->beginDrain(); });
}

}  // namespace warung::http
