#include "dispatch/simulator_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
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

// A truncated state file would stop the simulator's next start (restore()).
void replaceFileDurably(const std::string& path, std::string_view body) {
  const std::string tmp = path + ".tmp";
  const auto fail = [](const std::string& what, const std::string& file) {
    return std::runtime_error("cannot " + what + " " + file + ": " + std::strerror(errno));
  };
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw fail("write", tmp);
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    for (std::size_t done = 0; done < body.size();) {
      const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw fail("write", tmp);
      done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd) != 0) throw fail("sync", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw fail("replace", path);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) throw fail("open the directory", dir);
  const int synced = ::fsync(dfd) == 0 ? 0 : errno;
  ::close(dfd);
  if (synced != 0) {
    errno = synced;  // as fsync left it, whatever close did
    throw fail("sync the directory", dir);
  }
}

void saveSimulatedOrders(const std::string& path, const std::vector<SimulatedOrder>& orders) {
  json::array list;
  list.reserve(orders.size());
  for (const SimulatedOrder& o : orders) list.emplace_back(toJson(o));
  std::string body = json::serialize(json::object{{"format", kFormat}, {"orders", std::move(list)}});
  body += '\n';
  replaceFileDurably(path, body);
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
