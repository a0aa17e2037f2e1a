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

// A type=status answer written in place, envelope and all: the data array between the
// envelope's head and tail. The head is written with the first order (or when the
// array closes), so that a list answered whole from ListJsonCache allocates nothing.
// An order encoded before in the same status is copied from OrderJsonCache, any other
// read, encoded and kept there (order_cache.hpp).
class StatusAnswer {
 public:
  StatusAnswer(std::string& data, std::size_t reserve, OrderJsonCache& orders)
      : data_(data), reserve_(reserve), orders_(orders) {}

  // Appends the entry held for (id, status): false, the answer unchanged, when none is.
  bool copyHeld(std::int64_t id, domain::OrderStatus status) {
    const std::size_t empty_list = open();  // first: it may write the head
    const bool first = data_.size() == empty_list;
    if (!first) data_ += ',';
    if (orders_.appendTo(data_, id, status)) return true;
    if (!first) data_.pop_back();
    return false;
  }
  void encodeAndKeep(const domain::Order& o) {
    const std::size_t empty_list = open();
    if (data_.size() > empty_list) data_ += ',';
    const std::size_t start = data_.size();
    appendOrder(data_, o, true);
    orders_.put(o.id, o.status, std::string_view(data_).substr(start));
  }
  // One order encoded with its idempotency key echoed (so a caller can tell this
  // answer from a server that ignored the key).
  void appendWithKey(const domain::Order& o, std::string_view key) {
    open();
    appendOrder(data_, o, true);
    data_.pop_back();
    data_ += ",\"idempotency_key\":\"";
    appendJsonEscaped(data_, key);
    data_ += "\"}";
  }
  void close() {
    open();
    data_ += ']';
    appendSuccessTail(data_, kSuccessMessage);
  }

 private:
  // The head and '[' once; answers where the array's first entry starts.
  std::size_t open() {
    if (data_.empty()) {
      data_.reserve(reserve_);
      appendSuccessHead(data_);
      data_ += '[';
      empty_list_ = data_.size();
    }
    return empty_list_;
  }

  std::string& data_;
  const std::size_t reserve_;
  OrderJsonCache& orders_;
  std::size_t empty_list_ = 0;
};

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
  http::Response answer;
  const std::size_t orders = ref || idem ? 1 : static_cast<std::size_t>(*limit);  // limit <= 15
  StatusAnswer listing(answer.body, orders * 400 + 64, orders_);
  // The two callbacks capture one pointer each, so the std::function each becomes
  // holds it in place (more than 16 bytes of captures would cost an allocation per
  // request).
  const store::Store::HeldOrder copyHeld = [&listing](std::int64_t id, domain::OrderStatus status) {
    return listing.copyHeld(id, status);
  };
  const std::function<void(const domain::Order&)> encodeAndKeep = [&listing](const domain::Order& o) {
    listing.encodeAndKeep(o);
  };
  Status listed = okStatus();
  if (ref) {
    listed = service_.statusByRef(account, kind, *ref, copyHeld, encodeAndKeep);
  } else if (idem) {
    auto o = service_.orderByIdempotencyKey(account, kind, *idem);
    if (!o) return error(o.error());
    listing.appendWithKey(*o, *idem);
  } else if (config_.status_cache_lists > 0) {
    return latestList(kind, account, *limit, answer, listing, copyHeld, encodeAndKeep);
  } else {  // lists kept off: no version read
    listed = service_.latestStatus(account, kind, *limit, copyHeld, encodeAndKeep);
  }
  if (!listed) return error(listed.error());
  listing.close();
  return answer;
}

// The latest list: the one held while the account's orders are as they were, else
// read again (orders held copied) and kept. `listing` writes into `answer`'s body;
// the answer is moved out.
http::Response OsimesaApi::latestList(domain::Kind kind, const domain::Account& account, int limit,
                                      http::Response& answer, StatusAnswer& listing,
                                      const store::Store::HeldOrder& copyHeld,
                                      const std::function<void(const domain::Order&)>& encodeAndKeep) {
  const std::optional<ListJsonCache::Held> kept = lists_.get(account.id, kind, limit);
  auto visit = service_.latestStatus(account, kind, limit, kept ? std::optional(kept->version) : std::nullopt,
                                     copyHeld, encodeAndKeep);
  if (!visit) return error(visit.error());
  if (visit->unchanged) {
    answer.shared_body = kept->answer;
    return std::move(answer);
  }
  listing.close();
  if (visit->version) {
    auto whole = std::make_shared<const std::string>(std::move(answer.body));
    lists_.put(account.id, kind, limit, *visit->version, whole);
    answer.body.clear();
    answer.shared_body = std::move(whole);
  }
  return std::move(answer);
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
