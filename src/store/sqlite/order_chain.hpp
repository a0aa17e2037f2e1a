#pragma once
// One account's orders, newest first, along the chains of migration 10: the account's
// latest_<kind>_order, then each order's prev_id (the account's previous order of the
// same kind; 0 ends the chain). Where an index of (account, kind, id) would change a
// page keyed by account for every order, the chain costs the order writer nothing it
// did not write anyway (migrations.cpp).
//
// A walk steps one statement from order to order, the newest first over every chain
// it was started on (one per kind). Each step is a new execution of the statement, so
// the caller keeps a read transaction open around the walk (another statement left on
// its row, as the one that read where the chains start) for every step to read the
// same snapshot. A row that does not follow (gone, another account or kind, or not
// older than the order before it) is a broken chain: the walk throws rather than loop
// or answer with another account's orders.
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "domain/types.hpp"
#include "store/sqlite/raw_statement.hpp"

namespace warung::store::sqlite::detail {

// Where sql::kSelectOrderInChain (and listOrders' statement) has prev_id: after the
// order's 24 columns.
inline constexpr int kOrderChainPrevColumn = 24;

class OrderChainWalk {
 public:
  // `step` reads one order by id (bound at `id_param`): the order's columns
  // (WARUNG_ORDER_COLUMNS, sql.hpp) and prev_id in `prev_column`, as
  // sql::kSelectOrderInChain does.
  OrderChainWalk(RawStatement& step, std::int64_t account_id, int id_param = 1,
                 int prev_column = kOrderChainPrevColumn)
      : use_(step), account_id_(account_id), id_param_(id_param), prev_column_(prev_column) {}

  // Adds the chain of `kind` whose newest order is `newest` (0: the account has none).
  void start(domain::Kind kind, std::int64_t newest) {
    if (chains_used_ == chains_.size()) throw std::logic_error("OrderChainWalk: more chains than kinds");
    chains_[chains_used_++] = Chain{kind, newest};
  }

  // Moves to the newest order not yet visited; false when every chain has ended. The
  // order is then the statement's current row (row()).
  bool next() {
    Chain* chain = nullptr;
    for (std::size_t i = 0; i < chains_used_; ++i) {
      if (chains_[i].next != 0 && (chain == nullptr || chains_[i].next > chain->next)) chain = &chains_[i];
    }
    if (chain == nullptr) return false;
    const std::int64_t id = chain->next;
    use_->rewind();  // keeps the caller's bindings (listOrders' filter)
    use_->bind(id_param_, id);
    if (!use_->step()) throw broken(*chain, id, "is not in the orders table");
    if (use_->int64(2) != account_id_ || use_->text(3) != domain::toString(chain->kind)) {
      throw broken(*chain, id, "belongs to another account or kind");
    }
    const std::int64_t prev = use_->int64(prev_column_);
    if (prev < 0 || prev >= id) throw broken(*chain, id, "names a previous order that is not older");
    chain->next = prev;
    return true;
  }

  RawStatement& row() { return *use_; }

 private:
  struct Chain {
    domain::Kind kind = domain::Kind::kSocialMedia;
    std::int64_t next = 0;
  };

  std::runtime_error broken(const Chain& c, std::int64_t id, std::string_view what) const {
    return std::runtime_error("the order chain of account " + std::to_string(account_id_) + " (" +
                              std::string(domain::toString(c.kind)) + ") is broken: order " +
                              std::to_string(id) + " " + std::string(what));
  }

  RawUse use_;
  std::int64_t account_id_;
  int id_param_;
  int prev_column_;
  std::array<Chain, 2> chains_{};
  std::size_t chains_used_ = 0;
};

}  // namespace warung::store::sqlite::detail
