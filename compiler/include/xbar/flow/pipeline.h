// The compiler's pipeline as every caller uses it (docs/design.md §1): an arch from a preset
// or file with overrides; a model loaded, prepared and mapped; partitioned by a named
// partitioner for an objective and batch; and turned into a program. The command line, the
// sweeps, the benchmarks and the tests all go through here, so a new stage is wired once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/codegen/program.h"
#include "xbar/cost/cost_model.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/partition/plan.h"

namespace xbar::flow {

// A preset name (looked up in `presetDir`) or a file, with `key.path=value` overrides.
arch::ArchConfig loadArch(const std::string& nameOrPath, const std::vector<std::string>& overrides,
                          const std::filesystem::path& presetDir);

struct PlanRequest {
  std::string partitioner = "compass";
  std::string objective = "throughput";
  int64_t batch = 1;
  uint64_t seed = 1;
};

struct PlannedModel {
  std::unique_ptr<cost::CostModel> costs;
  partition::Plan plan;
};

// Checks the partitioner and objective names before the expensive work.
PlannedModel planModel(const ir::Graph& graph, const mapping::Mapping& mapping,
                       const arch::ArchConfig& arch, const PlanRequest& request);

// The plan's program.
codegen::Program generateProgram(const PlannedModel& planned, const arch::ArchConfig& arch);

// A model compiled end to end: loaded (shapes only unless `load` says otherwise, since timing
// needs no weight values), mapped, planned and turned into a program.
inline frontend::LoadOptions shapesOnly() {
  frontend::LoadOptions o;
  o.shapesOnly = true;
  return o;
}
struct CompiledModel {
  arch::ArchConfig arch;
  ir::Graph graph;
  mapping::Mapping mapping;
  PlannedModel planned;
  codegen::Program program;
};
CompiledModel compileModel(const std::filesystem::path& model, arch::ArchConfig arch,
                           const PlanRequest& request, frontend::LoadOptions load = shapesOnly());

// DIR/program.xasm and DIR/plan.json, each written atomically.
void writePlanAndProgram(const std::filesystem::path& dir, const partition::Plan& plan,
                         const mapping::Mapping& mapping, const codegen::Program& program);

}  // namespace xbar::flow
