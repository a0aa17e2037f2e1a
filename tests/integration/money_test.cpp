// Money safety under load: concurrent orders against balances that pay for only some
// of them, a SIGKILL in the middle of such a load, and a graceful SIGTERM.
//
// What every test proves, per account: no balance below zero, the ledger sums to the
// balance, and the money that left the account is exactly the charges of the orders
// stored for it (no order without its debit, no debit without its order).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "support/harness.hpp"

namespace warung::testing {
namespace {

namespace json = boost::json;

// A game service with a `number` input (so each order can have its own target) and a
// social media service with an odd per-1,000 price (so rounding up matters).
constexpr std::int64_t kGamePrice = 10'000;
constexpr std::int64_t kSocialPerThousand = 3'333;
constexpr const char* kCatalog = R"JSON([
  {"kind": "game", "code": "G1", "name": "Test Diamonds 100", "note": "",
   "category": {"main": "Test Game", "slug": "test-game"},
   "fields": {"title": "Masukkan Data", "info": "",
     "field1": {"type": "input", "input": {"type": "number", "label": "Player ID", "minlength": 1, "maxlength": 20, "placeholder": ""}},
     "field2": {"type": "none"}, "field3": {"type": "none"}},
   "price": {"list": {"standar": 10000, "premium": 9900, "spesial": 9800}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"},
  {"kind": "social-media", "code": "S1", "name": "Test Followers", "note": "",
   "category": {"main": "Test Followers", "type": "default"},
   "fields": {"info": "",
     "field1": {"type": "input", "input": {"type": "text", "label": "Link", "minlength": 1, "maxlength": 500, "placeholder": ""}},
     "field2": {"type": "input", "input": {"type": "number", "label": "Jumlah", "minlength": 1, "maxlength": 7, "placeholder": ""}},
     "field3": {"type": "none"}},
   "order": {"min": "100", "max": "100000"},
   "price": {"list": {"standar": 3333, "premium": 3300, "spesial": 3200}},
   "cutoff": {"start": "00:00", "end": "00:00"}, "status": "ready"}
])JSON";

std::int64_t socialCharge(std::int64_t quantity) { return (kSocialPerThousand * quantity + 999) / 1000; }

// One answered-with-success order, as the client saw it.
struct Accepted {
  std::size_t account = 0;
  std::string kind;
  std::string ref_id;
  std::int64_t charge = 0;
};

// What the client threads saw; guarded by `mu`.
struct Outcomes {
  std::mutex mu;
  std::vector<Accepted> accepted;
  std::vector<std::vector<std::int64_t>> refused_charges;  // per account: 402s, with the charge asked
  std::vector<std::string> unexpected;                     // any other answer
  std::size_t unknown = 0;                                 // no answer (connection failed)
  std::size_t unavailable = 0;                             // 503 (shutting down)
};

// Checks the books of one account in the database: balance not negative, ledger sums
// to it, and `initial - balance` is exactly the charges of the account's stored orders,
// each with its one ledger debit. Returns the stored orders by ref_id.
std::map<std::string, json::object> checkBooks(const std::string& db, const Reseller& r,
                                               std::int64_t initial) {
  std::map<std::string, json::object> stored;
  auto ledger = runCliJson({"ledger", r.user_id, "--json", "--limit", "1000000", "--db", db}).as_object();
  const std::int64_t balance = ledger.at("balance").as_int64();
  std::int64_t sum = 0;
  std::map<std::string, std::int64_t> debits;  // order ref -> ledger amount
  std::size_t credits = 0;
  for (const auto& ev : ledger.at("entries").as_array()) {
    const auto& e = ev.as_object();
    sum += e.at("amount").as_int64();
    const std::string reason(e.at("reason").as_string());
    if (reason == "order") {
      const std::string ref(e.at("ref").as_string());
      EXPECT_FALSE(debits.contains(ref)) << "two debits for order " << ref;
      debits[ref] = e.at("amount").as_int64();
    } else {
      EXPECT_EQ(reason, "credit") << json::serialize(e);
      ++credits;
    }
  }
  EXPECT_EQ(credits, 1u);
  EXPECT_GE(balance, 0) << r.user_id;
  EXPECT_EQ(sum, balance) << "ledger of " << r.user_id << " does not sum to its balance";

  std::int64_t charged = 0;
  for (const auto& ov : listOrdersJson(db, {"--user", r.user_id})) {
    const auto& o = ov.as_object();
    const std::string ref(o.at("ref_id").as_string());
    const std::int64_t price = o.at("price").as_int64();
    charged += price;
    auto d = debits.find(ref);
    if (d == debits.end()) {
      ADD_FAILURE() << "order " << ref << " of " << r.user_id << " has no ledger debit";
    } else {
      EXPECT_EQ(d->second, -price) << ref;
      debits.erase(d);
    }
    EXPECT_TRUE(stored.emplace(ref, o).second) << "order listed twice: " << ref;
  }
  for (const auto& [ref, amount] : debits)
    ADD_FAILURE() << "ledger debit " << amount << " for " << ref << " without an order";
  EXPECT_EQ(initial - balance, charged) << r.user_id;
  return stored;
}

class Money : public ::testing::Test {
 protected:
  void SetUp() override { importCatalog(db_, kCatalog, dir_); }

  TempDir dir_;
  const std::string db_ = testDatabase(dir_, "warung.db");
};

// 5 accounts, 8 threads x 60 game orders interleaving them: each account's balance pays
// for a known number of orders, and exactly that many are accepted.
TEST_F(Money, ConcurrentGameOrdersNeverOverspend) {
  constexpr std::size_t kAccounts = 5, kThreads = 8, kPerThread = 60;
  const std::int64_t affordable[kAccounts] = {3, 11, 24, 42, 70};
  std::vector<Reseller> users;
  std::vector<std::int64_t> initial;
  for (std::size_t i = 0; i < kAccounts; ++i) {
    initial.push_back(affordable[i] * kGamePrice + kGamePrice / 2 + static_cast<std::int64_t>(i));
    users.push_back(createReseller(db_, "load" + std::to_string(i), "standar", initial.back()));
  }
  ServerProcess server(db_);

  Outcomes out;
  out.refused_charges.resize(kAccounts);
  std::atomic<int> next_target{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(server.port());
      while (!go.load()) std::this_thread::yield();
      for (std::size_t k = 0; k < kPerThread; ++k) {
        const std::size_t a = (t + k) % kAccounts;
        const std::string target = std::to_string(100'000'000 + next_target.fetch_add(1));
        OrderAnswer ans;
        try {
          ans = postOrder(client, users[a], "game", "G1", target);
        } catch (const std::exception& e) {
          std::lock_guard lock(out.mu);
          out.unexpected.push_back(std::string("transport: ") + e.what());
          continue;
        }
        std::lock_guard lock(out.mu);
        if (ans.http == 200 && ans.ok && ans.code == 200 && !ans.ref_id.empty()) {
          out.accepted.push_back({a, "game", ans.ref_id, ans.price});
        } else if (ans.http == 402 && !ans.ok && ans.code == 402) {
          out.refused_charges[a].push_back(kGamePrice);
        } else {
          out.unexpected.push_back(std::to_string(ans.http) + " " + json::serialize(ans.json));
        }
      }
    });
  }
  const auto started = std::chrono::steady_clock::now();
  go = true;
  for (auto& th : threads) th.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  EXPECT_TRUE(out.unexpected.empty())
      << out.unexpected.size() << " unexpected answers, first: " << out.unexpected.front();
  std::set<std::string> all_refs;
  std::vector<std::set<std::string>> refs(kAccounts);
  for (const auto& acc : out.accepted) {
    EXPECT_EQ(acc.charge, kGamePrice);
    EXPECT_TRUE(all_refs.insert(acc.ref_id).second) << "ref_id answered twice: " << acc.ref_id;
    refs[acc.account].insert(acc.ref_id);
  }
  std::size_t total_refused = 0;
  for (std::size_t i = 0; i < kAccounts; ++i) {
    SCOPED_TRACE("account " + std::to_string(i));
    const auto n = static_cast<std::int64_t>(refs[i].size());
    EXPECT_EQ(n, initial[i] / kGamePrice) << "accepted must be exactly what the balance pays for";
    EXPECT_EQ(refs[i].size() + out.refused_charges[i].size(), kThreads * kPerThread / kAccounts);
    total_refused += out.refused_charges[i].size();

    const Books b = books(db_, users[i].user_id);
    EXPECT_EQ(b.balance, initial[i] - n * kGamePrice);
    EXPECT_GE(b.balance, 0);
    EXPECT_LT(b.balance, kGamePrice);
    EXPECT_EQ(b.ledger_sum, b.balance);
    EXPECT_EQ(b.entries, 1u + refs[i].size());

    auto stored = checkBooks(db_, users[i], initial[i]);
    std::set<std::string> stored_refs;
    for (const auto& [ref, o] : stored) {
      stored_refs.insert(ref);
      EXPECT_EQ(o.at("status").as_string(), "waiting");
      EXPECT_EQ(o.at("price").as_int64(), kGamePrice);
    }
    EXPECT_EQ(stored_refs, refs[i]) << "order list must hold exactly the accepted orders";
  }
  std::cout << "[ money ] game: " << out.accepted.size() << " accepted, " << total_refused
            << " refused (402) in " << secs << " s (" << static_cast<int>(kThreads * kPerThread / secs)
            << " orders/s)\n";
}

// Social media: the charge is ceil(price * quantity / 1000) and quantities vary, so each
// account runs dry at a different point. Every refusal must be a true one: the final
// balance is below the charge of every refused order (balances only go down here).
TEST_F(Money, ConcurrentSocialOrdersChargeExactlyAndNeverOverspend) {
  constexpr std::size_t kAccounts = 3, kThreads = 6, kPerThread = 60;
  const std::int64_t initial[kAccounts] = {1'000'003, 2'000'000, 3'000'017};
  std::vector<Reseller> users;
  for (std::size_t i = 0; i < kAccounts; ++i) {
    users.push_back(createReseller(db_, "smm" + std::to_string(i), "standar", initial[i]));
  }
  ServerProcess server(db_);

  Outcomes out;
  out.refused_charges.resize(kAccounts);
  std::map<std::string, std::int64_t> quantity_of;  // ref -> quantity asked, under out.mu
  std::atomic<int> next_target{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(server.port());
      std::mt19937 rng(static_cast<unsigned>(1234 + t));
      std::uniform_int_distribution<std::int64_t> qty(100, 20'000);
      while (!go.load()) std::this_thread::yield();
      for (std::size_t k = 0; k < kPerThread; ++k) {
        const std::size_t a = (t + k) % kAccounts;
        const std::int64_t q = qty(rng);
        const std::string link = "https://instagram.com/p/t" + std::to_string(next_target.fetch_add(1));
        OrderAnswer ans;
        try {
          ans = postOrder(client, users[a], "social-media", "S1", link, std::to_string(q));
        } catch (const std::exception& e) {
          std::lock_guard lock(out.mu);
          out.unexpected.push_back(std::string("transport: ") + e.what());
          continue;
        }
        std::lock_guard lock(out.mu);
        if (ans.http == 200 && ans.ok && !ans.ref_id.empty()) {
          EXPECT_EQ(ans.price, socialCharge(q)) << "quantity " << q;
          EXPECT_EQ(ans.json.at("data").at("detail").at("amount").as_int64(), q);
          out.accepted.push_back({a, "social-media", ans.ref_id, ans.price});
          quantity_of[ans.ref_id] = q;
        } else if (ans.http == 402 && !ans.ok && ans.code == 402) {
          out.refused_charges[a].push_back(socialCharge(q));
        } else {
          out.unexpected.push_back(std::to_string(ans.http) + " " + json::serialize(ans.json));
        }
      }
    });
  }
  go = true;
  for (auto& th : threads) th.join();

  EXPECT_TRUE(out.unexpected.empty())
      << out.unexpected.size() << " unexpected answers, first: " << out.unexpected.front();
  std::vector<std::int64_t> spent(kAccounts, 0);
  std::vector<std::set<std::string>> refs(kAccounts);
  for (const auto& acc : out.accepted) {
    spent[acc.account] += acc.charge;
    EXPECT_TRUE(refs[acc.account].insert(acc.ref_id).second);
  }
  std::size_t refused = 0;
  for (std::size_t i = 0; i < kAccounts; ++i) {
    SCOPED_TRACE("account " + std::to_string(i));
    refused += out.refused_charges[i].size();
    EXPECT_LE(spent[i], initial[i]);
    const Books b = books(db_, users[i].user_id);
    EXPECT_EQ(b.balance, initial[i] - spent[i]);
    EXPECT_GE(b.balance, 0);
    EXPECT_EQ(b.ledger_sum, b.balance);
    for (const std::int64_t c : out.refused_charges[i]) {
      EXPECT_LT(b.balance, c) << "an order of " << c << " was refused although the balance pays for it";
    }
    auto stored = checkBooks(db_, users[i], initial[i]);
    std::set<std::string> stored_refs;
    for (const auto& [ref, o] : stored) {
      stored_refs.insert(ref);
      ASSERT_TRUE(quantity_of.contains(ref)) << "stored order " << ref << " was never answered";
      EXPECT_EQ(o.at("quantity").as_int64(), quantity_of[ref]);
      EXPECT_EQ(o.at("price").as_int64(), socialCharge(quantity_of[ref]));
      EXPECT_EQ(o.at("remain").as_int64(), quantity_of[ref]);
    }
    EXPECT_EQ(stored_refs, refs[i]);
  }
  EXPECT_GT(refused, 0u) << "the balances were meant to run out";
  EXPECT_GT(out.accepted.size(), 0u);
  std::cout << "[ money ] social: " << out.accepted.size() << " accepted, " << refused << " refused (402)\n";
}

// Drives orders from `threads` client threads until `stop` is set or the server stops
// answering; records every answer in `out`.
struct LoadDriver {
  const std::vector<Reseller>& users;
  std::uint16_t port;
  Outcomes& out;
  std::atomic<bool> stop{false};
  std::atomic<int> successes{0};
  std::atomic<int> next_target{0};
  std::vector<std::thread> threads;

  LoadDriver(const std::vector<Reseller>& u, std::uint16_t p, Outcomes& o) : users(u), port(p), out(o) {
    out.refused_charges.resize(users.size());
  }
  ~LoadDriver() { join(); }

  void start(std::size_t n) {
    for (std::size_t t = 0; t < n; ++t) {
      threads.emplace_back([this, t] {
        HttpClient client(port);
        std::mt19937 rng(static_cast<unsigned>(99 + t));
        std::uniform_int_distribution<std::int64_t> qty(100, 5'000);
        for (std::size_t k = 0; !stop.load(); ++k) {
          const std::size_t a = (t + k) % users.size();
          const bool game = (k + t) % 3 != 0;
          const int n_target = next_target.fetch_add(1);
          const std::int64_t q = qty(rng);
          const std::int64_t charge = game ? kGamePrice : socialCharge(q);
          OrderAnswer ans;
          try {
            ans = game ? postOrder(client, users[a], "game", "G1", std::to_string(500'000'000 + n_target))
                       : postOrder(client, users[a], "social-media", "S1",
                                   "https://tiktok.com/@u" + std::to_string(n_target), std::to_string(q));
          } catch (const std::exception&) {
            std::lock_guard lock(out.mu);
            ++out.unknown;  // the server went away with this request in flight: outcome unknown
            return;
          }
          std::lock_guard lock(out.mu);
          if (ans.http == 200 && ans.ok && !ans.ref_id.empty()) {
            if (ans.price != charge)
              out.unexpected.push_back("charge " + std::to_string(ans.price) + " for " + ans.ref_id);
            out.accepted.push_back({a, game ? "game" : "social-media", ans.ref_id, ans.price});
            ++successes;
          } else if (ans.http == 402 && ans.code == 402 && !ans.ok) {
            out.refused_charges[a].push_back(charge);
          } else if (ans.http == 503 && !ans.ok) {
            ++out.unavailable;  // refused while shutting down: nothing charged
          } else {
            out.unexpected.push_back(std::to_string(ans.http) + " " + json::serialize(ans.json));
          }
        }
      });
    }
  }
  void join() {
    stop = true;
    for (auto& th : threads) {
      if (th.joinable()) th.join();
    }
  }
};

// Accounts for the crash and shutdown tests: one runs dry early, the others do not.
std::vector<std::int64_t> makeAccounts(const std::string& db, std::vector<Reseller>& users) {
  const std::vector<std::int64_t> initial{25 * kGamePrice + 7, 100'000'000, 100'000'000, 60 * kGamePrice};
  for (std::size_t i = 0; i < initial.size(); ++i) {
    users.push_back(createReseller(db, "crash" + std::to_string(i), "standar", initial[i]));
  }
  return initial;
}

TEST_F(Money, SigkillDuringLoadLosesNoAnsweredOrderAndKeepsBooksBalanced) {
  std::vector<Reseller> users;
  const auto initial = makeAccounts(db_, users);
  Outcomes out;
  std::size_t answered_before_kill = 0;
  {
    ServerProcess server(db_, {}, dir_.file("server1.log"));
    LoadDriver load(users, server.port(), out);
    load.start(8);
    ASSERT_TRUE(eventually([&] { return load.successes.load() >= 400; }, 30s))
        << "only " << load.successes.load() << " orders succeeded";
    const int status = server.stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
    load.join();
    std::lock_guard lock(out.mu);
    answered_before_kill = out.accepted.size();
  }
  EXPECT_TRUE(out.unexpected.empty()) << out.unexpected.front();
  ASSERT_GE(answered_before_kill, 400u);

  ServerProcess server(db_, {}, dir_.file("server2.log"));
  HttpClient client(server.port());
  std::vector<std::set<std::string>> answered(users.size());
  for (const auto& acc : out.accepted) {
    answered[acc.account].insert(acc.ref_id);
    auto o = orderStatus(client, users[acc.account], acc.kind, acc.ref_id);
    ASSERT_TRUE(o.is_object()) << "order " << acc.ref_id << " answered with success before the kill is gone";
    EXPECT_EQ(o.at("ref_id").as_string(), acc.ref_id);
    EXPECT_EQ(o.at("price").as_int64(), acc.charge);
  }
  std::size_t stored_total = 0;
  for (std::size_t i = 0; i < users.size(); ++i) {
    SCOPED_TRACE("account " + std::to_string(i));
    auto stored = checkBooks(db_, users[i], initial[i]);
    stored_total += stored.size();
    for (const auto& ref : answered[i])
      EXPECT_TRUE(stored.contains(ref)) << ref << " missing from order list";
  }
  // Orders stored but never answered can only be those in flight at the kill.
  EXPECT_LE(static_cast<std::int64_t>(stored_total) - static_cast<std::int64_t>(answered_before_kill),
            static_cast<std::int64_t>(out.unknown));
  std::cout << "[ money ] sigkill: " << answered_before_kill << " answered before the kill, " << stored_total
            << " stored, " << out.unknown << " requests cut off\n";

  // The restarted server still takes money correctly.
  auto ans = postOrder(client, users[1], "game", "G1", "777000777");
  EXPECT_EQ(ans.http, 200u) << json::serialize(ans.json);
  checkBooks(db_, users[1], initial[1]);
}

TEST_F(Money, SigtermWithOrdersInFlightExitsZeroAndKeepsEveryAnsweredOrder) {
  std::vector<Reseller> users;
  const auto initial = makeAccounts(db_, users);
  Outcomes out;
  ServerProcess server(db_);
  LoadDriver load(users, server.port(), out);
  load.start(4);
  ASSERT_TRUE(eventually([&] { return load.successes.load() >= 150; }, 30s));
  const int status = server.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status)) << "wait status " << status << "\n" << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  load.join();
  EXPECT_TRUE(out.unexpected.empty()) << out.unexpected.front();

  std::vector<std::set<std::string>> answered(users.size());
  for (const auto& acc : out.accepted) answered[acc.account].insert(acc.ref_id);
  std::size_t stored_total = 0;
  for (std::size_t i = 0; i < users.size(); ++i) {
    SCOPED_TRACE("account " + std::to_string(i));
    auto stored = checkBooks(db_, users[i], initial[i]);
    stored_total += stored.size();
    for (const auto& ref : answered[i])
      EXPECT_TRUE(stored.contains(ref)) << ref << " answered but not stored";
  }
  EXPECT_LE(static_cast<std::int64_t>(stored_total) - static_cast<std::int64_t>(out.accepted.size()),
            static_cast<std::int64_t>(out.unknown))
      << "orders stored without an answer although the drain answered everything in flight";
  std::cout << "[ money ] sigterm: " << out.accepted.size() << " answered, " << stored_total << " stored, "
            << out.unavailable << " refused with 503, " << out.unknown << " cut off\n";
}

// The books are only provable if the CLI returns every row it was asked for: an account
// with more than 10,000 orders must still list them all and its ledger must still sum.
TEST_F(Money, OrderListAndLedgerReturnEveryRowTheyWereAskedFor) {
  constexpr int kOrders = 10'050, kThreads = 8;
  const Reseller r = createReseller(db_, "busy", "standar", kOrders * kGamePrice);
  ServerProcess server(db_);
  std::atomic<int> next{0}, accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      HttpClient client(server.port());
      for (int n = next++; n < kOrders; n = next++) {
        if (postOrder(client, r, "game", "G1", std::to_string(300'000'000 + n)).http == 200) ++accepted;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(accepted.load(), kOrders);
  EXPECT_EQ(listOrdersJson(db_, {"--user", r.user_id}).size(), static_cast<std::size_t>(kOrders));
  const Books b = books(db_, r.user_id);
  EXPECT_EQ(b.balance, 0);
  EXPECT_EQ(b.entries, static_cast<std::size_t>(kOrders) + 1);
  EXPECT_EQ(b.ledger_sum, b.balance);
}

}  // namespace
}  // namespace warung::testing
