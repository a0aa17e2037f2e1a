#pragma once
// Command-line commands for fulfilment: provider, service route(s), webhook,
// user webhook, order show.
#include <CLI/CLI.hpp>
#include <functional>

#include "app/cli_common.hpp"

namespace warung::app {

// Registers the commands on `app`; the chosen command's work is stored in `action`.
// `service` and `user` and `order` are the existing command groups to extend.
void addFulfilmentCommands(CLI::App& app, CLI::App& service, CLI::App& user, CLI::App& order, Common& common,
                           std::function<void()>& action,
                           const std::function<void(CLI::App*, bool)>& add_common);

}  // namespace warung::app
