// Prefix routes (Server::routePrefix) and the client address seen by handlers
// (remoteAddress), on a real Server on 127.0.0.1.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <thread>

#include "http/server.hpp"

namespace warung::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

Response textAnswer(std::string body) { return Response{200, std::move(body), "text/plain", {}, nullptr}; }

std::string get(std::uint16_t port, const std::string& target, unsigned* status = nullptr) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(stream, req);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buf, res);
  if (status != nullptr) *status = res.result_int();
  return res.body();
}

TEST(ServerPrefixRoutes, LongestPrefixWinsAndExactRoutesComeFirst) {
  ServerConfig config;
  config.port = 0;
  config.access_log = false;
  Server server(config, [](const Error& e) { return Response{404, e.detail, "text/plain", {}, nullptr}; });
  server.routePrefix("/admin/", [](const Request&, Respond r) { r(textAnswer("admin")); });
  server.routePrefix("/admin/api/", [](const Request& req, Respond r) {
    r(textAnswer("api " + std::string(req.target()) + " from " + std::string(remoteAddress())));
  });
  server.route("/admin/api/exact", [](const Request&, Respond r) { r(textAnswer("exact")); });
  server.listen();
  std::thread t([&] { server.run(false); });

  EXPECT_EQ(get(server.port(), "/admin/api/orders/R1?x=1"), "api /admin/api/orders/R1?x=1 from 127.0.0.1");
  EXPECT_EQ(get(server.port(), "/admin/api/exact"), "exact");
  EXPECT_EQ(get(server.port(), "/admin/index.html"), "admin");
  unsigned status = 0;
  get(server.port(), "/adminx", &status);
  EXPECT_EQ(status, 404u);
  // Outside a handler there is no current client.
  EXPECT_TRUE(remoteAddress().empty());

  server.stop();
  t.join();
}

}  // namespace
}  // namespace warung::http
