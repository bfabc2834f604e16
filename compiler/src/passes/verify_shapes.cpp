#include "xbar/ir/einsum_equation.h"
#include "xbar/ir/resize_modes.h"
#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

namespace xbar::passes {
namespace {

using ir::OpKind;

// A Conv's or ConvTranspose's input, weight and output: one rank of 3 to 5, and its group.
struct ConvShapes {
  const ir::Shape &x, &w, &y;
  int64_t group;
};
ConvShapes convShapes(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  const ir::Shape& x = g.value(n.inputs[0]).shape;
  const ir::Shape& w = g.value(n.input(1)).shape;
  const ir::Shape& y = g.value(n.outputs[0]).shape;
  if (x.size() < 3 || x.size() > 5 || w.size() != x.size() || y.size() != x.size())
    failInput(where, "input {}, weight {} and output {} should have one equal rank of 3 to 5",
              ir::shapeToString(x), ir::shapeToString(w), ir::shapeToString(y));
  const int64_t group = n.attrs.getInt("group", 1, where);
  if (group < 1) failInput(where, "group is {}; expected a positive integer", group);
  return {x, w, y, group};
}

void verifyConv(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  const auto [x, w, y, group] = convShapes(g, n, where);
  if (x[1] != w[1] * group)
    failInput(where, "input has {} channels but weight {} with group {} expects {}", x[1],
              ir::shapeToString(w), group, w[1] * group);
  if (w[0] % group != 0)
    failInput(where, "{} output channels do not divide into {} groups", w[0], group);
  if (y[1] != w[0])
    failInput(where, "output has {} channels; the weight has {} filters", y[1], w[0]);
  if (n.attrs.getString("auto_pad", "NOTSET", where) != "NOTSET") return;  // inference did it
  const size_t spatial = x.size() - 2;
  const auto strides = n.attrs.getInts("strides", std::vector<int64_t>(spatial, 1), where);
  const auto dilations = n.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1), where);
  const auto pads = n.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0), where);
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    failInput(where, "strides/dilations/pads should have {}/{}/{} entries", spatial, spatial,
              2 * spatial);
  for (size_t k = 0; k < spatial; ++k) {
    if (strides[k] < 1 || dilations[k] < 1)
      failInput(where, "strides and dilations should be positive");
    const int64_t extent = x[k + 2] + pads[k] + pads[k + spatial];
    const int64_t kernel = dilations[k] * (w[k + 2] - 1) + 1;
    const int64_t expected = (extent - kernel) / strides[k] + 1;
    if (expected != y[k + 2])
      failInput(where, "spatial dimension {} is {}; input, kernel, pads and strides give {}", k,
                y[k + 2], expected);
  }
}

// ConvTranspose as torch exports it: explicit pads and output_padding. The output of each
// spatial dimension is stride x (in - 1) + output_padding + dilation x (kernel - 1) + 1 - pads.
void verifyConvTranspose(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  const auto [x, w, y, group] = convShapes(g, n, where);
  if (x[1] != w[0] || w[0] % group != 0)
    failInput(where,
              "input has {} channels but weight {} (Cin, Cout / group, kernel) with group "
              "{} expects {} in whole groups",
              x[1], ir::shapeToString(w), group, w[0]);
  if (y[1] != w[1] * group)
    failInput(where, "output has {} channels; weight {} with group {} makes {}", y[1],
              ir::shapeToString(w), group, w[1] * group);
  const std::string autoPad = n.attrs.getString("auto_pad", "NOTSET", where);
  if ((autoPad != "NOTSET" && autoPad != "VALID") || n.attrs.has("output_shape"))
    failInput(where,
              "ConvTranspose with auto_pad {}{} is not supported; expected explicit pads "
              "and output_padding (as torch exports it)",
              autoPad, n.attrs.has("output_shape") ? " and output_shape" : "");
  const size_t spatial = x.size() - 2;
  const auto strides = n.attrs.getInts("strides", std::vector<int64_t>(spatial, 1), where);
  const auto dilations = n.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1), where);
  const auto pads = n.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0), where);
  const auto extra = n.attrs.getInts("output_padding", std::vector<int64_t>(spatial, 0), where);
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial ||
      extra.size() != spatial)
    failInput(where, "strides/dilations/pads/output_padding should have {}/{}/{}/{} entries",
              spatial, spatial, 2 * spatial, spatial);
  for (size_t k = 0; k < spatial; ++k) {
    if (strides[k] < 1 || dilations[k] < 1)
      failInput(where, "strides and dilations should be positive");
    if (pads[k] < 0 || pads[k + spatial] < 0 || extra[k] < 0 ||
        extra[k] >= std::max(strides[k], dilations[k]))
      failInput(where,
                "pads should be non-negative and output_padding below the stride or the "
                "dilation");
    const int64_t expected = strides[k] * (x[k + 2] - 1) + extra[k] +
                             dilations[k] * (w[k + 2] - 1) + 1 - pads[k] - pads[k + spatial];
    if (expected != y[k + 2])
      failInput(where,
                "spatial dimension {} is {}; input, kernel, pads, strides and "
                "output_padding give {}",
                k, y[k + 2], expected);
  }
}

void verifyGemm(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  const ir::Shape& a = g.value(n.inputs[0]).shape;
  const ir::Shape& b = g.value(n.input(1)).shape;
  if (a.size() != 2 || b.size() != 2)
    failInput(where, "operands {} and {} should both be matrices", ir::shapeToString(a),
              ir::shapeToString(b));
  const int64_t ka = n.attrs.getInt("transA", 0, where) ? a[0] : a[1];
  const int64_t kb = n.attrs.getInt("transB", 0, where) ? b[1] : b[0];
  if (ka != kb) failInput(where, "inner dimensions differ: {} vs {}", ka, kb);
  // C broadcasts to the output (M, N) in one direction: each of its trailing dims is 1 or
  // the output's.
  if (n.input(2) == ir::kNoValue) return;
  const ir::Shape& c = g.value(n.input(2)).shape;
  const ir::Shape& y = g.value(n.outputs[0]).shape;
  bool fits = c.size() <= y.size();
  for (size_t k = 0; fits && k < c.size(); ++k) {
    const int64_t d = c[c.size() - 1 - k];
    fits = d == 1 || d == y[y.size() - 1 - k];
  }
  if (!fits)
    failInput(where, "bias C has shape {}, which does not broadcast to the output {}",
              ir::shapeToString(c), ir::shapeToString(y));
}

// Reshape, Flatten, Squeeze and Unsqueeze move no element: the counts must agree.
void verifySameElements(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  const ir::Value& x = g.value(n.inputs[0]);
  const ir::Value& y = g.value(n.outputs[0]);
  if (x.elementCount() != y.elementCount())
    failInput(where, "turns {} ({} elements) into {} ({} elements); expected the same count",
              ir::shapeToString(x.shape), x.elementCount(), ir::shapeToString(y.shape),
              y.elementCount());
}

void verifyMatMul(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  const ir::Shape& a = g.value(n.inputs[0]).shape;
  const ir::Shape& b = g.value(n.input(1)).shape;
  if (a.empty() || b.empty()) failInput(where, "operands should not be scalars");
  const int64_t ka = a.back();
  const int64_t kb = b.size() == 1 ? b[0] : b[b.size() - 2];
  if (ka != kb) failInput(where, "inner dimensions differ: {} vs {}", ka, kb);
}

// Slice's starts, ends, axes and steps (opset 10 on) are constants with data, and no step
// is 0 (ONNX forbids it; shape inference does not check).
void verifySlice(const ir::Graph& g, const ir::Node& n, const std::string& where) {
  for (size_t k = 1; k < n.inputs.size(); ++k) {
    if (n.inputs[k] == ir::kNoValue) continue;
    const ir::Value& v = g.value(n.inputs[k]);
    if (!v.isConstant || !v.data)
      failInput(where,
                "input '{}' is computed; xbar slices by constant starts, ends, axes "
                "and steps",
                v.name);
    if (k == 4)
      for (int64_t step : v.data->ints)
        if (step == 0) failInput(where, "has a step of 0; expected nonzero steps");
  }
}

}  // namespace

void verifyShapes(const ir::Graph& g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (n.removed) continue;
    const std::string where = g.source + ": " + g.describe(static_cast<ir::NodeId>(i));
    for (ir::ValueId v : n.outputs) {
      if (v == ir::kNoValue) continue;
      for (int64_t d : g.value(v).shape)
        if (d < 1)
          failInput(where, "output '{}' has shape {}; expected positive static dimensions",
                    g.value(v).name, ir::shapeToString(g.value(v).shape));
    }
    if (ir::isMatrixOp(n.kind) && n.input(1) == ir::kNoValue)
      failInput(where, "has no second operand");
    switch (n.kind) {
      case OpKind::Conv:
        verifyConv(g, n, where);
        break;
      case OpKind::ConvTranspose:
        verifyConvTranspose(g, n, where);
        break;
      case OpKind::Gemm:
        verifyGemm(g, n, where);
        break;
      case OpKind::MatMul:
        verifyMatMul(g, n, where);
        break;
      case OpKind::Reshape:
      case OpKind::Flatten:
      case OpKind::Squeeze:
      case OpKind::Unsqueeze:
        verifySameElements(g, n, where);
        break;
      case OpKind::Slice:
        verifySlice(g, n, where);
        break;
      case OpKind::Einsum: {
        std::vector<std::vector<int64_t>> shapes;
        for (ir::ValueId in : n.inputs) shapes.push_back(g.value(in).shape);
        const ir::EinsumEquation e =
            ir::parseEinsum(n.attrs.getString("equation", "", where), shapes, where);
        const std::vector<int64_t> out(e.extents.begin(),
                                       e.extents.begin() + static_cast<long>(e.output.size()));
        if (out != g.value(n.outputs[0]).shape)
          failInput(where, "Einsum gives shape {} where shape inference says {}",
                    ir::shapeToString(out), ir::shapeToString(g.value(n.outputs[0]).shape));
        break;
      }
      case OpKind::Resize:
        if (const std::string bad = ir::unsupportedResize(n, where); !bad.empty())
          failInput(where, "{}", bad);
        break;
      default:
        break;
    }
  }
}

void runStandardPasses(ir::Graph& graph) {
  dropIdentityAndDropout(graph);
  foldConstants(graph);
  verifyFolded(graph);
  fuseActivations(graph);
  fuseLayerNormalization(graph);
  foldBatchNormalization(graph);
  graph.compact();
  hoistBroadcastOperands(graph);
  verifyShapes(graph);
  verifySignThresholds(graph);
}

}  // namespace xbar::passes
