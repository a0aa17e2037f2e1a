#include "dispatch/adapters/osimesa.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "common/crypto.hpp"
#include "dispatch/adapters/parse_util.hpp"

namespace warung::dispatch::adapters {
namespace {

namespace json = boost::json;
using domain::Kind;
using domain::RemoteState;
using domain::RemoteStatus;
using Params = std::vector<std::pair<std::string, std::string>>;

constexpr std::size_t kMaxRememberedKinds = 100'000;
// Envelope codes with which a warung server refuses before storing anything.
constexpr std::array<std::int64_t, 10> kRefusalCodes = {400, 401, 402, 403, 404, 405, 409, 413, 422, 503};

std::string endpoint(const domain::Provider& p, Kind kind) {
  return trimBaseUrl(p.base_url) + (kind == Kind::kGame ? "/api/game" : "/api/social-media");
}

Params base(const domain::Provider& p, const char* type) {
  return {{"key", p.api_key}, {"sign", crypto::md5Hex(p.secret + p.api_key)}, {"type", type}};
}

Kind other(Kind k) { return k == Kind::kGame ? Kind::kSocialMedia : Kind::kGame; }

// The envelope's fields, when the body is one.
struct Envelope {
  std::optional<json::value> doc;
  std::optional<std::int64_t> code;
  std::optional<bool> status;
  const json::value* data = nullptr;
  std::string message;
};

Envelope readEnvelope(const std::string& body) {
  Envelope e;
  e.doc = parseJson(body);
  if (!e.doc || !e.doc->is_object()) return e;
  const json::value* root = &*e.doc;
  e.code = jsonWhole(member(root, "code"));
  if (const json::value* s = member(root, "status"); s != nullptr && s->is_bool()) e.status = s->get_bool();
  e.data = member(root, "data");
  e.message = jsonText(member(root, "message")).value_or("");
  return e;
}

RemoteStatus unknown(std::string id, std::string reason, std::string raw) {
  RemoteStatus s;
  s.state = RemoteState::kUnknown;
  s.provider_order_id = std::move(id);
  s.reason = std::move(reason);
  s.raw = std::move(raw);
  return s;
}

}  // namespace

OsimesaAdapter::OsimesaAdapter(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {}

std::optional<Kind> OsimesaAdapter::hint(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = kinds_.find(key);
  if (it == kinds_.end()) return std::nullopt;
  return it->second;
}

void OsimesaAdapter::remember(const std::string& key, Kind kind) {
  if (key.empty()) return;
  std::lock_guard lock(mu_);
  if (kinds_.size() >= kMaxRememberedKinds) kinds_.clear();
  kinds_[key] = kind;
}

AddResult OsimesaAdapter::add(const domain::Provider& p, const AddRequest& req) {
  Params params = base(p, "order");
  params.emplace_back("service", req.provider_service);
  params.emplace_back("data1", req.data[0]);
  params.emplace_back("data2", req.kind == Kind::kSocialMedia ? std::to_string(req.quantity) : req.data[1]);
  params.emplace_back("data3", req.data[2]);
  params.emplace_back("idempotency_key", req.our_ref);
  remember(req.our_ref, req.kind);

  AddResult out;
  auto reply = postForm(*http_, endpoint(p, req.kind), params, p.timeout_ms);
  if (!reply) {
    out.raw = "transport error: " + reply.error().detail;
    out.reason = reply.error().detail;
    out.outcome = surelyNotDelivered(reply.error()) ? AddOutcome::kRefused : AddOutcome::kUnknown;
    return out;
  }
  out.raw = reply->body;
  const Envelope env = readEnvelope(reply->body);
  if (env.status == true) {
    if (auto ref = jsonText(member(env.data, "ref_id")); ref && !ref->empty()) {
      out.outcome = AddOutcome::kAccepted;
      out.provider_order_id = *ref;
      remember(*ref, req.kind);
      return out;
    }
  }
  if (env.status == false && env.code &&
      std::find(kRefusalCodes.begin(), kRefusalCodes.end(), *env.code) != kRefusalCodes.end()) {
    out.outcome = AddOutcome::kRefused;
    out.reason = std::to_string(*env.code) + " " + env.message;
    return out;
  }
  out.outcome = AddOutcome::kUnknown;
  if (!env.doc) {
    out.reason = "answer is not JSON (HTTP " + std::to_string(reply->status) + ")";
  } else if (env.code) {
    out.reason = "code " + std::to_string(*env.code) + " " + env.message;
  } else {
    out.reason = "unrecognised answer (HTTP " + std::to_string(reply->status) + ")";
  }
  return out;
}

RemoteStatus osimesaEntry(const json::value& entry, std::string raw) {
  RemoteStatus s;
  s.raw = std::move(raw);
  s.provider_order_id = jsonText(member(&entry, "ref_id")).value_or("");
  const json::value* detail = member(&entry, "detail");
  s.start_count = jsonWhole(member(detail, "start"));
  s.remain = jsonWhole(member(detail, "remain"));
  s.voucher = jsonText(member(&entry, "voucher")).value_or("");
  const auto word = jsonText(member(&entry, "status"));
  const std::string w = normalizeWord(word.value_or(""));
  if (w == "waiting") {
    s.state = RemoteState::kPending;
  } else if (w == "processing") {
    s.state = RemoteState::kProcessing;
  } else if (w == "success") {
    s.state = RemoteState::kSuccess;
  } else if (w == "partial") {
    // A game entry has no `detail`: partial without remain is still partial (the
    // domain ends a partial game in error with a refund). A social media entry with a
    // detail but no readable remain cannot be settled safely.
    const bool readable = s.remain.has_value() || detail == nullptr;
    s.state = readable ? RemoteState::kPartial : RemoteState::kUnknown;
    if (!readable) s.reason = "status partial without a readable detail.remain";
  } else if (w == "error") {
    s.state = RemoteState::kError;
    s.reason = jsonText(member(&entry, "note")).value_or("");
  } else {
    s.state = RemoteState::kUnknown;
    s.reason = word ? "unknown status '" + *word + "'" : "entry has no 'status'";
  }
  return s;
}

std::optional<RemoteStatus> OsimesaAdapter::parseWebhook(const std::string& body) {
  const std::optional<json::value> doc = parseJson(body);
  if (!doc || !doc->is_object()) return std::nullopt;
  RemoteStatus s = osimesaEntry(*doc, body);
  if (s.provider_order_id.empty()) return std::nullopt;
  return s;
}

RemoteStatus OsimesaAdapter::query(const domain::Provider& p, const char* param, const std::string& value,
                                   const std::string& hint_key, bool lookup) {
  const Kind first = hint(hint_key).value_or(Kind::kSocialMedia);
  int not_found = 0;
  RemoteStatus last = unknown(lookup ? "" : value, "no answer", "");
  for (Kind kind : {first, other(first)}) {
    Params params = base(p, "status");
    params.emplace_back(param, value);
    auto reply = postForm(*http_, endpoint(p, kind), params, p.timeout_ms);
    if (!reply) {
      // Without an answer from this endpoint nothing can be concluded.
      return unknown(lookup ? "" : value, reply.error().detail, "transport error: " + reply.error().detail);
    }
    const Envelope env = readEnvelope(reply->body);
    if (env.status == false && env.code == 404) {
      ++not_found;
      last = unknown(lookup ? "" : value, "404 " + env.message, reply->body);
      continue;
    }
    if (env.status != true || env.data == nullptr || !env.data->is_array()) {
      std::string reason = env.code
                               ? "code " + std::to_string(*env.code) + " " + env.message
                               : "unrecognised status answer (HTTP " + std::to_string(reply->status) + ")";
      return unknown(lookup ? "" : value, std::move(reason), reply->body);
    }
    const json::array& data = env.data->get_array();
    if (data.size() != 1) {
      return unknown(lookup ? "" : value,
                     "expected exactly one order in the answer, got " + std::to_string(data.size()),
                     reply->body);
    }
    const json::value& entry = data[0];
    if (lookup) {
      if (auto echoed = jsonText(member(&entry, "idempotency_key")); echoed && *echoed != value) {
        return unknown("", "the answer is another order (idempotency_key '" + *echoed + "')", reply->body);
      }
    } else if (auto ref = jsonText(member(&entry, "ref_id")); ref && *ref != value) {
      return unknown(value, "the answer is another order (ref_id '" + *ref + "')", reply->body);
    }
    RemoteStatus s = osimesaEntry(entry, reply->body);
    if (s.provider_order_id.empty() && !lookup) s.provider_order_id = value;
    if (lookup && s.provider_order_id.empty()) {
      return unknown("", "the answer carries no ref_id", reply->body);
    }
    remember(s.provider_order_id, kind);
    return s;
  }
  if (not_found == 2) {
    last.state = RemoteState::kNotFound;
    last.reason = "not found on either endpoint";
  }
  return last;
}

std::vector<RemoteStatus> OsimesaAdapter::status(const domain::Provider& p,
                                                 const std::vector<std::string>& ids) {
  std::vector<RemoteStatus> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(query(p, "ref_id", id, id, /*lookup=*/false));
  return out;
}

RemoteStatus OsimesaAdapter::lookup(const domain::Provider& p, const std::string& our_ref) {
  return query(p, "idempotency_key", our_ref, our_ref, /*lookup=*/true);
}

Result<Money> OsimesaAdapter::balance(const domain::Provider&) {
  return makeError(Errc::kInvalidArgument, "the osimesa dialect has no balance call");
}

Result<std::vector<RemoteService>> OsimesaAdapter::services(const domain::Provider& p) {
  std::vector<RemoteService> out;
  for (Kind kind : {Kind::kSocialMedia, Kind::kGame}) {
    auto reply = postForm(*http_, endpoint(p, kind), base(p, "service"), p.timeout_ms);
    if (!reply) return reply.error();
    const Envelope env = readEnvelope(reply->body);
    if (env.status != true || env.data == nullptr || !env.data->is_array()) {
      return makeError(env.status == false ? Errc::kUnavailable : Errc::kInternal,
                       std::string(kind == Kind::kGame ? "game" : "social-media") + " services: " +
                           (env.code ? "code " + std::to_string(*env.code) + " " + env.message
                                     : "unrecognised answer (HTTP " + std::to_string(reply->status) +
                                           "): " + truncated(reply->body)));
    }
    for (const json::value& e : env.data->get_array()) {
      auto code = jsonText(member(&e, "code"));
      auto rate = jsonWhole(member(member(&e, "price"), "current"), Rounding::kCeil);
      if (!code || code->empty() || !rate) continue;  // cannot be routed to
      RemoteService s;
      s.code = *code;
      s.name = jsonText(member(&e, "name")).value_or("");
      s.category = jsonText(member(member(&e, "category"), "main")).value_or("");
      s.kind = kind;
      s.rate = Money{*rate};
      if (kind == Kind::kSocialMedia) {
        const json::value* order = member(&e, "order");
        s.min = jsonWhole(member(order, "min")).value_or(0);
        s.max = jsonWhole(member(order, "max")).value_or(0);
      } else {
        s.min = 1;
        s.max = 1;
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace warung::dispatch::adapters
