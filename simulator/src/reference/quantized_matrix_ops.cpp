#include "xbar/reference/quantized_matrix_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "xbar/mapping/mapping.h"
#include "xbar/numerics/keyed_draws.h"
#include "xbar/reference/vector_ops.h"
#include "xbar/support/error.h"

namespace xbar::reference {

ActivationQuantizers calibrate(GraphRunner& runner, const std::vector<std::vector<Tensor>>& samples,
                               int64_t activationBits) {
  const ir::Graph& g = runner.graph();
  std::map<ir::NodeId, std::pair<double, double>> ranges;  // lowest, peak |x|
  std::vector<std::pair<ir::NodeId, ir::ValueId>> operands;
  for (const mapping::MatrixLayer& layer : mapping::matrixLayers(g)) {
    const MatrixLowering lowering(g, layer);
    operands.emplace_back(layer.node, lowering.activation());
    ranges[layer.node] = {0.0, 0.0};
  }
  for (const auto& sample : samples) {
    const std::vector<Tensor> values = runner.run(sample);
    for (const auto& [node, value] : operands) {
      auto& [lowest, peak] = ranges[node];
      for (float v : values[static_cast<size_t>(value)].data) {
        lowest = std::min(lowest, static_cast<double>(v));
        peak = std::max(peak, std::fabs(static_cast<double>(v)));
      }
    }
  }
  ActivationQuantizers q;
  for (const auto& [node, range] : ranges)
    q[node] = numerics::ActivationQuantizer::fromRange(range.first, range.second, activationBits);
  return q;
}

QuantizedMatrixOps::QuantizedMatrixOps(const ir::Graph& graph, const arch::ArchConfig& arch,
                                       ActivationQuantizers quantizers) {
  for (const mapping::MatrixLayer& ml : mapping::matrixLayers(graph)) {
    Layer layer;
    layer.numerics = numerics::CrossbarNumerics::fromArch(arch, mapping::operandBits(arch, ml));
    layer.lowering = std::make_unique<MatrixLowering>(graph, ml);
    const auto found = quantizers.find(ml.node);
    if (found == quantizers.end())
      failInput(graph.describe(ml.node), "has no calibrated input quantizer");
    // A binary input is +-1 whatever the calibration saw, a spike 0 or 1 (quantize.h).
    layer.input = ml.binaryInputs  ? numerics::ActivationQuantizer::fromRange(-1, 1, 1)
                  : ml.spikeInputs ? numerics::ActivationQuantizer::fromRange(0, 1, 1)
                                   : found->second;
    const Tensor weight = constantTensor(graph, ml.weight);
    for (int64_t g = 0; g < ml.groups; ++g) {
      const std::vector<float> m = layer.lowering->weightMatrix(weight, g);
      layer.weights.push_back(
          numerics::quantizeWeights(m, ml.outputs, ml.inputs, layer.numerics.weightBits));
      // Each (layer, group) its own stream of faults, the same in every run of the graph.
      const uint64_t stream =
          numerics::drawKey(static_cast<uint64_t>(ml.node), {static_cast<uint64_t>(g)});
      layer.programmed.emplace_back(layer.numerics, layer.weights.back().q, ml.outputs, ml.inputs,
                                    stream);
    }
    layers_.emplace(ml.node, std::move(layer));
  }
}

bool QuantizedMatrixOps::anyClipping() const {
  return std::any_of(layers_.begin(), layers_.end(), [](const auto& entry) {
    return std::any_of(entry.second.programmed.begin(), entry.second.programmed.end(),
                       [](const numerics::ProgrammedWeights& p) { return p.canClip(); });
  });
}

Tensor QuantizedMatrixOps::floatFallback(const ir::Graph& graph, ir::NodeId id,
                                         const std::vector<const Tensor*>& in) {
  return floatKernels_.evaluate(graph, id, in);
}

Tensor QuantizedMatrixOps::evaluate(const ir::Graph& graph, ir::NodeId id,
                                    const std::vector<const Tensor*>& in) {
  const auto found = layers_.find(id);
  if (found == layers_.end()) return floatFallback(graph, id, in);
  const Layer& layer = found->second;
  const MatrixLowering& lowering = *layer.lowering;
  const mapping::MatrixLayer& ml = lowering.layer();
  const ir::Node& n = graph.node(id);
  const ir::ValueId actId = lowering.activation();
  const Tensor& x = *in[actId == n.inputs[0] ? 0 : 1];
  std::vector<int64_t> codes(x.data.size());
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = layer.input.quantize(x.data[i]);
  Tensor y = Tensor::filled(graph.value(n.outputs[0]).shape);
  const int64_t vectors = lowering.vectors();
  std::vector<int64_t> acc(static_cast<size_t>(vectors * ml.outputs));
  std::vector<double> real(acc.size());
  for (int64_t g = 0; g < ml.groups; ++g) {
    const std::vector<int64_t> v = lowering.inputVectors(codes, g, layer.input.quantize(0.0));
    const numerics::ProgrammedWeights& p = layer.programmed[static_cast<size_t>(g)];
    std::optional<numerics::ProgrammedWeights::ReadDraw> draw;
    if (run_) draw = numerics::ProgrammedWeights::ReadDraw{*run_, 0};
    if (forceBitSliced_)
      p.matmulBitSliced(v, vectors, !layer.input.isUnsigned, acc, draw);
    else
      p.matmul(v, vectors, !layer.input.isUnsigned, acc, draw);
    const std::vector<double>& scales = layer.weights[static_cast<size_t>(g)].scales;
    for (int64_t r = 0; r < vectors; ++r)
      for (int64_t o = 0; o < ml.outputs; ++o) {
        const size_t k = static_cast<size_t>(r * ml.outputs + o);
        real[k] = static_cast<double>(acc[k]) * layer.input.scale * scales[static_cast<size_t>(o)];
      }
    lowering.scatterOutputs(real, g, in, y);
  }
  return y;
}

}  // namespace xbar::reference
