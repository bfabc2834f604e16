// `xbar sweep SWEEP.yaml -o DIR [-j N] [--timeout S]`: the flags; the sweep itself is the
// sweep library's (sweep/include/xbar/sweep/coordinator.h).
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli.h"
#include "xbar/sweep/coordinator.h"

namespace xbar::cli {
namespace {

// Where bare workload names are looked up: $XBAR_EXPORT_DIR, else the build's exports.
std::filesystem::path exportDir() {
  if (const char* dir = std::getenv("XBAR_EXPORT_DIR"); dir != nullptr && *dir != '\0') return dir;
  return XBAR_DEFAULT_EXPORT_DIR;
}

}  // namespace

void addSweepCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<sweep::SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Run every point of a sweep file, each in its own process; resumable; under mpirun the "
      "points are spread over the ranks");
  cmd->add_option("sweep", options->file, "Sweep file (YAML)")->required();
  cmd->add_option("-o,--out", options->outDir, "Results directory")->required();
  cmd->add_option("-j,--jobs", options->jobs, "Points at a time (per rank)")->capture_default_str();
  cmd->add_option("--timeout", options->timeoutS, "Seconds a point may take (0: no limit)")
      ->capture_default_str();
  cmd->callback([&action, options] {
    action = [options] {
      options->paths = {archPresetDir(), exportDir()};
      sweep::runSweep(*options);
    };
  });
}

}  // namespace xbar::cli
