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
//
// The table is open addressing with linear probing (a slot is a key and an order id,
// 16 bytes, in one array): a lookup reads one or two cache lines where a node-based
// std::unordered_multimap read the bucket array and then a node allocated on its own,
// and adding an order allocates nothing: with a million orders pending, 150-230 ns
// per new order (look up, add, forget one) against 550-690 ns (micro_bench,
// BM_PendingTargets*). It is split by the key's top bits into 1,024 shards, each
// doubling at 70 % full and halving under 1/8 full on its own: one table of a million
// orders stops its user for tens of milliseconds each time it doubles, as the
// multimap's rehash did (the order writer's batches of 55-99 ms in the bench's order
// runs; 196 ms for the slowest of two million adds, BM_PendingTargetsGrowth*), where
// a shard's growth costs one add 0.3 ms at most. Memory follows the pending orders:
// 23-46 bytes each while orders come in (the multimap: about 40), up to 128 once most
// have ended.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace warung::store::sqlite {

class PendingTargets {
 public:
  using Key = std::uint64_t;

  static Key keyOf(std::int64_t account_id, std::int64_t service_id, std::string_view target);

  // What visit() does after showing an order.
  enum class Next { kKeep, kForget, kStop };

  // Shows each order remembered under `key` to `seen` (order id -> Next), in no
  // particular order, until it returns kStop; kForget forgets that order. True when
  // `seen` stopped the visit.
  template <class Seen>
  bool visit(Key key, Seen&& seen);

  void add(Key key, std::int64_t order_id);
  // Forgets `order_id` under `key`; nothing when it is not there.
  void remove(Key key, std::int64_t order_id);
  void clear();
  std::size_t size() const { return size_; }
  std::size_t capacity() const;  // slots over all shards

 private:
  static constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
  static constexpr int kShardBits = 10;
  static constexpr std::size_t kMinCapacity = 16;  // per shard, once it holds an order
  struct Slot {
    Key key = 0;
    std::int64_t id = kEmpty;
  };
  struct Shard {
    std::vector<Slot> slots;  // a power of two long, or empty
    std::size_t size = 0;
    std::size_t home(Key key) const { return static_cast<std::size_t>(key) & (slots.size() - 1); }
  };

  Shard& shardOf(Key key) { return shards_[static_cast<std::size_t>(key >> (64 - kShardBits))]; }
  void eraseAt(Shard& s, std::size_t i);
  static void rehash(Shard& s, std::size_t capacity);
  void shrinkIfSparse(Shard& s);

  std::vector<Shard> shards_ = std::vector<Shard>(std::size_t{1} << kShardBits);
  std::size_t size_ = 0;
};

template <class Seen>
bool PendingTargets::visit(Key key, Seen&& seen) {
  Shard& s = shardOf(key);
  shrinkIfSparse(s);  // before the walk: erasing in it must not move the table
  if (s.slots.empty()) return false;
  const std::size_t mask = s.slots.size() - 1;
  std::size_t i = s.home(key);
  while (s.slots[i].id != kEmpty) {
    if (s.slots[i].key == key) {
      switch (seen(s.slots[i].id)) {
        case Next::kStop:
          return true;
        case Next::kForget:
          eraseAt(s, i);
          continue;  // a later order of the run may have moved into slot i
        case Next::kKeep:
          break;
      }
    }
    i = (i + 1) & mask;
  }
  return false;
}

}  // namespace warung::store::sqlite
