#include <cmath>

#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

namespace xbar::passes {
namespace {

using ir::OpKind;
using ir::ValueId;

struct BatchNormParams {
  std::vector<float> scale;  // gamma / sqrt(var + eps)
  std::vector<float> shift;  // beta - mean * scale
};

// nullopt when any parameter lacks data (stripped / shapes-only).
std::optional<BatchNormParams> batchNormParams(const ir::Graph& g, const ir::Node& bn,
                                               const std::string& where) {
  for (size_t i = 1; i < 5; ++i)
    if (!g.value(bn.input(i)).data) return std::nullopt;
  const auto& gamma = g.value(bn.inputs[1]).data->floats;
  const auto& beta = g.value(bn.inputs[2]).data->floats;
  const auto& mean = g.value(bn.inputs[3]).data->floats;
  const auto& var = g.value(bn.inputs[4]).data->floats;
  const float eps = bn.attrs.getFloat("epsilon", 1e-5f, where);
  BatchNormParams p;
  for (size_t c = 0; c < gamma.size(); ++c) {
    p.scale.push_back(gamma[c] / std::sqrt(var[c] + eps));
    p.shift.push_back(beta[c] - mean[c] * p.scale.back());
  }
  return p;
}

// Which dimension of the weight indexes output channels, and how the product folds.
struct Fold {
  ir::NodeId producer;
  size_t weightInput = 1;
  size_t channelAxis = 0;  // of the weight tensor
};

std::optional<Fold> foldTarget(const ir::Graph& g,
                               const std::vector<std::vector<ir::NodeId>>& consumers,
                               const ir::Node& bn, const std::string& where) {
  const ValueId x = bn.inputs[0];
  const ir::NodeId producer = g.value(x).producer;
  if (producer == ir::kNoNode || consumers[static_cast<size_t>(x)].size() != 1) return std::nullopt;
  for (ValueId out : g.outputs)
    if (out == x) return std::nullopt;
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (bn.outputs[i] != ir::kNoValue && !consumers[static_cast<size_t>(bn.outputs[i])].empty())
      return std::nullopt;  // training-mode statistics are used
  const ir::Node& p = g.node(producer);
  // Only a Conv or Gemm with a constant weight folds; other producers (a Relu, a Concat, as in
  // DenseNet) have no weight input at all.
  if (p.kind != OpKind::Conv && p.kind != OpKind::Gemm) return std::nullopt;
  if (p.input(1) == ir::kNoValue || !g.value(p.input(1)).isConstant) return std::nullopt;
  if (p.kind == OpKind::Conv) return Fold{producer, 1, 0};
  if (p.kind == OpKind::Gemm) {
    const std::string pw = g.source + ": " + g.describe(producer);
    // Only the plain Y = A·B + C form; scaled Gemms keep their BatchNormalization.
    if (p.attrs.getFloat("alpha", 1.f, pw) != 1.f || p.attrs.getFloat("beta", 1.f, pw) != 1.f ||
        p.attrs.getInt("transA", 0, pw) != 0)
      return std::nullopt;
    const ValueId c = p.input(2);
    if (c != ir::kNoValue && g.value(c).elementCount() != g.value(x).shape.back())
      return std::nullopt;
    return Fold{producer, 1, p.attrs.getInt("transB", 0, pw) != 0 ? size_t{0} : size_t{1}};
  }
  (void)where;
  return std::nullopt;
}

// Scale, bias, mean and variance hold one value per channel of the input; other lengths were
// folded silently into a weight of the wrong size.
void checkParameters(const ir::Graph& g, const ir::Node& bn, const std::string& where) {
  if (bn.inputs.size() < 5) failInput(where, "expected 5 inputs (X, scale, B, mean, var)");
  const ir::Shape& x = g.value(bn.inputs[0]).shape;
  if (x.size() < 2)
    failInput(where, "input has shape {}; expected (N, C, ...)", ir::shapeToString(x));
  const char* names[] = {"", "scale", "B", "input_mean", "input_var"};
  for (size_t k = 1; k < 5; ++k) {
    const ir::Shape& p = g.value(bn.inputs[k]).shape;
    if (p.size() != 1 || p[0] != x[1])
      failInput(where, "{} has shape {}; expected ({}) for the input's {} channels", names[k],
                ir::shapeToString(p), x[1], x[1]);
  }
}

}  // namespace

void foldBatchNormalization(ir::Graph& g) {
  const auto consumers = g.consumers();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].removed || g.nodes[i].kind != OpKind::BatchNormalization) continue;
    const std::string where = g.source + ": " + g.describe(static_cast<ir::NodeId>(i));
    checkParameters(g, g.nodes[i], where);
    const auto target = foldTarget(g, consumers, g.nodes[i], where);
    if (!target) continue;
    const ir::Node bn = g.nodes[i];
    const int64_t channels = g.value(bn.inputs[1]).elementCount();
    const ValueId oldWeight = g.node(target->producer).inputs[target->weightInput];
    const ValueId oldBias = g.node(target->producer).input(2);
    const auto params = batchNormParams(g, bn, where);

    // New values, so a weight shared with another node is left untouched.
    ir::Value weight = g.value(oldWeight);
    weight.name += "_bnfolded";
    ir::Value bias;
    bias.name = weight.name + "_bias";
    bias.isConstant = true;
    bias.shape = {channels};
    const bool haveData =
        params && weight.data && (oldBias == ir::kNoValue || g.value(oldBias).data);
    if (haveData) {
      auto& w = weight.data->floats;
      const ir::Shape& shape = weight.shape;
      int64_t inner = 1;
      for (size_t k = target->channelAxis + 1; k < shape.size(); ++k) inner *= shape[k];
      const int64_t outer = static_cast<int64_t>(w.size()) / (inner * channels);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t k = 0; k < inner; ++k)
            w[static_cast<size_t>((o * channels + c) * inner + k)] *=
                params->scale[static_cast<size_t>(c)];
      ir::TensorData b;
      b.floats.assign(static_cast<size_t>(channels), 0.f);
      for (int64_t c = 0; c < channels; ++c) {
        const float old =
            oldBias == ir::kNoValue ? 0.f : g.value(oldBias).data->floats[static_cast<size_t>(c)];
        b.floats[static_cast<size_t>(c)] =
            old * params->scale[static_cast<size_t>(c)] + params->shift[static_cast<size_t>(c)];
      }
      bias.data = std::move(b);
    } else {
      weight.data.reset();
    }
    const ValueId newWeight = g.addValue(std::move(weight));
    const ValueId newBias = g.addValue(std::move(bias));
    ir::Node& producer = g.node(target->producer);
    producer.inputs[target->weightInput] = newWeight;
    if (producer.inputs.size() < 3) producer.inputs.resize(3, ir::kNoValue);
    producer.inputs[2] = newBias;
    g.replaceAllUses(bn.outputs[0], bn.inputs[0]);
    g.nodes[i].removed = true;
  }
}

}  // namespace xbar::passes
