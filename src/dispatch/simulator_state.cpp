#include "dispatch/simulator_state.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace warung::dispatch::detail {
namespace {

namespace json = boost::json;
constexpr std::int64_t kFormat = 1;

json::object toJson(const SimulatedOrder& o) {
  const auto& v = o.view;
  json::array data;
  for (const std::string& d : v.data) data.emplace_back(d);
  return json::object{{"id", v.id},
                      {"provider_order_id", v.provider_order_id},
                      {"dialect", v.dialect},
                      {"kind", domain::toString(v.kind)},
                      {"service", v.service},
                      {"data", std::move(data)},
                      {"quantity", v.quantity},
                      {"idempotency_key", v.idempotency_key},
                      {"polls", v.polls},
                      {"outcome", toString(o.outcome)},
                      {"final_remains", o.final_remains},
                      {"complete_after", o.complete_after},
                      {"created_at", o.created_at}};
}

std::string text(const json::object& o, std::string_view key) { return std::string(o.at(key).as_string()); }

SimulatedOrder fromJson(const json::object& j) {
  SimulatedOrder o;
  auto& v = o.view;
  v.id = j.at("id").as_int64();
  v.provider_order_id = text(j, "provider_order_id");
  v.dialect = text(j, "dialect");
  if (v.dialect != "smm-v2" && v.dialect != "osimesa")
    throw std::runtime_error("unknown dialect '" + v.dialect + "'");
  auto kind = domain::parseKind(text(j, "kind"));
  if (!kind) throw std::runtime_error("unknown kind '" + text(j, "kind") + "'");
  v.kind = *kind;
  v.service = text(j, "service");
  const json::array& data = j.at("data").as_array();
  if (data.size() != v.data.size()) throw std::runtime_error("data must have 3 entries");
  for (std::size_t i = 0; i < data.size(); ++i) v.data[i] = std::string(data[i].as_string());
  v.quantity = j.at("quantity").as_int64();
  v.idempotency_key = text(j, "idempotency_key");
  v.polls = static_cast<int>(j.at("polls").as_int64());
  const auto outcome = parseOutcome(j.at("outcome").as_string());
  if (!outcome) throw std::runtime_error("unknown outcome '" + text(j, "outcome") + "'");
  o.outcome = *outcome;
  o.final_remains = j.at("final_remains").as_int64();
  o.complete_after = static_cast<int>(j.at("complete_after").as_int64());
  o.created_at = j.at("created_at").as_int64();
  return o;
}

}  // namespace

void saveSimulatedOrders(const std::string& path, const std::vector<SimulatedOrder>& orders) {
  json::array list;
  list.reserve(orders.size());
  for (const SimulatedOrder& o : orders) list.emplace_back(toJson(o));
  const std::string body = json::serialize(json::object{{"format", kFormat}, {"orders", std::move(list)}});
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << body << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot replace " + path + ": " + ec.message());
}

std::vector<SimulatedOrder> loadSimulatedOrders(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return {};
    throw std::runtime_error("cannot read " + path);
  }
  std::stringstream body;
  body << in.rdbuf();
  try {
    const json::object doc = json::parse(body.str()).as_object();
    if (doc.at("format").as_int64() != kFormat) throw std::runtime_error("unknown format");
    std::vector<SimulatedOrder> out;
    for (const json::value& o : doc.at("orders").as_array()) out.push_back(fromJson(o.as_object()));
    return out;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + " is not a provider simulator's state: " + e.what());
  }
}

}  // namespace warung::dispatch::detail
