#include "api/osimesa/handler.hpp"

#include <charconv>

#include "api/errors.hpp"
#include "common/json_writer.hpp"
#include "http/body.hpp"
#include "http/gzip.hpp"

namespace warung::api::osimesa {
namespace {

namespace bhttp = boost::beast::http;

std::string_view param(const http::Params& p, std::string_view name) { return p.get(name).value_or(""); }

Result<int> parseLimit(const http::Params& p) {
  auto v = p.get("limit");
  if (!v || v->empty()) return 15;
  int n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || end != v->data() + v->size() || n < 1 || n > 15) {
    return makeError(Errc::kInvalidArgument, "parameter 'limit' must be an integer from 1 to 15");
  }
  return n;
}

}  // namespace

OsimesaApi::OsimesaApi(OsimesaConfig config, ResellerService& service)
    : config_(config),
      service_(service),
      orders_(config.status_cache_orders),
      lists_(config.status_cache_lists) {}

void OsimesaApi::mount(http::Server& server) {
  server.route("/api/social-media", [this](const http::Request& req, http::Respond respond) {
    handle(domain::Kind::kSocialMedia, req, std::move(respond));
  });
  server.route("/api/game", [this](const http::Request& req, http::Respond respond) {
    handle(domain::Kind::kGame, req, std::move(respond));
  });
}

http::Response OsimesaApi::error(const Error& e) const { return errorResponse(e, config_.always_http_200); }

void OsimesaApi::handle(domain::Kind kind, const http::Request& req, http::Respond respond) {
  if (req.method() != bhttp::verb::post) {
    http::Response r = error(makeError(Errc::kMethodNotAllowed, "method not allowed; use POST"));
    r.headers.emplace_back("Allow", "POST");
    return respond(std::move(r));
  }
  auto params = http::parseParams(req[bhttp::field::content_type], req.body());
  if (!params) return respond(error(params.error()));

  auto account = service_.authenticate(param(*params, "key"), param(*params, "sign"));
  if (!account) return respond(error(account.error()));

  const std::string_view type = param(*params, "type");
  if (type == "service" || type == "services") return respond(serviceList(kind, **account, req));
  if (type == "status") return respond(status(kind, **account, *params));
  if (type == "order") return placeOrder(kind, **account, *params, req, std::move(respond));
  respond(error(makeError(Errc::kInvalidArgument,
                          type.empty() ? "parameter 'type' is required (order, status or service)"
                                       : "parameter 'type' must be one of: order, status, service")));
}

http::Response OsimesaApi::serviceList(domain::Kind kind, const domain::Account& account,
                                       const http::Request& req) {
  auto list = services_.entry(service_.catalog(), kind, account);
  http::Response r;
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (list.answer_gzip && http::acceptsGzip(req[bhttp::field::accept_encoding])) {
    r.shared_body = list.answer_gzip;
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.shared_body = list.answer;
  }
  return r;
}

http::Response OsimesaApi::status(domain::Kind kind, const domain::Account& account,
                                  const http::Params& params) {
  auto limit = parseLimit(params);
  if (!limit) return error(limit.error());
  std::optional<std::string_view> ref = params.get("ref_id");
  if (ref && ref->empty()) ref.reset();
  // Beyond the documents: find an order by the idempotency key it was placed with,
  // so a client (or another warung buying from us) can reconcile a lost answer.
  std::optional<std::string_view> idem = params.get("idempotency_key");
  if (idem && idem->empty()) idem.reset();
  // The answer is written in place, envelope and all: the data array between the
  // envelope's head and tail. The head is written with the first order (or when the
  // list turns out empty), so that a list answered whole from lists_ allocates nothing.
  http::Response answer;
  std::string& data = answer.body;
  // By ref_id and the latest list: an order encoded before in the same status is
  // copied, any other read, encoded and kept (order_cache.hpp). The two callbacks
  // capture one pointer each, so the std::function each becomes holds it in place
  // (more than 16 bytes of captures would cost an allocation per request).
  struct Listing {
    std::string& data;
    const std::size_t reserve;
    OrderJsonCache& orders;
    std::size_t empty_list = 0;
    // The head and '[' once; answers where the array's first entry starts.
    std::size_t open() {
      if (data.empty()) {
        data.reserve(reserve);
        appendSuccessHead(data);
        data += '[';
        empty_list = data.size();
      }
      return empty_list;
    }
  } listing{data, (ref || idem ? 1 : static_cast<std::size_t>(*limit)) * 400 + 64, orders_};  // limit <= 15
  auto copyHeld = [&listing](std::int64_t id, domain::OrderStatus status) {
    const std::size_t empty_list = listing.open();  // before data.size() is read
    std::string& data = listing.data;
    const bool first = data.size() == empty_list;
    if (!first) data += ',';
    if (listing.orders.appendTo(data, id, status)) return true;
    if (!first) data.pop_back();
    return false;
  };
  auto encodeAndKeep = [&listing](const domain::Order& o) {
    const std::size_t empty_list = listing.open();
    std::string& data = listing.data;
    if (data.size() > empty_list) data += ',';
    const std::size_t start = data.size();
    appendOrder(data, o, true);
    listing.orders.put(o.id, o.status, std::string_view(data).substr(start));
  };
  Status listed = okStatus();
  if (!ref && !idem && config_.status_cache_lists > 0) {
    // The latest list: the one held while the account's orders are as they were,
    // else read again (orders held copied, as above) and kept.
    const std::optional<ListJsonCache::Held> kept = lists_.get(account.id, kind, *limit);
    auto visit = service_.latestStatus(
        account, kind, *limit, kept ? std::optional(kept->version) : std::nullopt, copyHeld, encodeAndKeep);
    if (!visit) return error(visit.error());
    if (visit->unchanged) {
      answer.shared_body = kept->answer;
      return answer;
    }
    listing.open();
    data += ']';
    appendSuccessTail(data, kSuccessMessage);
    if (visit->version) {
      auto whole = std::make_shared<const std::string>(std::move(data));
      lists_.put(account.id, kind, *limit, *visit->version, whole);
      answer.body.clear();
      answer.shared_body = std::move(whole);
    }
    return answer;
  }
  if (ref) {
    listed = service_.statusByRef(account, kind, *ref, copyHeld, encodeAndKeep);
  } else if (!idem) {  // the latest list, with lists kept off: no version read
    listed = service_.latestStatus(account, kind, *limit, copyHeld, encodeAndKeep);
  } else {
    auto o = service_.orderByIdempotencyKey(account, kind, *idem);
    if (!o) return error(o.error());
    listing.open();
    appendOrder(data, *o, true);
    // Echo the key so a caller can tell this answer from a server that ignored it.
    data.pop_back();
    data += ",\"idempotency_key\":\"";
    appendJsonEscaped(data, *idem);
    data += "\"}";
  }
  if (!listed) return error(listed.error());
  listing.open();
  data += ']';
  appendSuccessTail(data, kSuccessMessage);
  return answer;
}

void OsimesaApi::placeOrder(domain::Kind kind, const domain::Account& account, const http::Params& params,
                            const http::Request& req, http::Respond respond) {
  domain::PlaceOrderInput in;
  in.service_code = param(params, "service");
  in.data = {params.get("data1"), params.get("data2"), params.get("data3")};
  in.idempotency_key = param(params, "idempotency_key");
  if (in.idempotency_key.empty()) in.idempotency_key = req["Idempotency-Key"];
  // `params` and `req` outlive this call only until we return: the callback
  // captures nothing that points into them.
  service_.placeOrder(kind, account, in, [this, respond = std::move(respond)](Result<store::Placed> placed) {
    if (!placed) return respond(error(placed.error()));
    // Runs on the order writer's thread: the answer is encoded on the connection's
    // own thread instead.
    http::Response r;
    r.finish = [order = std::move(placed->order)](http::Response& out) {
      std::string data;
      data.reserve(400);
      appendOrder(data, order, false);
      appendSuccessEnvelope(out.body, data, kOrderPlacedMessage);
    };
    respond(std::move(r));
  });
}

}  // namespace warung::api::osimesa
