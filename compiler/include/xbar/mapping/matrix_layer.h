// A matrix op of the graph seen as weight matrices: `groups` independent K x N matrices
// (Conv groups; batched constant MatMul operands), each applied to `vectorsPerInference`
// input vectors in one inference.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xbar/ir/graph.h"

namespace xbar::mapping {

struct MatrixLayer {
  ir::NodeId node = ir::kNoNode;
  std::string name;
  ir::OpKind op = ir::OpKind::Conv;
  int64_t groups = 1;
  int64_t inputs = 0;   // K: rows of one group's matrix (Cin/groups x kernel for Conv)
  int64_t outputs = 0;  // N: columns of one group's matrix
  int64_t vectorsPerInference = 0;
  ir::ValueId weight = ir::kNoValue;
  ir::ValueId activation = ir::kNoValue;  // the other operand
  // Binary operands (binary_operands.h): the layer maps, costs and computes them at 1 bit.
  bool binaryWeights = false;
  bool binaryInputs = false;  // +-1
  bool spikeInputs = false;   // 0 or 1: a LIF's spikes, or a spiking network's input

  int64_t weightElements() const { return groups * inputs * outputs; }
  int64_t totalOutputs() const { return groups * outputs; }
};

// Every Conv, Gemm and MatMul whose weight operand is a constant, in graph order. Matrix ops
// whose operands are both activations (attention scores) are not crossbar layers and are
// left to the vector units.
std::vector<MatrixLayer> matrixLayers(const ir::Graph& graph);

}  // namespace xbar::mapping
