#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

namespace xbar::passes {

void verifyFolded(const ir::Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& n = graph.nodes[i];
    if (n.removed) continue;
    const std::string where = graph.source + ": " + graph.describe(static_cast<ir::NodeId>(i));
    switch (n.kind) {
      case ir::OpKind::ConstantOfShape:
      case ir::OpKind::Equal:
      case ir::OpKind::Range:
      case ir::OpKind::Mod:
      case ir::OpKind::Not:
      case ir::OpKind::ScatterND:
        failInput(where,
                  "its inputs are not constants; xbar computes {} only where it folds to a "
                  "constant (shape arithmetic), not on activations",
                  ir::opName(n.kind));
      case ir::OpKind::Where:
        if (!graph.value(n.inputs[0]).isConstant)
          failInput(where,
                    "its condition '{}' is not a constant; xbar selects with a constant "
                    "condition (a mask) only",
                    graph.value(n.inputs[0]).name);
        break;
      default:
        break;
    }
  }
}

}  // namespace xbar::passes
