#include "xbar/mapping/matrix_layer.h"

#include <functional>
#include <numeric>

#include "xbar/mapping/binary_operands.h"
#include "xbar/support/error.h"

namespace xbar::mapping {
namespace {

int64_t product(ir::Shape::const_iterator begin, ir::Shape::const_iterator end) {
  return std::accumulate(begin, end, int64_t{1}, std::multiplies<>());
}

}  // namespace

std::vector<MatrixLayer> matrixLayers(const ir::Graph& g) {
  std::vector<MatrixLayer> layers;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (n.removed || !ir::isMatrixOp(n.kind)) continue;
    const auto id = static_cast<ir::NodeId>(i);
    const std::string where = g.source + ": " + g.describe(id);
    MatrixLayer layer;
    layer.node = id;
    layer.name = n.name;
    layer.op = n.kind;
    const ir::Value& a = g.value(n.inputs[0]);
    const ir::Value& b = g.value(n.input(1));
    const ir::Value& y = g.value(n.outputs[0]);
    switch (n.kind) {
      case ir::OpKind::Conv: {
        if (!b.isConstant) continue;
        layer.weight = n.input(1);
        layer.groups = n.attrs.getInt("group", 1, where);
        layer.outputs = b.shape[0] / layer.groups;
        layer.inputs = product(b.shape.begin() + 1, b.shape.end());
        layer.vectorsPerInference = y.shape[0] * product(y.shape.begin() + 2, y.shape.end());
        break;
      }
      case ir::OpKind::ConvTranspose: {  // weight (Cin, Cout / groups, kernel...)
        if (!b.isConstant) continue;
        layer.weight = n.input(1);
        layer.groups = n.attrs.getInt("group", 1, where);
        layer.outputs = b.shape[1];
        layer.inputs = b.shape[0] / layer.groups * product(b.shape.begin() + 2, b.shape.end());
        layer.vectorsPerInference = y.shape[0] * product(y.shape.begin() + 2, y.shape.end());
        break;
      }
      case ir::OpKind::Gemm: {
        if (!b.isConstant) continue;
        layer.weight = n.input(1);
        const bool transB = n.attrs.getInt("transB", 0, where) != 0;
        const bool transA = n.attrs.getInt("transA", 0, where) != 0;
        layer.inputs = transB ? b.shape[1] : b.shape[0];
        layer.outputs = transB ? b.shape[0] : b.shape[1];
        layer.vectorsPerInference = transA ? a.shape[1] : a.shape[0];
        break;
      }
      case ir::OpKind::MatMul: {
        if (b.isConstant && b.shape.size() >= 2) {  // y = x · W: W is K x N
          layer.weight = n.input(1);
          layer.inputs = b.shape[b.shape.size() - 2];
          layer.outputs = b.shape.back();
          layer.groups = product(b.shape.begin(), b.shape.end() - 2);
          layer.vectorsPerInference = product(a.shape.begin(), a.shape.end() - 1) / layer.groups;
        } else if (a.isConstant && a.shape.size() >= 2 && b.shape.size() >= 2) {  // y = W · x
          layer.weight = n.inputs[0];
          layer.inputs = a.shape.back();
          layer.outputs = a.shape[a.shape.size() - 2];
          layer.groups = product(a.shape.begin(), a.shape.end() - 2);
          layer.vectorsPerInference =
              b.shape.back() * product(b.shape.begin(), b.shape.end() - 2) / layer.groups;
        } else {
          continue;
        }
        break;
      }
      default:
        continue;
    }
    if (layer.inputs < 1 || layer.outputs < 1 || layer.groups < 1 || layer.vectorsPerInference < 1)
      failInput(where, "gives an empty weight matrix ({} groups of {} x {}, {} vectors)",
                layer.groups, layer.inputs, layer.outputs, layer.vectorsPerInference);
    layer.activation = layer.weight == n.inputs[0] ? n.input(1) : n.inputs[0];
    layer.binaryWeights = hasBinaryWeights(g, layer);
    layer.binaryInputs = hasBinaryInputs(g, layer.activation);
    layer.spikeInputs = hasSpikeInputs(g, layer.activation);
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace xbar::mapping
