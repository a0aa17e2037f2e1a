#pragma once
// The duplicate-pending rule on SQLite (at most one waiting or processing order per
// account, service and target), kept in memory by the order writer instead of by a
// unique index.
//
// Why: the index was keyed by account, so every order changed a page of it far from
// the last order's, and group commit could not share those pages: about 1.2 of the
// 4.3 WAL frames an order wrote, and the largest single cost of an order after the
// inserts themselves (bench/README.md has the figures). Orders are placed by one
// writer per file (SqliteOrderWriter holds an exclusive lock for it), inside its write
// transaction, so the writer can know every pending order's key.
//
// The map holds, for each key (a hash of account, service and target), the ids of the
// orders placed under it that were pending when last seen. It may hold more than the
// pending orders, never fewer: the writer adds an order once its transaction places
// it (and forgets it again if that transaction rolls back), the SqliteStore of the
// same process forgets an order when a transition makes it final, and an order made
// final elsewhere (the CLI, another process) is forgotten the next time its key is
// ordered, when the writer reads the row and finds it final (or at the next start).
// A hash shared by two keys costs a row read, never a wrong answer: the row decides.
// Final is for ever (domain/order_state.cpp), so a forgotten order never comes back.
//
// Threads: used only while holding the file's write turn (write_turn.hpp), which owns it.
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace warung::store::sqlite {

class PendingTargets {
 public:
  using Key = std::uint64_t;
  using Map = std::unordered_multimap<Key, std::int64_t>;  // key -> order id

  static Key keyOf(std::int64_t account_id, std::int64_t service_id, std::string_view target);

  // The orders under `key`, to check and to erase() those no longer pending.
  std::pair<Map::iterator, Map::iterator> range(Key key) { return map_.equal_range(key); }
  Map::iterator erase(Map::iterator it) { return map_.erase(it); }

  void add(Key key, std::int64_t order_id) { map_.emplace(key, order_id); }
  // Forgets `order_id` under `key`; nothing when it is not there.
  void remove(Key key, std::int64_t order_id);
  void clear() { map_.clear(); }
  std::size_t size() const { return map_.size(); }

 private:
  Map map_;
};

}  // namespace warung::store::sqlite
