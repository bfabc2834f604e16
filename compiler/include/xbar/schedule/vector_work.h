// What each non-matrix op costs the vector unit, in element operations (the VectorOp action of
// arch/actions.h): one row per op of the IR, so pooling costs its window, softmax what it
// computes, and a reshape nothing. The cost model and the program both read it through
// LayerGroup::vectorOps. Counts are per lane operation; the sources are the ops' definitions
// (ONNX operator docs), and where a lane needs several operations for one function (sigmoid,
// tanh) the count is marked as xbar's assumption.
#pragma once

#include <span>
#include <string_view>

#include "xbar/ir/graph.h"
#include "xbar/ir/op_kind.h"

namespace xbar::schedule {

// Element operations one node costs, per inference (all samples of its input).
double vectorElementOps(const ir::Graph& graph, const ir::Node& node);

// The table as text rows (op, formula), for docs and tests.
struct VectorOpCost {
  ir::OpKind kind;
  std::string_view formula;
};
std::span<const VectorOpCost> vectorOpCosts();

}  // namespace xbar::schedule
