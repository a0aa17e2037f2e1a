#pragma once
// `warung migrate` and `warung copy`: the database itself.
#include <CLI/CLI.hpp>
#include <functional>

#include "app/cli_common.hpp"

namespace warung::app {

void addDatabaseCommands(CLI::App& app, Common& common, std::function<void()>& action,
                         const std::function<void(CLI::App*, bool)>& add_common);

}  // namespace warung::app
