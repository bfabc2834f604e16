#include "cli.h"

#include "xbar/flow/pipeline.h"

#include <cstdlib>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "xbar/support/error.h"

namespace xbar::cli {

arch::ArchConfig loadArchFromFlags(const std::string& nameOrPath,
                                   const std::vector<std::string>& overrides) {
  return flow::loadArch(nameOrPath, overrides, archPresetDir());
}

std::filesystem::path archPresetDir() {
  if (const char* dir = std::getenv("XBAR_ARCH_DIR"); dir != nullptr && *dir != '\0') return dir;
  return XBAR_DEFAULT_ARCH_DIR;
}

int run(int argc, char** argv) {
  CLI::App app("xbar: compiler and cycle-approximate simulator for crossbar PIM DNN accelerators");
  app.set_version_flag("--version", "xbar " XBAR_VERSION);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log what each stage does (to stderr)");
  app.require_subcommand(1);
  // Bad flags get the same one-line shape as every other bad input.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "xbar: error: " + std::string(e.what()) + " (see --help)\n";
  });
  Action action;
  addCompileCommand(app, action);
  addArchCommand(app, action);
  addOpsCommand(app, action);
  addDisasmCommand(app, action);
  addExperimentCommand(app, action);
  addSimulateCommands(app, action);
  addSweepCommand(app, action);
  addReportCommand(app, action);
  addValidateCommand(app, action);

  auto logger = spdlog::stderr_color_mt("xbar");
  logger->set_pattern("xbar: %l: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version or the parse error
    return code == 0 ? kExitOk : kExitBadInput;
  }
  if (verbose) spdlog::set_level(spdlog::level::debug);
  try {
    action();
    return kExitOk;
  } catch (const InputError& e) {
    std::cerr << "xbar: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const CheckFailed& e) {
    std::cerr << "xbar: validation failed: " << e.what() << "\n";
    return kExitValidationFailed;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the user gave that the file system refuses (too long, not permitted): their
    // input, named with the reason.
    std::cerr << "xbar: error: " << e.path1().string() << ": " << e.code().message() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "xbar: internal error (please report): " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace xbar::cli
