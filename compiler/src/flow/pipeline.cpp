#include "xbar/flow/pipeline.h"

#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/atomic_file.h"

namespace xbar::flow {

arch::ArchConfig loadArch(const std::string& nameOrPath, const std::vector<std::string>& overrides,
                          const std::filesystem::path& presetDir) {
  std::vector<arch::Override> parsed;
  for (const std::string& flag : overrides) parsed.push_back(arch::parseOverride(flag));
  return arch::loadArch(arch::resolveArchPath(nameOrPath, presetDir), parsed);
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

codegen::Program generateProgram(const PlannedModel& planned, const arch::ArchConfig& arch) {
  return codegen::generateProgram(planned.costs->groups(), arch, planned.plan.batch,
                                  partition::partitionRanges(planned.plan))
      .program;
}

CompiledModel compileModel(const std::filesystem::path& model, arch::ArchConfig arch,
                           const PlanRequest& request, frontend::LoadOptions load) {
  CompiledModel c;
  c.arch = std::move(arch);
  c.graph = frontend::loadPreparedGraph(model, load);
  c.mapping = mapping::mapGraph(c.graph, c.arch);
  c.planned = planModel(c.graph, c.mapping, c.arch, request);
  c.program = generateProgram(c.planned, c.arch);
  return c;
}

void writePlanAndProgram(const std::filesystem::path& dir, const partition::Plan& plan,
                         const mapping::Mapping& mapping, const codegen::Program& program) {
  codegen::saveProgram(program, dir / "program.xasm");
  writeFileAtomically(dir / "plan.json", partition::planToJson(plan, mapping).dump(2) + "\n");
}

}  // namespace xbar::flow
