#include <iostream>

#include "cli.h"
#include "compass_experiment.h"
#include "xbar/support/error.h"

namespace xbar::cli {

void addExperimentCommand(CLI::App& app, Action& action) {
  struct Options {
    std::string name;
    std::string exports = XBAR_DEFAULT_EXPORT_DIR;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("experiment", "Run a built-in experiment: compass-paper");
  cmd->add_option("name", o->name, "Experiment name (compass-paper)")->required();
  cmd->add_option("--exports", o->exports, "Directory of exported models (NETWORK.stripped.onnx)")
      ->capture_default_str();
  cmd->callback([o, &action] {
    action = [o] {
      if (o->name != "compass-paper")
        failInput("xbar experiment " + o->name, "unknown experiment; expected compass-paper");
      std::cout << formatCompassExperiment(runCompassExperiment(o->exports, archPresetDir()));
    };
  });
}

}  // namespace xbar::cli
