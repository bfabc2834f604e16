#include "compile_pipeline.h"

#include "cli.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/atomic_file.h"

namespace xbar::cli {

arch::ArchConfig loadArchFromFlags(const std::string& nameOrPath,
                                   const std::vector<std::string>& overrides) {
  std::vector<arch::Override> parsed;
  for (const std::string& flag : overrides) parsed.push_back(arch::parseOverride(flag));
  return arch::loadArch(arch::resolveArchPath(nameOrPath, archPresetDir()), parsed);
}

PlannedModel planModel(const ir::Graph& graph, const mapping::Mapping& mapping,
                       const arch::ArchConfig& arch, const PlanRequest& request) {
  const auto partitioner = partition::makePartitioner(request.partitioner);
  partition::PartitionerOptions options;
  options.objective = cost::objectiveFromName(request.objective);
  options.seed = request.seed;
  PlannedModel planned;
  planned.costs = std::make_unique<cost::CostModel>(graph, mapping, arch, request.batch);
  planned.plan = partitioner->run(*planned.costs, options);
  return planned;
}

CompiledModel compileModel(const std::filesystem::path& model, const std::string& arch,
                           const std::vector<std::string>& overrides, const PlanRequest& request) {
  CompiledModel c;
  c.arch = loadArchFromFlags(arch, overrides);
  frontend::LoadOptions load;
  load.shapesOnly = true;
  c.graph = frontend::loadPreparedGraph(model, load);
  c.mapping = mapping::mapGraph(c.graph, c.arch);
  c.planned = planModel(c.graph, c.mapping, c.arch, request);
  c.program = codegen::generateProgram(c.planned.costs->groups(), c.arch, c.planned.plan.batch,
                                       partition::partitionRanges(c.planned.plan))
                  .program;
  return c;
}

void writePlanAndProgram(const std::filesystem::path& dir, const partition::Plan& plan,
                         const mapping::Mapping& mapping, const codegen::Program& program) {
  codegen::saveProgram(program, dir / "program.xasm");
  writeFileAtomically(dir / "plan.json", partition::planToJson(plan, mapping).dump(2) + "\n");
}

}  // namespace xbar::cli
