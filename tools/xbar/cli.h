// The xbar command line: one command with subcommands (CLI11). It only wires the stage
// libraries together. Exit codes: 0 success, 1 bad input (file, flag), 2 internal error.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "xbar/arch/arch_config.h"
#include "xbar/support/error.h"

namespace xbar::cli {

// Runs the command line; never throws.
int run(int argc, char** argv);

// Where presets live: $XBAR_ARCH_DIR, else the source tree's arch-configs/.
std::filesystem::path archPresetDir();

// --arch (a file or a preset name) with its -p key.path=value overrides.
arch::ArchConfig loadArchFromFlags(const std::string& nameOrPath,
                                   const std::vector<std::string>& overrides);

// Each subcommand registers itself and sets `action` to what runs when it is chosen.
using Action = std::function<void()>;
void addCompileCommand(CLI::App& app, Action& action);
void addArchCommand(CLI::App& app, Action& action);
void addOpsCommand(CLI::App& app, Action& action);
void addDisasmCommand(CLI::App& app, Action& action);
void addExperimentCommand(CLI::App& app, Action& action);
void addSimulateCommands(CLI::App& app, Action& action);
void addReportCommand(CLI::App& app, Action& action);
void addSweepCommand(CLI::App& app, Action& action);
void addValidateCommand(CLI::App& app, Action& action);

// Thrown by an action whose check failed (validate): exit status kExitValidationFailed.
class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace xbar::cli
