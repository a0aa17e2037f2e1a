// An answered order survives the process being killed: the writer answers only after
// COMMIT, so every order a client heard about is in the file when it is reopened.
// (SIGKILL does not lose the OS page cache; surviving power loss is synchronous=FULL's
// job, which a test cannot show.)
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <string>

#include "store/sqlite/order_writer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/support.hpp"

namespace warung::store::sqlite {
namespace {

using testing::makeOrder;
using testing::newAccount;
using testing::TempDir;

constexpr int kOrders = 400;

// Runs in the forked child: places orders and reports each accepted ref on `fd`, one
// line per order, then waits to be killed.
[[noreturn]] void childPlaceOrders(const std::string& path, int fd) {
  SqliteStore store(path);
  auto acc = store.findAccountByUserId("victim");
  if (!acc.ok()) _exit(2);
  WriterConfig cfg;
  cfg.max_batch = 16;
  SqliteOrderWriter writer(path, cfg);
  for (int i = 0; i < kOrders; ++i) {
    const std::string ref = "K" + std::to_string(i);
    writer.submit(makeOrder(acc->id, ref, 1, ref, 10), [fd, ref](Result<Placed> r) {
      if (!r.ok()) return;
      const std::string line = ref + "\n";
      if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(3);
    });
  }
  for (;;) pause();
}

TEST(Durability, AnsweredOrdersSurviveSigkill) {
  TempDir dir;
  const std::string path = dir.file("warung.db");
  std::int64_t account_id = 0;
  {
    SqliteStore store(path);
    auto acc = store.createAccount(newAccount("victim"));
    ASSERT_TRUE(acc.ok());
    account_id = acc->id;
    ASSERT_TRUE(store.adjustBalance(account_id, Money{1000000}, "seed", 1).ok());
  }

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    childPlaceOrders(path, fds[1]);
  }
  close(fds[1]);

  // Kill the child mid-stream, once some (not necessarily all) orders were answered.
  std::set<std::string> answered;
  std::string buffer;
  char chunk[512];
  while (answered.size() < kOrders / 4) {
    const ssize_t n = read(fds[0], chunk, sizeof chunk);
    ASSERT_GT(n, 0) << "child ended early";
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      answered.insert(buffer.substr(0, nl));
      buffer.erase(0, nl + 1);
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  close(fds[0]);

  SqliteStore store(path);
  for (const std::string& ref : answered) {
    EXPECT_TRUE(store.findOrderByRef(ref).ok()) << ref << " was answered but is gone";
  }
  OrderFilter f;
  f.account_id = account_id;
  f.limit = kOrders;
  auto orders = store.listOrders(f);
  ASSERT_TRUE(orders.ok());
  EXPECT_GE(orders->size(), answered.size());
  // Whatever was written, money adds up.
  auto accounts = store.listAccounts();
  ASSERT_TRUE(accounts.ok());
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ(accounts->front().balance, Money{1000000 - 10 * static_cast<std::int64_t>(orders->size())});
  EXPECT_EQ(store.ledgerSum(account_id).value(), accounts->front().balance);
}

}  // namespace
}  // namespace warung::store::sqlite
