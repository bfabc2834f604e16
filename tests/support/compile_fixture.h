// Loads a model and an arch and runs the compiler's stages up to mapping, for tests, through
// the pipeline every caller uses (flow/pipeline.h).
#pragma once

#include <string>
#include <vector>

#include "xbar/cost/cost_model.h"
#include "xbar/flow/pipeline.h"

namespace xbar::testing {

struct Compiled {
  ir::Graph graph;
  arch::ArchConfig arch;
  mapping::Mapping mapping;
};

inline Compiled compileStages(const std::string& modelPath, const std::string& arch,
                              const std::vector<std::string>& overrides = {}) {
  Compiled c;
  c.graph = frontend::loadPreparedGraph(modelPath, flow::shapesOnly());
  c.arch = flow::loadArch(arch, overrides, XBAR_ARCH_DIR);
  c.mapping = mapping::mapGraph(c.graph, c.arch);
  return c;
}

}  // namespace xbar::testing
