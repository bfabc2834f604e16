#include <algorithm>
#include <vector>

#include "xbar/passes/passes.h"

namespace xbar::passes {
namespace {

bool isBroadcastingBinary(ir::OpKind kind) {
  return kind == ir::OpKind::Add || kind == ir::OpKind::Sub || kind == ir::OpKind::Mul ||
         kind == ir::OpKind::Div;
}

// The nodes after `producer` that `operand` needs, in their order; empty when one of them
// needs `producer` (the operand cannot be computed before it).
std::vector<ir::NodeId> movableCone(const ir::Graph& graph, ir::NodeId producer,
                                    ir::ValueId operand) {
  std::vector<ir::NodeId> cone, stack;
  std::vector<bool> seen(graph.nodes.size(), false);
  const ir::NodeId first = graph.value(operand).producer;
  stack.push_back(first);
  seen[static_cast<size_t>(first)] = true;
  while (!stack.empty()) {
    const ir::NodeId id = stack.back();
    stack.pop_back();
    cone.push_back(id);
    for (ir::ValueId in : graph.node(id).inputs) {
      if (in == ir::kNoValue) continue;
      const ir::NodeId p = graph.value(in).producer;
      if (p == ir::kNoNode || p < producer) continue;
      if (p == producer) return {};
      if (!seen[static_cast<size_t>(p)]) {
        seen[static_cast<size_t>(p)] = true;
        stack.push_back(p);
      }
    }
  }
  std::sort(cone.begin(), cone.end());
  return cone;
}

}  // namespace

// Nodes are in topological order (compacted), so a node's ancestors after `producer` are
// found by walking back no further than it. Moving them, in their order, to just before
// `producer` keeps the order topological: each depends only on earlier nodes or on others
// moved with it, and every node left behind keeps its place relative to its inputs.
// The cone lies between the producer and node i, so node i keeps its index.
void hoistBroadcastOperands(ir::Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& n = graph.nodes[i];
    if (!isBroadcastingBinary(n.kind) || n.inputs.size() != 2 || n.outputs.empty()) continue;
    const int64_t out = graph.value(n.outputs[0]).elementCount();
    for (size_t k = 0; k < 2; ++k) {
      const ir::ValueId map = n.inputs[k], operand = n.inputs[1 - k];
      const ir::Value& m = graph.value(map);
      const ir::Value& b = graph.value(operand);
      if (m.producer == ir::kNoNode || b.producer == ir::kNoNode || b.isConstant ||
          m.elementCount() != out || b.elementCount() >= out || b.producer < m.producer)
        continue;
      const std::vector<ir::NodeId> cone = movableCone(graph, m.producer, operand);
      if (cone.empty()) continue;
      std::vector<ir::NodeId> order;
      order.reserve(graph.nodes.size());
      for (ir::NodeId id = 0; id < static_cast<ir::NodeId>(graph.nodes.size()); ++id) {
        if (id == m.producer) order.insert(order.end(), cone.begin(), cone.end());
        if (!std::binary_search(cone.begin(), cone.end(), id)) order.push_back(id);
      }
      graph.compact(order);
      break;  // `n` is gone with the old node list
    }
  }
}

}  // namespace xbar::passes
