// Loads a model and an arch and runs the compiler's stages, for tests.
#pragma once

#include <string>
#include <vector>

#include "xbar/arch/arch_loader.h"
#include "xbar/cost/cost_model.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping.h"

namespace xbar::testing {

struct Compiled {
  ir::Graph graph;
  arch::ArchConfig arch;
  mapping::Mapping mapping;
};

inline Compiled compileStages(const std::string& modelPath, const std::string& arch,
                              const std::vector<std::string>& overrides = {}) {
  Compiled c;
  frontend::LoadOptions options;
  options.shapesOnly = true;
  c.graph = frontend::loadPreparedGraph(modelPath, options);
  std::vector<arch::Override> parsed;
  for (const std::string& o : overrides) parsed.push_back(arch::parseOverride(o));
  c.arch = arch::loadArch(arch::resolveArchPath(arch, XBAR_ARCH_DIR), parsed);
  c.mapping = mapping::mapGraph(c.graph, c.arch);
  return c;
}

}  // namespace xbar::testing
