// Float kernels for the IR's vector ops: activations, element-wise arithmetic with numpy
// broadcasting, softmax, batch normalisation that was not folded, and data movement. They
// are shared by every reference (float, quantized, compiled): a vector op computes the same
// float result wherever the program runs it, so the references differ only in matrix ops.
#pragma once

#include <vector>

#include "xbar/ir/graph.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

// The tensor of a constant value; InputError when its data is absent (stripped weights).
Tensor constantTensor(const ir::Graph& graph, ir::ValueId id);

// True for the ops evaluateVectorOp computes (every op but Conv, Gemm, MatMul and the
// pooling ops, which need a library kernel).
bool isVectorOp(ir::OpKind kind);

// Computes node `id`'s outputs from its inputs (nullptr for an omitted optional input), in
// the shapes the IR gives them.
std::vector<Tensor> evaluateVectorOp(const ir::Graph& graph, ir::NodeId id,
                                     const std::vector<const Tensor*>& inputs);

}  // namespace xbar::reference
