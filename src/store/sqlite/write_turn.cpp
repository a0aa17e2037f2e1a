#include "store/sqlite/write_turn.hpp"

#include <filesystem>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <system_error>

namespace warung::store::sqlite {

std::shared_ptr<WriteTurn> processWriteTurn(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<WriteTurn>> turns;  // by canonical path
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::absolute(path, ec);
  if (!ec) canonical = std::filesystem::weakly_canonical(canonical, ec);
  const std::string key = ec ? path : canonical.string();  // unresolvable: as given
  std::lock_guard lock(mutex);
  for (auto it = turns.begin(); it != turns.end();) {  // forget files nobody writes any more
    it = it->second.expired() ? turns.erase(it) : std::next(it);
  }
  std::weak_ptr<WriteTurn>& slot = turns[key];
  std::shared_ptr<WriteTurn> turn = slot.lock();
  if (!turn) {
    turn = std::make_shared<WriteTurn>();
    slot = turn;
  }
  return turn;
}

}  // namespace warung::store::sqlite
