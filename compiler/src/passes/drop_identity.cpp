#include "xbar/passes/passes.h"

#include "xbar/support/error.h"

namespace xbar::passes {

void dropIdentityAndDropout(ir::Graph& graph) {
  const auto consumers = graph.consumers();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    ir::Node& node = graph.nodes[i];
    if (node.removed) continue;
    if (node.kind != ir::OpKind::Identity && node.kind != ir::OpKind::Dropout) continue;
    if (node.kind == ir::OpKind::Dropout) {
      // An inference graph must not depend on the mask, nor run Dropout in training mode.
      const ir::ValueId mask = node.outputs.size() > 1 ? node.outputs[1] : ir::kNoValue;
      if (mask != ir::kNoValue && !consumers[static_cast<size_t>(mask)].empty())
        failInput(graph.source, "{}: its mask output is used; xbar runs inference only",
                  graph.describe(static_cast<ir::NodeId>(i)));
    }
    graph.replaceAllUses(node.outputs[0], node.inputs[0]);
    node.removed = true;
  }
}

}  // namespace xbar::passes
