#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

namespace xbar::passes {

void verifySignThresholds(const ir::Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& sign = graph.nodes[i];
    if (sign.removed || sign.kind != ir::OpKind::Sign) continue;
    const ir::Value& z = graph.value(sign.inputs[0]);
    if (z.producer == ir::kNoNode) continue;
    const ir::Node& p = graph.node(z.producer);
    // Sign(x - d) is the threshold form; Sign of anything else (a residual sum included) is
    // Sign(x) with threshold 0.
    if (p.kind != ir::OpKind::Sub) continue;
    const ir::Value& x = graph.value(p.inputs[0]);
    const ir::Value& threshold = graph.value(p.input(1));
    if (threshold.isConstant || threshold.elementCount() < x.elementCount()) continue;
    failInput(graph.source + ": " + graph.describe(static_cast<ir::NodeId>(i)),
              "takes a threshold '{}' computed per element ({} elements, as many as '{}'): a "
              "binary activation's threshold must be a constant (scalar or per channel) or a "
              "per-instance statistic broadcast over positions (docs/design.md §9b)",
              threshold.name, threshold.elementCount(), x.name);
  }
}

}  // namespace xbar::passes
