#include "app/cli_admin.hpp"

#include <fmt/format.h>

#include <iostream>

#include "api/admin/auth.hpp"
#include "common/password.hpp"

namespace warung::app {

void addAdminCommands(CLI::App& app, Common& common, std::function<void()>& action,
                      const std::function<void(CLI::App*, bool)>& add_common) {
  // Option storage lives as long as the App (static: one parse per process).
  static std::string username, password_opt, token_name, admin_name;

  auto* admin = app.add_subcommand("admin", "operators of the admin API and console")->require_subcommand(1);
  auto* create = admin->add_subcommand("create", "create an operator (password from --password or stdin)");
  add_common(create, false);
  create->add_option("USERNAME", username)->required();
  create->add_option("--password", password_opt,
                     "at least 10 characters (default: read one line from stdin)");
  create->callback([&] {
    action = [&] {
      Context ctx(common);
      std::string pw = password_opt;
      if (pw.empty()) std::getline(std::cin, pw);
      if (!pw.empty() && pw.back() == '\r') pw.pop_back();
      if (pw.size() < api::admin::kMinPasswordLength) {
        throw CommandError(
            fmt::format("the password must have at least {} characters", api::admin::kMinPasswordLength));
      }
      const std::string hash = orFail(password::hash(pw), "cannot hash the password");
      auto a = orFail(ctx.backend->admin().createAdmin(username, hash, ctx.clock.nowUnix()),
                      "cannot create admin");
      std::cout << fmt::format("admin {} created\n", a.username);
    };
  });
  auto* list = admin->add_subcommand("list", "list operators and their script tokens");
  add_common(list, true);
  list->callback([&] {
    action = [&] {
      Context ctx(common);
      auto admins = orFail(ctx.backend->admin().listAdmins(), "cannot list admins");
      auto tokens = orFail(ctx.backend->admin().listTokens(), "cannot list tokens");
      if (common.json) {
        json::array arr;
        for (const auto& a : admins) {
          json::array toks;
          for (const auto& t : tokens) {
            if (t.admin_id == a.id)
              toks.push_back(
                  json::object{{"name", t.name}, {"revoked", t.revoked}, {"created_at", t.created_at}});
          }
          arr.push_back(json::object{{"username", a.username},
                                     {"disabled", a.disabled},
                                     {"created_at", a.created_at},
                                     {"tokens", toks}});
        }
        return printJson(arr);
      }
      for (const auto& a : admins) {
        std::cout << fmt::format("{}{}\n", a.username, a.disabled ? " (disabled)" : "");
        for (const auto& t : tokens) {
          if (t.admin_id == a.id)
            std::cout << fmt::format("  token {}{}\n", t.name, t.revoked ? " (revoked)" : "");
        }
      }
    };
  });
  auto* token = admin->add_subcommand("token", "bearer tokens for scripts")->require_subcommand(1);
  auto* tcreate = token->add_subcommand("create", "create a token; prints it once");
  add_common(tcreate, true);
  tcreate->add_option("--admin", admin_name, "the operator the token acts as")->required();
  tcreate->add_option("--name", token_name, "a unique name for it")->required();
  tcreate->callback([&] {
    action = [&] {
      Context ctx(common);
      const std::string t = orFail(
          api::admin::createAdminToken(ctx.backend->admin(), admin_name, token_name, ctx.clock.nowUnix()),
          "cannot create token");
      if (common.json)
        return printJson(json::object{{"name", token_name}, {"admin", admin_name}, {"token", t}});
      std::cout << fmt::format(
          "token {} for {}: {}\nThe token is shown only now; send it as "
          "`Authorization: Bearer <token>`.\n",
          token_name, admin_name, t);
    };
  });
  auto* trevoke = token->add_subcommand("revoke", "revoke a token at once");
  add_common(trevoke, false);
  trevoke->add_option("NAME", token_name)->required();
  trevoke->callback([&] {
    action = [&] {
      Context ctx(common);
      orFail(ctx.backend->admin().revokeToken(token_name), "token " + token_name);
      std::cout << fmt::format("token {} revoked\n", token_name);
    };
  });
}

}  // namespace warung::app
