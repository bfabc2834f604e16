// Which operands of a matrix layer are binary (docs/design.md §9b), so the layer maps, costs
// and computes at one bit for them.
//  - Binary weights: every output channel's weights are +-s for one scale s of the channel
//    (Sign over a weight, times XNOR-Net's per-channel alpha, folded to a constant; a batch
//    norm folded after keeps that form). A stripped model's are marked by the folding.
//  - Binary inputs: the activation operand is a Sign's output, reached through ops that keep
//    +-1 values (reshapes, transposes, max pooling, padding, concatenation of binary values).
#pragma once

#include "xbar/ir/graph.h"
#include "xbar/mapping/matrix_layer.h"

namespace xbar::mapping {

bool hasBinaryWeights(const ir::Graph& graph, const MatrixLayer& layer);
bool hasBinaryInputs(const ir::Graph& graph, ir::ValueId activation);
// Spikes (0 or 1): a LIF's output through the same ops, or a spiking network's graph input
// (rate-coded spikes, the convention of docs/design.md §9b).
bool hasSpikeInputs(const ir::Graph& graph, ir::ValueId activation);

}  // namespace xbar::mapping
