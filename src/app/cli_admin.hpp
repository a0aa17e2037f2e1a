#pragma once
// `warung admin ...`: operator accounts for the admin API and console, and script
// tokens. Passwords are read from --password or the first line of stdin.
#include <CLI/CLI.hpp>
#include <functional>

#include "app/cli_common.hpp"

namespace warung::app {

void addAdminCommands(CLI::App& app, Common& common, std::function<void()>& action,
                      const std::function<void(CLI::App*, bool)>& add_common);

}  // namespace warung::app
