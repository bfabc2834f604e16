// Small passes over the Graph IR, each testable alone (docs/design.md §1 "passes").
#pragma once

#include "xbar/ir/graph.h"

namespace xbar::passes {

// Identity and Dropout (inference mode) forward their input; their uses are rewired.
void dropIdentityAndDropout(ir::Graph& graph);

// Evaluates Shape/Gather/Cast/Unsqueeze/Squeeze/Reshape/Flatten/Concat/Add/Sub/Mul/Div/
// Sign/ConstantOfShape/Equal/Where/Range/Expand nodes whose inputs are all constants with data
// (Shape only needs a static input shape), turning their outputs into constants. Repeats until
// nothing changes.
void foldConstants(ir::Graph& graph);

// ConstantOfShape, Equal, Range, Mod, Not and ScatterND must have folded to constants (they only do
// shape arithmetic in xbar), and Where must select with a constant condition: throws InputError
// naming the node otherwise.
void verifyFolded(const ir::Graph& graph);

// GELU (the erf form), SiLU and Mish as torch exports them at opset 13 become one Gelu, Silu
// or Mish node each (docs/design.md §3 "Fused patterns"): costed and computed as what they
// are. A chain whose intermediates are read elsewhere, or whose constants differ, stays.
void fuseActivations(ir::Graph& graph);

// LayerNorm's opset-13 decomposition (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, then
// an optional Mul and Add by constants) becomes one LayerNormalization over the trailing axes.
void fuseLayerNormalization(ir::Graph& graph);

// Folds BatchNormalization into the Conv or Gemm that feeds it (and nothing else), scaling
// the weights and adjusting the bias. Without weight data (stripped / shapes-only) the fold
// keeps shapes only. A BatchNormalization with no such producer stays a vector op.
void foldBatchNormalization(ir::Graph& graph);

// A broadcast operand computed apart from the value it is broadcast over (a ResNet block's
// time-embedding projection added to its conv's output map) is computed before that value's
// producer: its nodes move up, in their order, when none of them depends on the producer.
// The element-wise op then joins the map's layer group (docs/design.md §4), which streams the
// map with the small operand beside it, instead of the operand's group holding the whole map.
// Run on a compacted graph; keeps it compacted.
void hoistBroadcastOperands(ir::Graph& graph);

// Checks that every activation has a static positive shape and that matrix ops agree with
// their operands (channels, groups, K, output spatial size). Throws InputError naming the
// node and the mismatch.
void verifyShapes(const ir::Graph& graph);

// Every binary activation Sign(x - d) (docs/design.md §9b) takes a threshold xbar supports: d
// a constant (a scalar or per channel), or computed per instance, a statistic of fewer
// elements than x broadcast over it (INSTA-BNN's pooled moments through small layers). A
// threshold of as many elements as x, computed per element, is refused: throws InputError
// naming the Sign. Sign of any other value (a residual sum included) has threshold 0.
void verifySignThresholds(const ir::Graph& graph);

// The standard pipeline after loading: the passes above, in order, with compact() before the
// hoist.
void runStandardPasses(ir::Graph& graph);

}  // namespace xbar::passes
