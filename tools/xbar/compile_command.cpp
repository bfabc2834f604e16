#include <iostream>

#include <spdlog/spdlog.h>

#include "cli.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/cost/cost_model.h"
#include "xbar/flow/pipeline.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping.h"
#include "xbar/mapping/mapping_report.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::cli {
namespace {

struct CompileOptions {
  std::string model;
  std::string arch = "compass-sram-m";
  std::vector<std::string> overrides;
  std::vector<std::string> dims;
  bool mapOnly = false;
  bool shapesOnly = false;
  std::string json;
  flow::PlanRequest plan;
  std::string outDir;
};

std::map<std::string, int64_t> parseDims(const std::vector<std::string>& flags) {
  std::map<std::string, int64_t> dims;
  for (const std::string& flag : flags) {
    const auto eq = flag.find('=');
    int64_t value = 0;
    try {
      size_t used = 0;
      if (eq == std::string::npos) throw std::invalid_argument("no =");
      value = std::stoll(flag.substr(eq + 1), &used);
      if (used != flag.size() - eq - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      failInput("--dim " + flag, "expected NAME=SIZE with a positive integer size, e.g. --dim N=1");
    }
    if (value < 1) failInput("--dim " + flag, "size {} should be positive", value);
    dims[flag.substr(0, eq)] = value;
  }
  return dims;
}

void compile(const CompileOptions& o) {
  const arch::ArchConfig config = loadArchFromFlags(o.arch, o.overrides);
  frontend::LoadOptions load;
  load.shapesOnly = o.shapesOnly;
  load.dimValues = parseDims(o.dims);
  const ir::Graph graph = frontend::loadPreparedGraph(o.model, load);
  spdlog::debug("{} nodes after passes", graph.nodes.size());

  const mapping::Mapping m = mapping::mapGraph(graph, config);
  if (o.mapOnly) {
    std::cout << mapping::formatMappingTable(m);
    if (!o.json.empty()) {
      writeFileAtomically(o.json, mapping::mappingToJson(m).dump(2) + "\n");
      std::cout << "wrote " << o.json << "\n";
    }
    return;
  }
  const flow::PlannedModel planned = flow::planModel(graph, m, config, o.plan);
  std::cout << partition::formatPlanTable(planned.plan, m) << mapping::adcClippingLine(m);
  if (!o.outDir.empty()) {
    const std::filesystem::path dir = o.outDir;
    const codegen::Program program = flow::generateProgram(planned, config);
    flow::writePlanAndProgram(dir, planned.plan, m, program);
    std::cout << fmt::format("wrote {} ({} instructions on {} cores) and {}\n",
                             (dir / "program.xasm").string(), program.instructionCount(),
                             program.cores, (dir / "plan.json").string());
  }
}

}  // namespace

void addCompileCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* cmd = app.add_subcommand("compile", "Compile an ONNX model for a PIM chip");
  cmd->add_option("model", options->model, "ONNX model file")->required();
  cmd->add_option("-a,--arch", options->arch, "Arch config file or preset name")
      ->capture_default_str();
  cmd->add_option("-p,--param", options->overrides, "Override an arch key: key.path=value")
      ->take_all();
  cmd->add_option("--dim", options->dims, "Value of a symbolic input dimension: NAME=SIZE");
  cmd->add_flag("--map-only", options->mapOnly, "Stop after crossbar mapping and print it");
  cmd->add_flag("--shapes-only", options->shapesOnly,
                "Load shapes without weight data (for stripped or huge models)");
  cmd->add_option("--json", options->json,
                  "With --map-only: also write the mapping as JSON to this file");
  cmd->add_option("--partitioner", options->plan.partitioner,
                  "greedy, layerwise, compass or optimal")
      ->capture_default_str();
  cmd->add_option("--objective", options->plan.objective, "latency, throughput, energy or edp")
      ->capture_default_str();
  cmd->add_option("-b,--batch", options->plan.batch, "Samples per batch (B)")
      ->capture_default_str();
  cmd->add_option("--seed", options->plan.seed, "Seed of the compass genetic algorithm")
      ->capture_default_str();
  cmd->add_option("-o,--out", options->outDir, "Directory for plan.json and program.xasm");
  cmd->callback([options, &action] { action = [options] { compile(*options); }; });
}

}  // namespace xbar::cli
