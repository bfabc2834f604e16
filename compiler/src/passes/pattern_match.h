// Matching the decomposed forms torch exports (GELU, SiLU, Mish, LayerNorm) backwards from
// their last node, for the fusion passes. Private to the passes library.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "xbar/ir/graph.h"

namespace xbar::passes::detail {

class PatternMatcher {
 public:
  explicit PatternMatcher(const ir::Graph& graph) : graph_(graph), consumers_(graph.consumers()) {}

  // The live node of `kind` that makes `v`, when `v` is an intermediate the fusion may
  // remove: read by exactly `uses` nodes and not a graph output.
  const ir::Node* inner(ir::ValueId v, ir::OpKind kind, size_t uses = 1) const {
    if (v == ir::kNoValue) return nullptr;
    const ir::Value& value = graph_.value(v);
    if (value.producer == ir::kNoNode) return nullptr;
    const ir::Node& n = graph_.node(value.producer);
    if (n.removed || n.kind != kind || consumers_[static_cast<size_t>(v)].size() != uses)
      return nullptr;
    if (std::find(graph_.outputs.begin(), graph_.outputs.end(), v) != graph_.outputs.end())
      return nullptr;
    return &n;
  }

  // The value of a one-element constant with data.
  std::optional<double> scalar(ir::ValueId v) const {
    if (v == ir::kNoValue) return std::nullopt;
    const ir::Value& value = graph_.value(v);
    if (!value.isConstant || !value.data || value.elementCount() != 1) return std::nullopt;
    return value.type == ir::ElementType::Float ? double(value.data->floats.at(0))
                                                : double(value.data->ints.at(0));
  }

  // Whether `v` is a one-element constant equal to `expected` to float precision.
  bool isScalar(ir::ValueId v, double expected) const {
    const auto s = scalar(v);
    return s && std::abs(*s - expected) <= 1e-6 * std::max(1.0, std::abs(expected));
  }

  // For a commutative binary node, the operand other than `known`, or kNoValue when `known`
  // is neither.
  static ir::ValueId other(const ir::Node& n, ir::ValueId known) {
    if (n.inputs.size() != 2) return ir::kNoValue;
    if (n.inputs[0] == known) return n.inputs[1];
    if (n.inputs[1] == known) return n.inputs[0];
    return ir::kNoValue;
  }

 private:
  const ir::Graph& graph_;
  std::vector<std::vector<ir::NodeId>> consumers_;
};

// Turns `last` into the fused op over `inputs`, removing `absorbed` (the chain before it).
inline void fuseInto(ir::Node& last, ir::OpKind kind, llvm::SmallVector<ir::ValueId, 3> inputs,
                     ir::Attributes attrs, const std::vector<const ir::Node*>& absorbed,
                     ir::Graph& graph) {
  for (const ir::Node* n : absorbed)
    graph.node(static_cast<ir::NodeId>(n - graph.nodes.data())).removed = true;
  last.kind = kind;
  last.inputs = std::move(inputs);
  last.attrs = std::move(attrs);
}

}  // namespace xbar::passes::detail
