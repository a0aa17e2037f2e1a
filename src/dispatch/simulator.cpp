#include "dispatch/simulator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "common/crypto.hpp"
#include "common/json_writer.hpp"
#include "dispatch/simulator_state.hpp"

namespace warung::dispatch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using domain::Kind;
using domain::OrderStatus;
using Behaviour = ProviderSimulator::Behaviour;
using Outcome = ProviderSimulator::Outcome;

namespace {

constexpr std::int64_t kFirstOrderId = 1001;
constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr const char* kThanks =
    "Thank you for purchasing the product, please wait for the transaction to be processed.";

struct Names {
  Behaviour b;
  std::string_view name;
};
constexpr Names kBehaviourNames[] = {
    {Behaviour::kSucceed, "succeed"},
    {Behaviour::kRefuseBalance, "refuse-balance"},
    {Behaviour::kRefuseService, "refuse-service"},
    {Behaviour::kTimeout, "timeout"},
    {Behaviour::kTimeoutNoCreate, "timeout-no-create"},
    {Behaviour::kServerError, "server-error"},
    {Behaviour::kServerErrorButCreated, "server-error-created"},
    {Behaviour::kGarbage, "garbage"},
    {Behaviour::kPartial, "partial"},
    {Behaviour::kFail, "fail"},
};

// The services the simulator lists. Prices in rupiah; smm-v2 rates are written with
// decimals, as panels do.
struct SimService {
  Kind kind;
  std::string_view code;
  std::string_view name;
  std::string_view category;
  std::string_view category_key;
  std::int64_t price;         // osimesa price.current (per 1,000 for social media)
  std::string_view smm_rate;  // smm-v2 "rate"
  std::int64_t min;
  std::int64_t max;
};
constexpr SimService kServices[] = {
    {Kind::kSocialMedia, "1", "Instagram Followers Indonesia", "Instagram Followers", "default", 28501,
     "28500.50", 100, 10000},
    {Kind::kSocialMedia, "2", "Instagram Likes", "Instagram Likes", "default", 9000, "9000", 50, 5000},
    {Kind::kSocialMedia, "3", "TikTok Views", "TikTok Views", "default", 1251, "1250.25", 100, 100000},
    {Kind::kGame, "ML86", "Mobile Legends 86 Diamonds", "Mobile Legends", "mobile-legends", 19500, "", 1, 1},
    {Kind::kGame, "FF100", "Free Fire 100 Diamonds", "Free Fire", "free-fire", 14000, "", 1, 1},
    {Kind::kGame, "PULSA10", "Pulsa 10.000", "Pulsa", "pulsa", 10500, "", 1, 1},
};

const SimService* findService(Kind kind, std::string_view code) {
  for (const auto& s : kServices) {
    if (s.kind == kind && s.code == code) return &s;
  }
  return nullptr;
}

using Form = std::vector<std::pair<std::string, std::string>>;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string urlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Form parseForm(std::string_view body) {
  Form out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    out.emplace_back(urlDecode(pair.substr(0, eq)),
                     eq == std::string_view::npos ? std::string{} : urlDecode(pair.substr(eq + 1)));
  }
  return out;
}

std::string param(const Form& f, std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return v;
  }
  return {};
}

bool has(const Form& f, std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return true;
  }
  return false;
}

std::optional<std::int64_t> parsePositive(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

struct Answer {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool drop = false;  // close the connection without answering
};

Answer json(unsigned status, std::string body) {
  return Answer{status, std::move(body), "application/json", false};
}

Answer smmError(std::string_view message) {
  std::string out;
  JsonWriter(out).beginObject().field("error", message).endObject();
  return json(200, std::move(out));
}

Answer envelopeError(unsigned code, std::string_view message) {
  std::string out;
  JsonWriter w(out);
  w.beginObject().field("code", static_cast<std::int64_t>(code)).key("data").null();
  w.field("status", false).field("message", message).endObject();
  return json(code, std::move(out));
}

Answer envelopeOk(std::string_view data_json, std::string_view message) {
  std::string out;
  JsonWriter w(out);
  w.beginObject().field("code", 200).key("data").raw(data_json);
  w.field("status", true).field("message", message).endObject();
  return json(200, std::move(out));
}

}  // namespace

std::string_view toString(Behaviour b) {
  for (const auto& n : kBehaviourNames) {
    if (n.b == b) return n.name;
  }
  return "succeed";
}

std::optional<Behaviour> parseBehaviour(std::string_view s) {
  for (const auto& n : kBehaviourNames) {
    if (n.name == s) return n.b;
  }
  return std::nullopt;
}

std::string_view toString(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kPartial:
      return "partial";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

std::optional<Outcome> parseOutcome(std::string_view s) {
  for (Outcome o : {Outcome::kSuccess, Outcome::kPartial, Outcome::kError}) {
    if (toString(o) == s) return o;
  }
  return std::nullopt;
}

struct ProviderSimulator::Impl {
  using Order = detail::SimulatedOrder;

  explicit Impl(Options o)
      : options(std::move(o)), complete_after(options.complete_after_polls), rng(options.seed) {}

  Options options;

  // --- server
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread io_thread;
  std::uint16_t bound_port = 0;

  // --- state, all under mu
  mutable std::mutex mu;
  std::condition_variable cv;  // stop requested; connection threads finished
  bool started = false;
  bool stopping = false;
  int active_connections = 0;
  std::set<int> connection_fds;

  Behaviour behaviour = Behaviour::kSucceed;
  int behaviour_left = -1;
  std::chrono::milliseconds behaviour_delay{0};
  Outcome completion = Outcome::kSuccess;
  int complete_after;
  std::optional<std::int64_t> partial_remains;
  std::mt19937 rng;

  bool polled = false;  // polls not yet in the state file
  std::int64_t next_id = kFirstOrderId;
  std::vector<Order> orders;  // by id - kFirstOrderId
  std::unordered_map<std::string, std::size_t> by_provider_id;
  std::map<std::string, std::size_t> by_idempotency;  // osimesa
  std::map<std::string, int> add_calls;
  int total_add_calls = 0;
  int status_calls = 0;

  // ---------------------------------------------------------------- state helpers

  static OrderStatus stage(const Order& o) {
    if (o.view.polls == 0) return OrderStatus::kWaiting;
    if (o.view.polls < o.complete_after) return OrderStatus::kProcessing;
    switch (o.outcome) {
      case Outcome::kSuccess:
        return OrderStatus::kSuccess;
      case Outcome::kPartial:
        return OrderStatus::kPartial;
      case Outcome::kError:
        return OrderStatus::kError;
    }
    return OrderStatus::kError;
  }

  // Refreshes the view's derived fields from polls.
  static void refresh(Order& o) {
    OrderView& v = o.view;
    v.status = stage(o);
    v.start_count = v.status == OrderStatus::kWaiting ? 0 : 1000 + (v.id % 1000);
    switch (v.status) {
      case OrderStatus::kSuccess:
        v.remains = 0;
        if (v.kind == Kind::kGame) v.voucher = fmt::format("SN-{}", v.id);
        break;
      case OrderStatus::kPartial:
        v.remains = o.final_remains;
        break;
      default:
        v.remains = v.quantity;
        break;
    }
  }

  // One poll of an order: the answer shows the state after it.
  OrderView poll(Order& o) {
    ++o.view.polls;
    refresh(o);
    polled = true;  // saved once the request's polls are done (handle)
    return o.view;
  }

  // Rewrites the state file (Options::state_file), if any; the caller holds mu. A
  // failure is logged: the answer still goes out, as a real provider's would. An add
  // saves at once (before any delayed answer); a request's polls, once at its end.
  void persist() {
    if (options.state_file.empty()) return;
    try {
      detail::saveSimulatedOrders(options.state_file, orders);
    } catch (const std::exception& e) {
      spdlog::warn("provider simulator: {}", e.what());
    }
  }

  // Takes over the orders in the state file, if any (start-up).
  void restore() {
    if (options.state_file.empty()) return;
    std::vector<Order> saved = detail::loadSimulatedOrders(options.state_file);
    for (Order& o : saved) {
      if (o.view.id != next_id) {
        throw std::runtime_error(
            fmt::format("{}: order {} where {} was expected", options.state_file, o.view.id, next_id));
      }
      ++next_id;
      refresh(o);
      by_provider_id[o.view.provider_order_id] = orders.size();
      if (!o.view.idempotency_key.empty()) by_idempotency[o.view.idempotency_key] = orders.size();
      orders.push_back(std::move(o));
    }
  }

  struct AddPlan {
    Behaviour behaviour;
    std::chrono::milliseconds delay;
  };

  AddPlan takeBehaviour() {
    AddPlan plan{behaviour, behaviour_delay.count() > 0 ? behaviour_delay : options.delay};
    if (behaviour_left > 0 && --behaviour_left == 0) {
      behaviour = Behaviour::kSucceed;
      behaviour_left = -1;
    }
    return plan;
  }

  // Creates an order; the caller holds mu.
  Order& create(std::string dialect, Kind kind, std::string service, std::array<std::string, 3> data,
                std::int64_t quantity, std::string idempotency_key, Behaviour b) {
    Order o;
    o.view.id = next_id++;
    o.view.dialect = std::move(dialect);
    o.view.provider_order_id =
        o.view.dialect == "osimesa" ? fmt::format("sim{:017d}", o.view.id) : std::to_string(o.view.id);
    o.view.kind = kind;
    o.view.service = std::move(service);
    o.view.data = std::move(data);
    o.view.quantity = quantity;
    o.view.idempotency_key = std::move(idempotency_key);
    o.created_at =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    o.outcome = completion;
    o.complete_after = complete_after;
    if (options.random_outcomes) {
      const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
      o.outcome = roll < 70 ? Outcome::kSuccess : roll < 90 ? Outcome::kPartial : Outcome::kError;
      if (o.outcome == Outcome::kPartial && (kind == Kind::kGame || quantity < 2))
        o.outcome = Outcome::kSuccess;
      o.complete_after = std::uniform_int_distribution<int>(1, 3)(rng);
    }
    if (b == Behaviour::kPartial) o.outcome = Outcome::kPartial;
    if (b == Behaviour::kFail) o.outcome = Outcome::kError;
    if (o.outcome == Outcome::kPartial) {
      std::int64_t r = partial_remains && !options.random_outcomes ? *partial_remains : quantity / 3;
      if (r < 1) r = 1;
      o.final_remains = r;
    }
    refresh(o);
    const std::size_t index = orders.size();
    by_provider_id[o.view.provider_order_id] = index;
    if (!o.view.idempotency_key.empty()) by_idempotency[o.view.idempotency_key] = index;
    orders.push_back(std::move(o));
    persist();
    return orders.back();
  }

  Order* find(const std::string& provider_id) {
    auto it = by_provider_id.find(provider_id);
    return it == by_provider_id.end() ? nullptr : &orders[it->second];
  }

  // Waits `d` unless stop() comes first; the caller holds `lock`. False when stopping.
  bool wait(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds d) {
    cv.wait_for(lock, d, [&] { return stopping; });
    return !stopping;
  }

  // ---------------------------------------------------------------- smm-v2

  static std::string smmWord(OrderStatus s) {
    switch (s) {
      case OrderStatus::kWaiting:
        return "Pending";
      case OrderStatus::kProcessing:
        return "In progress";
      case OrderStatus::kSuccess:
        return "Completed";
      case OrderStatus::kPartial:
        return "Partial";
      case OrderStatus::kError:
        return "Canceled";
    }
    return "Pending";
  }

  static void writeSmmEntry(JsonWriter& w, const OrderView& v) {
    // Charge in rupiah with the panels' five decimals: rate 9000 per 1,000 x quantity.
    const SimService* s = findService(Kind::kSocialMedia, v.service);
    const std::int64_t price = s != nullptr ? s->price : 1000;
    const std::int64_t milli = price * v.quantity;  // rupiah * 1000
    w.beginObject()
        .field("charge", fmt::format("{}.{:03d}00", milli / 1000, milli % 1000))
        .field("start_count", std::to_string(v.start_count))
        .field("status", smmWord(v.status))
        .field("remains", std::to_string(v.remains))
        .field("currency", "IDR")
        .endObject();
  }

  Answer smm(const Form& f, std::unique_lock<std::mutex>& lock) {
    const std::string action = param(f, "action");
    if (action == "add") {
      ++total_add_calls;
      ++add_calls[param(f, "link")];
    }
    if (param(f, "key") != options.api_key) return smmError("Invalid API key");
    if (action == "add") return smmAdd(f, lock);
    if (action == "status") {
      ++status_calls;
      if (has(f, "orders")) {
        std::string out;
        JsonWriter w(out);
        w.beginObject();
        const std::string list = param(f, "orders");
        std::size_t start = 0;
        while (start <= list.size()) {
          const auto comma = list.find(',', start);
          std::string id = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          start = comma == std::string::npos ? list.size() + 1 : comma + 1;
          if (id.empty()) continue;
          w.key(id);
          Order* o = find(id);
          if (o == nullptr || o->view.dialect != "smm-v2") {
            w.beginObject().field("error", "Incorrect order ID").endObject();
          } else {
            writeSmmEntry(w, poll(*o));
          }
        }
        w.endObject();
        return json(200, std::move(out));
      }
      Order* o = find(param(f, "order"));
      if (o == nullptr || o->view.dialect != "smm-v2") return smmError("Incorrect order ID");
      std::string out;
      JsonWriter w(out);
      writeSmmEntry(w, poll(*o));
      return json(200, std::move(out));
    }
    if (action == "services") {
      std::string out;
      JsonWriter w(out);
      w.beginArray();
      for (const auto& s : kServices) {
        if (s.kind != Kind::kSocialMedia) continue;
        w.beginObject()
            .key("service")
            .integer(std::stoll(std::string(s.code)))
            .field("name", s.name)
            .field("type", "Default")
            .field("category", s.category)
            .field("rate", s.smm_rate)
            .field("min", std::to_string(s.min))
            .field("max", std::to_string(s.max))
            .endObject();
      }
      w.endArray();
      return json(200, std::move(out));
    }
    if (action == "balance") {
      std::string out;
      JsonWriter(out).beginObject().field("balance", options.balance).field("currency", "IDR").endObject();
      return json(200, std::move(out));
    }
    return smmError("Incorrect request");
  }

  Answer smmAdd(const Form& f, std::unique_lock<std::mutex>& lock) {
    const AddPlan plan = takeBehaviour();
    const std::string service = param(f, "service");
    const std::string link = param(f, "link");
    const auto quantity = parsePositive(param(f, "quantity"));
    switch (plan.behaviour) {
      case Behaviour::kRefuseBalance:
        return smmError("Not enough funds on balance");
      case Behaviour::kRefuseService:
        return smmError("Incorrect service ID");
      case Behaviour::kServerError:
        return Answer{500, "<html><body>500 Internal Server Error</body></html>", "text/html"};
      case Behaviour::kTimeoutNoCreate:
        wait(lock, plan.delay);
        return Answer{0, "", "", true};
      default:
        break;
    }
    if (service.empty() ||
        (!options.accept_any_service && findService(Kind::kSocialMedia, service) == nullptr)) {
      return smmError("Incorrect service ID");
    }
    if (link.empty()) return smmError("Incorrect link");
    if (!quantity || *quantity <= 0) return smmError("Incorrect quantity");
    Order& o = create("smm-v2", Kind::kSocialMedia, service, {link, std::to_string(*quantity), ""}, *quantity,
                      "", plan.behaviour);
    std::string out;
    JsonWriter(out).beginObject().field("order", o.view.id).endObject();
    return finishAdd(plan, lock, json(200, std::move(out)));
  }

  // The answer to a created (or re-found) order under the transport-like behaviours.
  Answer finishAdd(const AddPlan& plan, std::unique_lock<std::mutex>& lock, Answer normal) {
    switch (plan.behaviour) {
      case Behaviour::kTimeout:
        if (!wait(lock, plan.delay)) return Answer{0, "", "", true};
        return normal;
      case Behaviour::kServerErrorButCreated:
        return Answer{500, "<html><body>500 Internal Server Error</body></html>", "text/html"};
      case Behaviour::kGarbage:
        return Answer{200, "<html><body>OK</body></html>", "text/html"};
      default:
        return normal;
    }
  }

  // ---------------------------------------------------------------- osimesa

  static std::string osimesaEntry(const Order& o, bool with_times) {
    const OrderView& v = o.view;
    const SimService* s = findService(v.kind, v.service);
    const std::int64_t price = s != nullptr ? s->price : 1000;
    const std::int64_t charge = v.kind == Kind::kGame ? price : (price * v.quantity + 999) / 1000;
    std::string out;
    JsonWriter w(out);
    w.beginObject();
    w.key("data").beginArray();
    for (const auto& d : v.data) w.string(d);
    w.endArray();
    w.field("note", v.status == OrderStatus::kError ? "canceled by the simulator" : "")
        .field("price", charge)
        .field("ref_id", v.provider_order_id);
    if (v.kind == Kind::kSocialMedia) {
      w.key("detail")
          .beginObject()
          .field("start", v.start_count)
          .field("amount", v.quantity)
          .field("remain", v.remains)
          .endObject();
    }
    w.field("status", domain::toString(v.status));
    w.key("product").beginObject().field("code", v.service);
    w.field(v.kind == Kind::kSocialMedia ? "type" : "slug", s != nullptr ? s->category_key : "default");
    w.field("service", s != nullptr ? s->name : "Simulated service").endObject();
    if (v.kind == Kind::kGame) w.field("voucher", v.voucher);
    if (with_times) w.field("created_at", o.created_at).field("updated_at", o.created_at);
    w.endObject();
    return out;
  }

  Answer osimesa(Kind kind, const Form& f, std::unique_lock<std::mutex>& lock) {
    const std::string type = param(f, "type");
    if (type == "order") {
      ++total_add_calls;
      const std::string idem = param(f, "idempotency_key");
      ++add_calls[idem.empty() ? param(f, "data1") : idem];
    }
    const std::string key = param(f, "key");
    if (key.empty()) return envelopeError(400, "parameter 'key' is required");
    if (key != options.api_key ||
        !crypto::hexEqualsConstantTime(param(f, "sign"), crypto::md5Hex(options.user_id + key))) {
      return envelopeError(401, "invalid key or sign");
    }
    if (type == "order") return osimesaAdd(kind, f, lock);
    if (type == "status") return osimesaStatus(kind, f);
    if (type == "service" || type == "services") return osimesaServices(kind);
    return envelopeError(400, "parameter 'type' must be one of: order, status, service");
  }

  Answer osimesaAdd(Kind kind, const Form& f, std::unique_lock<std::mutex>& lock) {
    const AddPlan plan = takeBehaviour();
    const std::string service = param(f, "service");
    const std::array<std::string, 3> data = {param(f, "data1"), param(f, "data2"), param(f, "data3")};
    const std::string idem = param(f, "idempotency_key");
    switch (plan.behaviour) {
      case Behaviour::kServerError:
        return envelopeError(500, "internal error, please try again later");
      case Behaviour::kTimeoutNoCreate:
        wait(lock, plan.delay);
        return Answer{0, "", "", true};
      default:
        break;
    }
    if (!idem.empty()) {
      if (auto it = by_idempotency.find(idem); it != by_idempotency.end()) {
        const Order& o = orders[it->second];
        if (o.view.kind != kind || o.view.service != service || o.view.data != data) {
          return envelopeError(409, "idempotency_key was already used with different parameters");
        }
        return finishAdd(plan, lock, envelopeOk(osimesaEntry(o, false), kThanks));
      }
    }
    if (plan.behaviour == Behaviour::kRefuseBalance)
      return envelopeError(402, "balance Rp 0 is below the charge Rp 1000");
    if (plan.behaviour == Behaviour::kRefuseService || service.empty() ||
        (!options.accept_any_service && findService(kind, service) == nullptr)) {
      if (service.empty()) return envelopeError(400, "parameter 'service' is required");
      return envelopeError(404, fmt::format("service '{}' not found", service));
    }
    if (data[0].empty()) return envelopeError(422, "data1 is required");
    std::int64_t quantity = 1;
    if (kind == Kind::kSocialMedia) {
      auto q = parsePositive(data[1]);
      if (!q || *q <= 0) return envelopeError(422, "Jumlah must be a whole number");
      quantity = *q;
    }
    Order& o = create("osimesa", kind, service, data, quantity, idem, plan.behaviour);
    return finishAdd(plan, lock, envelopeOk(osimesaEntry(o, false), kThanks));
  }

  Answer osimesaStatus(Kind kind, const Form& f) {
    ++status_calls;
    auto one = [&](Order* o, std::string_view what) {
      if (o == nullptr || o->view.dialect != "osimesa" || o->view.kind != kind) {
        return envelopeError(404, what.empty() ? std::string("transaction not found")
                                               : fmt::format("transaction '{}' not found", what));
      }
      poll(*o);
      return envelopeOk("[" + osimesaEntry(*o, true) + "]", "Success.");
    };
    if (has(f, "ref_id")) {
      const std::string ref = param(f, "ref_id");
      return one(find(ref), ref);
    }
    if (has(f, "idempotency_key")) {
      auto it = by_idempotency.find(param(f, "idempotency_key"));
      return one(it == by_idempotency.end() ? nullptr : &orders[it->second], "");
    }
    // The latest 15 of this kind, newest first; not polled.
    std::string list = "[";
    int n = 0;
    for (auto it = orders.rbegin(); it != orders.rend() && n < 15; ++it) {
      if (it->view.dialect != "osimesa" || it->view.kind != kind) continue;
      if (n++ > 0) list += ',';
      list += osimesaEntry(*it, true);
    }
    list += ']';
    return envelopeOk(list, "Success.");
  }

  static Answer osimesaServices(Kind kind) {
    std::string list;
    JsonWriter w(list);
    w.beginArray();
    for (const auto& s : kServices) {
      if (s.kind != kind) continue;
      const bool social = kind == Kind::kSocialMedia;
      w.beginObject();
      w.key("category")
          .beginObject()
          .field("main", s.category)
          .field(social ? "type" : "slug", s.category_key)
          .endObject();
      w.key("fields").beginObject();
      if (!social) w.field("title", "Masukkan Data");
      w.field("info", "");
      for (const char* name : {"field1", "field2", "field3"}) {
        w.key(name).beginObject().field("type", std::string_view(name) == "field3" ? "none" : "input");
        w.key("input")
            .beginObject()
            .field("type", "text")
            .field("label", name)
            .field("minlength", 0)
            .field("maxlength", 0)
            .field("placeholder", "")
            .endObject();
        w.key("select").beginObject().field("label", "");
        if (social) {
          w.field("options", "");
        } else {
          w.key("options").beginArray().endArray();
        }
        w.field("placeholder", "").endObject().endObject();
      }
      w.endObject();
      if (social) {
        w.key("order")
            .beginObject()
            .field("min", std::to_string(s.min))
            .field("max", std::to_string(s.max))
            .endObject();
      }
      w.field("name", s.name).field("note", "").field("code", s.code);
      w.key("price").beginObject();
      w.key("list")
          .beginObject()
          .field("standar", s.price)
          .field("premium", s.price)
          .field("spesial", s.price)
          .endObject();
      w.field("current", s.price).endObject();
      w.key("cutoff").beginObject().field("start", "00:00").field("end", "00:00").endObject();
      w.field("status", "ready").field("updated_at", std::int64_t{1725168682});
      w.endObject();
    }
    w.endArray();
    return envelopeOk(list, "Success.");
  }

  // ---------------------------------------------------------------- control

  Answer control(const std::string& path, const Form& f) {
    if (path == "/_sim/behaviour") {
      auto b = parseBehaviour(param(f, "behaviour"));
      if (!b) return json(400, R"({"error":"unknown behaviour"})");
      int count = -1;
      if (const std::string c = param(f, "count"); !c.empty() && c != "-1") {
        auto n = parsePositive(c);
        if (!n) return json(400, R"({"error":"bad count"})");
        count = static_cast<int>(*n);
      }
      auto delay = parsePositive(param(f, "delay_ms")).value_or(0);
      behaviour = *b;
      behaviour_left = count == 0 ? -1 : count;
      if (count == 0) behaviour = Behaviour::kSucceed;
      behaviour_delay = std::chrono::milliseconds(delay);
      return json(200, R"({"ok":true})");
    }
    if (path == "/_sim/completion") {
      const auto o = parseOutcome(param(f, "outcome"));
      if (!o) return json(400, R"({"error":"outcome must be success, partial or error"})");
      completion = *o;
      if (auto n = parsePositive(param(f, "after_polls"))) complete_after = static_cast<int>(*n);
      partial_remains = parsePositive(param(f, "remains"));
      return json(200, R"({"ok":true})");
    }
    if (path == "/_sim/stats") {
      std::string out;
      JsonWriter w(out);
      w.beginObject().field("add_calls", total_add_calls).field("status_calls", status_calls);
      w.key("add_calls_by_ref").beginObject();
      for (const auto& [k, n] : add_calls) w.field(k, n);
      w.endObject();
      w.key("orders").beginArray();
      for (const auto& o : orders) {
        const OrderView& v = o.view;
        w.beginObject()
            .field("id", v.provider_order_id)
            .field("dialect", v.dialect)
            .field("kind", domain::toString(v.kind))
            .field("service", v.service);
        w.key("data").beginArray();
        for (const auto& d : v.data) w.string(d);
        w.endArray();
        w.field("quantity", v.quantity)
            .field("idempotency_key", v.idempotency_key)
            .field("status", domain::toString(v.status))
            .field("polls", v.polls)
            .endObject();
      }
      w.endArray().endObject();
      return json(200, std::move(out));
    }
    return json(404, R"({"error":"no such path"})");
  }

  // ---------------------------------------------------------------- http

  Answer handle(const http::request<http::string_body>& req) {
    std::string path(req.target());
    std::string query;
    if (auto q = path.find('?'); q != std::string::npos) {
      query = path.substr(q + 1);
      path.resize(q);
    }
    Form f = parseForm(req.body());
    for (auto& kv : parseForm(query)) f.push_back(std::move(kv));
    std::unique_lock lock(mu);
    Answer a = route(path, req.method() == http::verb::post, f, lock);
    if (polled) {
      polled = false;
      persist();
    }
    return a;
  }

  Answer route(const std::string& path, bool post, const Form& f, std::unique_lock<std::mutex>& lock) {
    if (path.rfind("/_sim/", 0) == 0) return control(path, f);
    if (path == "/api/v2") {
      if (!post) return smmError("Use POST");
      return smm(f, lock);
    }
    if (path == "/api/social-media" || path == "/api/game") {
      if (!post) return envelopeError(405, "method not allowed; use POST");
      return osimesa(path == "/api/game" ? Kind::kGame : Kind::kSocialMedia, f, lock);
    }
    return envelopeError(404, "no such path: " + path);
  }

  void serve(tcp::socket sock) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      http::read(sock, buffer, parser, ec);
      if (ec) break;
      const auto& req = parser.get();
      Answer a = handle(req);
      if (a.drop) break;
      http::response<http::string_body> res{static_cast<http::status>(a.status), req.version()};
      res.set(http::field::server, "warung-provider-simulator");
      res.set(http::field::content_type, a.content_type);
      res.keep_alive(req.keep_alive());
      res.body() = std::move(a.body);
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec || !res.keep_alive()) break;
    }
    std::lock_guard lock(mu);
    // Deregister before closing: the descriptor number may be reused right after.
    connection_fds.erase(sock.native_handle());
    sock.shutdown(tcp::socket::shutdown_both, ec);
    sock.close(ec);
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket sock) {
      if (ec) return;  // closed by stop()
      {
        std::lock_guard lock(mu);
        if (stopping) return;
        connection_fds.insert(sock.native_handle());
        ++active_connections;
      }
      // The socket lives on the heap and dies inside the thread body: nothing of it
      // may be destroyed after the count drops, when stop() may destroy the io_context.
      auto owned = std::make_unique<tcp::socket>(std::move(sock));
      std::thread([this, owned = std::move(owned)]() mutable {
        serve(std::move(*owned));
        owned.reset();
        std::lock_guard lock(mu);
        --active_connections;
        cv.notify_all();
      }).detach();
      accept();
    });
  }
};

ProviderSimulator::ProviderSimulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
ProviderSimulator::ProviderSimulator() : ProviderSimulator(Options{}) {}
ProviderSimulator::~ProviderSimulator() { stop(); }

void ProviderSimulator::start() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    if (m.started) throw std::runtime_error("provider simulator: start() called twice");
    m.restore();
    m.started = true;
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(m.options.host, ec);
  if (ec) throw std::runtime_error("provider simulator: bad host '" + m.options.host + "'");
  const tcp::endpoint endpoint(address, m.options.port);
  m.acceptor.open(endpoint.protocol(), ec);
  if (!ec) m.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(endpoint, ec);
  if (!ec) m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("provider simulator: cannot listen on {}:{}: {}", m.options.host,
                                         m.options.port, ec.message()));
  }
  m.bound_port = m.acceptor.local_endpoint().port();
  m.accept();
  m.io_thread = std::thread([&m] { m.io.run(); });
}

void ProviderSimulator::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    if (!m.started || m.stopping) return;
    m.stopping = true;
  }
  m.cv.notify_all();
  asio::post(m.io, [&m] {
    beast::error_code ec;
    m.acceptor.close(ec);
  });
  if (m.io_thread.joinable()) m.io_thread.join();
  std::unique_lock lock(m.mu);
  // Wakes connection threads blocked reading; each closes its own socket.
  for (int fd : m.connection_fds) ::shutdown(fd, SHUT_RDWR);
  m.cv.wait(lock, [&m] { return m.active_connections == 0; });
}

std::uint16_t ProviderSimulator::port() const { return impl_->bound_port; }

std::string ProviderSimulator::baseUrl() const {
  return fmt::format("http://{}:{}", impl_->options.host, port());
}

std::string ProviderSimulator::smmV2Url() const { return baseUrl() + "/api/v2"; }

domain::Provider ProviderSimulator::provider(std::string_view dialect, std::string name,
                                             std::int64_t timeout_ms) const {
  domain::Provider p;
  p.name = std::move(name);
  p.dialect = std::string(dialect);
  p.base_url = dialect == "smm-v2" ? smmV2Url() : baseUrl();
  p.api_key = impl_->options.api_key;
  p.secret = dialect == "osimesa" ? impl_->options.user_id : "";
  p.timeout_ms = timeout_ms;
  return p;
}

void ProviderSimulator::setAddBehaviour(Behaviour b, int count, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mu);
  impl_->behaviour = count == 0 ? Behaviour::kSucceed : b;
  impl_->behaviour_left = count <= 0 ? -1 : count;
  impl_->behaviour_delay = delay;
}

void ProviderSimulator::setCompletion(Outcome outcome, int after_polls, std::optional<std::int64_t> remains) {
  std::lock_guard lock(impl_->mu);
  impl_->completion = outcome;
  impl_->complete_after = after_polls;
  impl_->partial_remains = remains;
}

int ProviderSimulator::addCalls(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->add_calls.find(key);
  return it == impl_->add_calls.end() ? 0 : it->second;
}

int ProviderSimulator::totalAddCalls() const {
  std::lock_guard lock(impl_->mu);
  return impl_->total_add_calls;
}

int ProviderSimulator::statusCalls() const {
  std::lock_guard lock(impl_->mu);
  return impl_->status_calls;
}

std::vector<ProviderSimulator::OrderView> ProviderSimulator::orders() const {
  std::lock_guard lock(impl_->mu);
  std::vector<OrderView> out;
  out.reserve(impl_->orders.size());
  for (const auto& o : impl_->orders) out.push_back(o.view);
  return out;
}

std::optional<ProviderSimulator::OrderView> ProviderSimulator::findOrder(
    const std::string& provider_order_id) const {
  std::lock_guard lock(impl_->mu);
  auto* o = impl_->find(provider_order_id);
  if (o == nullptr) return std::nullopt;
  return o->view;
}

}  // namespace warung::dispatch
