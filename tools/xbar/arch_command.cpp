#include <iostream>

#include "cli.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/arch/arch_schema.h"
#include "xbar/arch/peak.h"
#include "xbar/flow/pipeline.h"
#include "xbar/support/atomic_file.h"

namespace xbar::cli {
void addArchCommand(CLI::App& app, Action& action) {
  CLI::App* cmd = app.add_subcommand("arch", "Inspect, check and save arch configs");
  cmd->require_subcommand(1);

  auto list = cmd->add_subcommand("list", "List the shipped presets");
  list->callback([&action] {
    action = [] {
      for (const std::string& name : arch::presetNames(archPresetDir())) std::cout << name << "\n";
    };
  });

  auto schema =
      cmd->add_subcommand("schema", "Print every config key with its unit and limits (Markdown)");
  schema->callback([&action] { action = [] { std::cout << arch::schemaMarkdown(); }; });

  struct PeakOptions {
    std::string arch;
    std::vector<std::string> overrides;
  };
  auto peak = std::make_shared<PeakOptions>();
  auto peakCmd = cmd->add_subcommand(
      "peak", "Peak throughput, power by component and efficiency (every crossbar busy)");
  peakCmd->add_option("arch", peak->arch, "Arch config file or preset name")->required();
  peakCmd->add_option("-p,--param", peak->overrides, "Override a key: key.path=value");
  peakCmd->callback([peak, &action] {
    action = [peak] {
      const arch::ArchConfig a = loadArchFromFlags(peak->arch, peak->overrides);
      std::cout << arch::formatPeak(a, arch::peakOf(a));
    };
  });

  struct ShowOptions {
    std::string arch;
    std::vector<std::string> overrides;
    std::string output;
  };
  auto show = std::make_shared<ShowOptions>();
  auto showCmd = cmd->add_subcommand(
      "show", "Validate a config and print it complete (extends and presets resolved)");
  showCmd->add_option("arch", show->arch, "Arch config file or preset name")->required();
  showCmd->add_option("-p,--param", show->overrides, "Override a key: key.path=value");
  showCmd->add_option("-o,--output", show->output, "Save the complete config to this file");
  showCmd->callback([show, &action] {
    action = [show] {
      const std::string yaml = arch::saveArch(loadArchFromFlags(show->arch, show->overrides));
      if (show->output.empty()) {
        std::cout << yaml;
      } else {
        writeFileAtomically(show->output, yaml);
        std::cout << "wrote " << show->output << "\n";
      }
    };
  });
}

}  // namespace xbar::cli
