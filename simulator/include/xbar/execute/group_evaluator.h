// What a core computes when it finishes a layer group (docs/design.md §5, §9): the group's
// ops on the elements the core holds. Every element carries whether the core holds it, and
// an op makes an element only where it holds everything that element is computed from, so a
// box that a transfer never brought shows up as missing where it is read, not as a wrong
// number.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/reference/float_kernels.h"
#include "xbar/reference/quantized_matrix_ops.h"
#include "xbar/reference/tensor.h"
#include "xbar/schedule/layer_groups.h"

namespace xbar::execute {

// One sample of a value on one core: its elements (in the graph's shape) and which it holds.
struct HeldValue {
  reference::Tensor tensor;
  std::vector<uint8_t> present;
  static HeldValue empty(const std::vector<int64_t>& shape);
  bool holds(int64_t element) const { return present[static_cast<size_t>(element)] != 0; }
};

// One sample of a layer's matrix-output sums on one core, channels x vectors: the integer
// sums and how many weight rows each has summed so far.
struct HeldSums {
  std::vector<int64_t> acc;
  std::vector<int64_t> rows;
};

class GroupEvaluator {
 public:
  GroupEvaluator(const ir::Graph& graph, const schedule::LayerGroups& groups,
                 const mapping::Mapping& mapping, const reference::QuantizedMatrixOps& quantized);

  using Held = std::function<const HeldValue*(ir::ValueId)>;
  // Group `layer`'s values from what a core holds: `held(v)` of each value from outside the
  // group (nullptr: none of it), `sums` of the matrix op (nullptr: none; an element is
  // complete once all its rows are summed). Each value the group makes, by id.
  std::map<ir::ValueId, HeldValue> evaluate(int32_t layer, const Held& held, const HeldSums* sums);

  // The group whose ops make `value` (-1: a graph input or a constant), and whether they make
  // it before the matrix op (from values outside the group alone).
  int32_t producerGroup(ir::ValueId value) const { return producer_[static_cast<size_t>(value)]; }
  bool madeBeforeMatrix(ir::ValueId value) const { return early_[static_cast<size_t>(value)]; }

 private:
  HeldValue matrixOutput(int32_t layer, const HeldSums* sums) const;

  const ir::Graph& graph_;
  const schedule::LayerGroups& groups_;
  const mapping::Mapping& mapping_;
  const reference::QuantizedMatrixOps& quantized_;
  reference::FloatKernels kernels_;
  std::vector<std::vector<ir::NodeId>> nodes_;  // per group, in graph order
  std::vector<int32_t> producer_;               // per value
  std::vector<uint8_t> early_;                  // per value
  std::map<ir::ValueId, reference::Tensor> constants_;
};

}  // namespace xbar::execute
