#include "dispatch/adapters/smm_v2.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "dispatch/adapters/parse_util.hpp"

namespace warung::dispatch::adapters {
namespace {

namespace json = boost::json;
using domain::RemoteState;
using domain::RemoteStatus;
using Params = std::vector<std::pair<std::string, std::string>>;

// Panels commonly cap a multi-status call at 100 ids.
constexpr std::size_t kMaxIdsPerStatusCall = 100;

Params base(const domain::Provider& p, const char* action) {
  return {{"key", p.api_key}, {"action", action}};
}

bool isNotFoundError(std::string_view message) {
  const std::string m = normalizeWord(message);
  return m.find("incorrect order") != std::string::npos || m.find("not found") != std::string::npos ||
         m.find("invalid order") != std::string::npos;
}

RemoteStatus unknownFor(const std::string& id, std::string reason, std::string raw) {
  RemoteStatus s;
  s.state = RemoteState::kUnknown;
  s.provider_order_id = id;
  s.reason = std::move(reason);
  s.raw = std::move(raw);
  return s;
}

std::string compact(const json::value& v) { return json::serialize(v); }

}  // namespace

SmmV2Adapter::SmmV2Adapter(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {}

AddResult SmmV2Adapter::add(const domain::Provider& p, const AddRequest& req) {
  Params params = base(p, "add");
  params.emplace_back("service", req.provider_service);
  params.emplace_back("link", req.data[0]);
  params.emplace_back("quantity", std::to_string(req.quantity));

  AddResult out;
  auto reply = postForm(*http_, p.base_url, params, p.timeout_ms);
  if (!reply) {
    out.raw = "transport error: " + reply.error().detail;
    out.reason = reply.error().detail;
    out.outcome = surelyNotDelivered(reply.error()) ? AddOutcome::kRefused : AddOutcome::kUnknown;
    return out;
  }
  out.raw = reply->body;
  const long http_status = reply->status;
  auto doc = parseJson(reply->body);
  const json::value* root = doc ? &*doc : nullptr;
  if (auto order = jsonText(member(root, "order")); order && !order->empty()) {
    // The panel says the order exists, whatever the HTTP status.
    out.outcome = AddOutcome::kAccepted;
    out.provider_order_id = *order;
    return out;
  }
  if (http_status >= 500) {
    out.outcome = AddOutcome::kUnknown;
    out.reason = "HTTP " + std::to_string(http_status);
    return out;
  }
  if (const json::value* err = member(root, "error")) {
    out.outcome = AddOutcome::kRefused;
    out.reason = jsonText(err).value_or(compact(*err));
    return out;
  }
  out.outcome = AddOutcome::kUnknown;
  out.reason = root == nullptr
                   ? "answer is not JSON (HTTP " + std::to_string(http_status) + ")"
                   : "answer has neither 'order' nor 'error' (HTTP " + std::to_string(http_status) + ")";
  return out;
}

RemoteStatus smmV2Entry(const json::value& entry, const std::string& provider_order_id, std::string raw) {
  RemoteStatus s;
  s.provider_order_id = provider_order_id;
  s.raw = std::move(raw);
  if (const json::value* err = member(&entry, "error")) {
    const std::string message = jsonText(err).value_or(compact(*err));
    s.state = isNotFoundError(message) ? RemoteState::kNotFound : RemoteState::kUnknown;
    s.reason = message;
    return s;
  }
  const auto word = jsonText(member(&entry, "status"));
  if (!word) {
    s.state = RemoteState::kUnknown;
    s.reason = "entry has no 'status'";
    return s;
  }
  s.start_count = jsonWhole(member(&entry, "start_count"));
  s.remain = jsonWhole(member(&entry, "remains"));
  const std::string w = normalizeWord(*word);
  if (w == "pending") {
    s.state = RemoteState::kPending;
  } else if (w == "in progress" || w == "inprogress" || w == "processing") {
    s.state = RemoteState::kProcessing;
  } else if (w == "completed" || w == "complete") {
    s.state = RemoteState::kSuccess;
  } else if (w == "partial") {
    s.state = s.remain ? RemoteState::kPartial : RemoteState::kUnknown;
    if (!s.remain) s.reason = "status Partial without a readable 'remains'";
  } else if (w == "canceled" || w == "cancelled") {
    s.state = RemoteState::kError;
    s.reason = *word;
  } else {
    s.state = RemoteState::kUnknown;
    s.reason = "unknown status '" + *word + "'";
  }
  return s;
}

std::vector<RemoteStatus> SmmV2Adapter::status(const domain::Provider& p,
                                               const std::vector<std::string>& ids) {
  std::vector<RemoteStatus> out;
  out.reserve(ids.size());
  for (std::size_t first = 0; first < ids.size(); first += kMaxIdsPerStatusCall) {
    const std::size_t last = std::min(ids.size(), first + kMaxIdsPerStatusCall);
    const bool single = last - first == 1;
    Params params = base(p, "status");
    if (single) {
      params.emplace_back("order", ids[first]);
    } else {
      std::string joined;
      for (std::size_t i = first; i < last; ++i) {
        if (i > first) joined += ',';
        joined += ids[i];
      }
      params.emplace_back("orders", joined);
    }
    auto reply = postForm(*http_, p.base_url, params, p.timeout_ms);
    auto failAll = [&](const std::string& reason, const std::string& raw) {
      for (std::size_t i = first; i < last; ++i) out.push_back(unknownFor(ids[i], reason, raw));
    };
    if (!reply) {
      failAll(reply.error().detail, "transport error: " + reply.error().detail);
      continue;
    }
    if (reply->status >= 500) {
      failAll("HTTP " + std::to_string(reply->status), reply->body);
      continue;
    }
    auto doc = parseJson(reply->body);
    if (!doc || !doc->is_object()) {
      failAll("status answer is not a JSON object", reply->body);
      continue;
    }
    const json::object& obj = doc->get_object();
    if (single && !obj.contains(ids[first])) {
      // The single-order shape: the entry itself (or {"error": ...}).
      out.push_back(smmV2Entry(*doc, ids[first], reply->body));
      continue;
    }
    if (!single && obj.size() == 1 && obj.contains("error")) {
      // The whole call was refused (bad key, ...): nothing is known of any order.
      failAll(jsonText(obj.if_contains("error")).value_or("error"), reply->body);
      continue;
    }
    for (std::size_t i = first; i < last; ++i) {
      const json::value* entry = obj.if_contains(ids[i]);
      if (entry == nullptr) {
        out.push_back(unknownFor(ids[i], "order missing from the status answer", reply->body));
      } else {
        out.push_back(smmV2Entry(*entry, ids[i], compact(*entry)));
      }
    }
  }
  return out;
}

domain::RemoteStatus SmmV2Adapter::lookup(const domain::Provider&, const std::string&) {
  return unknownFor("", "smm-v2 cannot look up by our reference", "");
}

Result<Money> SmmV2Adapter::balance(const domain::Provider& p) {
  auto reply = postForm(*http_, p.base_url, base(p, "balance"), p.timeout_ms);
  if (!reply) return reply.error();
  auto doc = parseJson(reply->body);
  const json::value* root = doc ? &*doc : nullptr;
  if (auto amount = jsonWhole(member(root, "balance"), Rounding::kHalfUp)) return Money{*amount};
  if (const json::value* err = member(root, "error")) {
    return makeError(Errc::kUnavailable, "provider refused: " + jsonText(err).value_or(compact(*err)));
  }
  return makeError(Errc::kInternal, "unrecognised balance answer (HTTP " + std::to_string(reply->status) +
                                        "): " + truncated(reply->body));
}

Result<std::vector<RemoteService>> SmmV2Adapter::services(const domain::Provider& p) {
  auto reply = postForm(*http_, p.base_url, base(p, "services"), p.timeout_ms);
  if (!reply) return reply.error();
  auto doc = parseJson(reply->body);
  if (!doc || !doc->is_array()) {
    if (const json::value* err = member(doc ? &*doc : nullptr, "error")) {
      return makeError(Errc::kUnavailable, "provider refused: " + jsonText(err).value_or(compact(*err)));
    }
    return makeError(Errc::kInternal, "services answer is not a JSON array (HTTP " +
                                          std::to_string(reply->status) + "): " + truncated(reply->body));
  }
  std::vector<RemoteService> out;
  for (const json::value& e : doc->get_array()) {
    auto code = jsonText(member(&e, "service"));
    auto rate = jsonWhole(member(&e, "rate"), Rounding::kCeil);
    // Entries without a code or a readable rate cannot be routed to: skipped.
    if (!code || code->empty() || !rate) continue;
    RemoteService s;
    s.code = *code;
    s.name = jsonText(member(&e, "name")).value_or("");
    s.category = jsonText(member(&e, "category")).value_or("");
    s.kind = domain::Kind::kSocialMedia;
    s.rate = Money{*rate};
    s.min = jsonWhole(member(&e, "min")).value_or(0);
    s.max = jsonWhole(member(&e, "max")).value_or(0);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace warung::dispatch::adapters
