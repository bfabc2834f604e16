#include <iostream>

#include "cli.h"
#include "xbar/schedule/operator_table.h"

namespace xbar::cli {

void addOpsCommand(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "ops", "Print every supported operator, where it runs and its vector cost (Markdown)");
  cmd->callback([&action] { action = [] { std::cout << schedule::operatorTableMarkdown(); }; });
}

}  // namespace xbar::cli
