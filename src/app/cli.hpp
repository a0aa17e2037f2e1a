#pragma once
// The `warung` command line: serve, user, key, balance, service, order, ledger,
// migrate, copy. Every command takes --db PATH (or a postgresql:// URL) or --config
// FILE. Errors go to stderr with exit code 1 (2 for usage errors).
namespace warung::app {

int runCli(int argc, char** argv);

}  // namespace warung::app
