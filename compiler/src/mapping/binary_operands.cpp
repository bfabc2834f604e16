#include "xbar/mapping/binary_operands.h"

#include <cmath>

namespace xbar::mapping {
namespace {

// The weight's element for output o, input i, group g, in the layout the op reads it in.
float weightAt(const ir::Graph& graph, const MatrixLayer& layer, int64_t g, int64_t o, int64_t i) {
  const ir::Value& w = graph.value(layer.weight);
  const std::vector<float>& data = w.data->floats;
  const ir::Node& n = graph.node(layer.node);
  const auto at = [&](int64_t k) { return data[static_cast<size_t>(k)]; };
  switch (layer.op) {
    case ir::OpKind::Conv:  // (groups x outputs) x inputs
      return at((g * layer.outputs + o) * layer.inputs + i);
    case ir::OpKind::ConvTranspose: {  // (groups x Cin/groups) x outputs x kernel
      const int64_t kernel = w.elementCount() / (w.shape[0] * w.shape[1]);
      const int64_t channels = layer.inputs / kernel;
      return at(((g * channels + i / kernel) * layer.outputs + o) * kernel + i % kernel);
    }
    case ir::OpKind::Gemm:
      return n.attrs.getInt("transB", 0, "") != 0 ? at(o * layer.inputs + i)
                                                  : at(i * layer.outputs + o);
    default:  // MatMul: x . W has W as K x N per group, W . x has it as N x K
      return layer.weight == n.input(1) ? at((g * layer.inputs + i) * layer.outputs + o)
                                        : at((g * layer.outputs + o) * layer.inputs + i);
  }
}

bool keepsBinary(ir::OpKind k) {
  switch (k) {
    case ir::OpKind::Reshape:
    case ir::OpKind::Flatten:
    case ir::OpKind::Squeeze:
    case ir::OpKind::Unsqueeze:
    case ir::OpKind::Transpose:
    case ir::OpKind::MaxPool:
    case ir::OpKind::Pad:
    case ir::OpKind::Identity:
      return true;
    default:
      return false;
  }
}

// Whether `value` is made by a `source` op (or, where graphInputs, is a graph input) through
// ops that keep its values.
bool madeBy(const ir::Graph& graph, ir::ValueId value, ir::OpKind source, bool graphInputs) {
  const ir::Value& v = graph.value(value);
  if (v.isConstant) return false;
  if (v.producer == ir::kNoNode) return graphInputs;
  const ir::Node& n = graph.node(v.producer);
  if (n.kind == source) return true;
  if (n.kind == ir::OpKind::Concat) {
    for (ir::ValueId in : n.inputs)
      if (!madeBy(graph, in, source, graphInputs)) return false;
    return !n.inputs.empty();
  }
  return keepsBinary(n.kind) && madeBy(graph, n.inputs[0], source, graphInputs);
}

}  // namespace

bool hasBinaryWeights(const ir::Graph& graph, const MatrixLayer& layer) {
  const ir::Value& w = graph.value(layer.weight);
  if (!w.data) return w.binaryWithoutData;
  if (w.data->floats.empty() || layer.inputs < 2) return false;  // one weight is any value
  for (int64_t g = 0; g < layer.groups; ++g)
    for (int64_t o = 0; o < layer.outputs; ++o) {
      const float s = std::fabs(weightAt(graph, layer, g, o, 0));
      for (int64_t i = 1; i < layer.inputs; ++i)
        if (std::fabs(weightAt(graph, layer, g, o, i)) != s) return false;
    }
  // All zero is no binary layer (a channel of zeros inside one is).
  for (float v : w.data->floats)
    if (v != 0) return true;
  return false;
}

bool hasBinaryInputs(const ir::Graph& graph, ir::ValueId activation) {
  return madeBy(graph, activation, ir::OpKind::Sign, false);
}

bool hasSpikeInputs(const ir::Graph& graph, ir::ValueId activation) {
  return graph.timesteps > 0 && madeBy(graph, activation, ir::OpKind::Lif, true);
}

}  // namespace xbar::mapping
