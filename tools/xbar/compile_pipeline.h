// The steps the compile, run and arch commands share: the arch from --arch and -p flags,
// planning a mapped model, and writing the plan and the program.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/codegen/program.h"
#include "xbar/cost/cost_model.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/partition/plan.h"

namespace xbar::cli {

// --arch (a file or a preset name) with its -p key.path=value overrides.
arch::ArchConfig loadArchFromFlags(const std::string& nameOrPath,
                                   const std::vector<std::string>& overrides);

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

// A model compiled for simulation: shapes only (timing needs no weight values), mapped,
// planned and turned into a program. `run` and `sweep` share it.
struct CompiledModel {
  arch::ArchConfig arch;
  ir::Graph graph;
  mapping::Mapping mapping;
  PlannedModel planned;
  codegen::Program program;
};
CompiledModel compileModel(const std::filesystem::path& model, const std::string& arch,
                           const std::vector<std::string>& overrides, const PlanRequest& request);

// DIR/program.xasm and DIR/plan.json, each written atomically.
void writePlanAndProgram(const std::filesystem::path& dir, const partition::Plan& plan,
                         const mapping::Mapping& mapping, const codegen::Program& program);

}  // namespace xbar::cli
