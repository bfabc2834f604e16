// Float kernels for the vector ops that reduce, normalise or move data along axes: ONNX's
// reductions, LayerNormalization and InstanceNormalization, Slice, Split, Expand, Tile and
// Where. evaluateVectorOp (vector_ops.h) calls them; each takes the node for its attributes
// and the output shapes the IR inferred, and refuses what ONNX forbids with InputError.
#pragma once

#include <string>
#include <vector>

#include "xbar/ir/node.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

enum class Reduction { Mean, Sum, Max };

// ReduceMean/ReduceSum/ReduceMax over the axes of the `axes` attribute or, from opset 13 for
// ReduceSum, of input 1; every axis when none are given (unless noop_with_empty_axes).
// Sums accumulate in double.
Tensor reduce(const ir::Node& n, const std::vector<const Tensor*>& in, Reduction kind,
              const std::vector<int64_t>& out, const std::string& where);

// LayerNormalization over the dims from `axis` (default -1) on: (x - mean) / sqrt(var + eps)
// x scale + bias, statistics in double.
Tensor layerNorm(const ir::Node& n, const std::vector<const Tensor*>& in, const std::string& where);

// InstanceNormalization: per sample and channel over the spatial dims, then the channel's
// scale and bias.
Tensor instanceNorm(const ir::Node& n, const std::vector<const Tensor*>& in,
                    const std::string& where);

// Slice (opset 10 on: starts, ends, axes, steps as inputs; before: attributes), with ONNX's
// clamping of out-of-range starts and ends. A step of 0 is refused.
Tensor slice(const ir::Node& n, const std::vector<const Tensor*>& in,
             const std::vector<int64_t>& out, const std::string& where);

// Split along `axis` into the outputs' extents (as the IR inferred them).
std::vector<Tensor> split(const ir::Node& n, const Tensor& x,
                          const std::vector<std::vector<int64_t>>& outs, const std::string& where);

// Gather along `axis` (default 0) by constant indices (negative ones count from the end), as
// ViT's class-token read x[:, 0].
Tensor gather(const ir::Node& n, const Tensor& x, const Tensor& indices,
              const std::vector<int64_t>& out, const std::string& where);

// Expand and Tile: x broadcast to, or repeated into, the output shape.
Tensor expand(const Tensor& x, const std::vector<int64_t>& out, const std::string& where);
Tensor tile(const Tensor& x, const std::vector<int64_t>& out, const std::string& where);

// Where(condition, x, y) under numpy broadcasting: x where the condition is nonzero.
Tensor selectWhere(const Tensor& condition, const Tensor& x, const Tensor& y,
                   const std::vector<int64_t>& out, const std::string& where);

// Min and Max over one or more inputs under numpy broadcasting.
Tensor extremum(const std::vector<const Tensor*>& in, bool largest, const std::vector<int64_t>& out,
                const std::string& where);

// Resize (opset 11 on) in nearest or linear mode, axis by axis, with ONNX's coordinate
// transformation modes half_pixel, pytorch_half_pixel, align_corners and asymmetric.
Tensor resize(const ir::Node& n, const std::vector<const Tensor*>& in,
              const std::vector<int64_t>& out, const std::string& where);

}  // namespace xbar::reference
