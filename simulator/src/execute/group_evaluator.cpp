#include "xbar/execute/group_evaluator.h"

#include <algorithm>

#include "xbar/reference/vector_ops.h"

namespace xbar::execute {
namespace {

using reference::Tensor;

// How an op's outputs depend on its inputs' elements, for knowing which outputs a core can
// make from what it holds. Masks are tensors of 0 (held) and 1 (missing).
enum class Reach {
  Same,        // element-wise on its first input: an output reads its own element
  Broadcast,   // element-wise on several inputs, numpy broadcasting
  Moves,       // moves elements (shape ops, concatenation, padding): the op moves the mask
  Window,      // pooling: the op on the mask is nonzero where its window misses something
  Causal,      // a LIF: an output needs its own element at this and every earlier time step
  Everything,  // anything else: an output needs every input element
};

Reach reachOf(ir::OpKind kind) {
  switch (kind) {
    case ir::OpKind::BatchNormalization:
    case ir::OpKind::Relu:
    case ir::OpKind::Clip:
    case ir::OpKind::LeakyRelu:
    case ir::OpKind::Sigmoid:
    case ir::OpKind::Tanh:
    case ir::OpKind::HardSigmoid:
    case ir::OpKind::HardSwish:
    case ir::OpKind::Gelu:
    case ir::OpKind::Silu:
    case ir::OpKind::Softplus:
    case ir::OpKind::Mish:
    case ir::OpKind::Sqrt:
    case ir::OpKind::Reciprocal:
    case ir::OpKind::Exp:
    case ir::OpKind::Erf:
    case ir::OpKind::Neg:
    case ir::OpKind::Abs:
    case ir::OpKind::Sign:
    case ir::OpKind::Identity:
    case ir::OpKind::Dropout:
    case ir::OpKind::Cast:
      return Reach::Same;
    case ir::OpKind::Add:
    case ir::OpKind::Sub:
    case ir::OpKind::Mul:
    case ir::OpKind::Div:
    case ir::OpKind::Pow:
    case ir::OpKind::Min:
    case ir::OpKind::Max:
    case ir::OpKind::Where:
      return Reach::Broadcast;
    case ir::OpKind::Concat:
    case ir::OpKind::Flatten:
    case ir::OpKind::Reshape:
    case ir::OpKind::Transpose:
    case ir::OpKind::Pad:
    case ir::OpKind::Squeeze:
    case ir::OpKind::Unsqueeze:
    case ir::OpKind::Slice:
    case ir::OpKind::Split:
    case ir::OpKind::Expand:
    case ir::OpKind::Tile:
    case ir::OpKind::Gather:
    case ir::OpKind::Resize:  // on the mask: nonzero where a sampled element is missing
      return Reach::Moves;
    case ir::OpKind::MaxPool:
    case ir::OpKind::AveragePool:
    case ir::OpKind::GlobalAveragePool:
      return Reach::Window;
    case ir::OpKind::Lif:
      return Reach::Causal;
    default:
      return Reach::Everything;
  }
}

// The OR of the inputs' masks under numpy broadcasting to `shape`.
Tensor broadcastMask(const std::vector<int64_t>& shape, const std::vector<const Tensor*>& masks) {
  Tensor out = Tensor::filled(shape, 0.0F);
  const auto rank = shape.size();
  std::vector<int64_t> index(rank, 0);
  for (size_t e = 0; e < out.data.size(); ++e) {
    int64_t rest = static_cast<int64_t>(e);
    for (size_t d = rank; d-- > 0;) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    for (const Tensor* m : masks) {
      if (m == nullptr) continue;
      const size_t r = m->shape.size();
      int64_t at = 0;
      for (size_t d = 0; d < r; ++d) {
        const int64_t dim = m->shape[d];
        at = at * dim + (dim == 1 ? 0 : index[rank - r + d]);
      }
      if (m->data[static_cast<size_t>(at)] != 0.0F) {
        out.data[e] = 1.0F;
        break;
      }
    }
  }
  return out;
}

}  // namespace

HeldValue HeldValue::empty(const std::vector<int64_t>& shape) {
  HeldValue h;
  h.tensor = Tensor::filled(shape, 0.0F);
  h.present.assign(h.tensor.data.size(), 0);
  return h;
}

GroupEvaluator::GroupEvaluator(const ir::Graph& graph, const schedule::LayerGroups& groups,
                               const mapping::Mapping& mapping,
                               const reference::QuantizedMatrixOps& quantized)
    : graph_(graph), groups_(groups), mapping_(mapping), quantized_(quantized) {
  nodes_.resize(static_cast<size_t>(groups.layerCount()));
  producer_.assign(graph.values.size(), -1);
  early_.assign(graph.values.size(), 0);
  std::vector<uint8_t> afterMatrix(graph.values.size(), 0);
  for (ir::NodeId id : graph.topologicalOrder()) {
    const ir::Node& n = graph.node(id);
    const int32_t l = groups.groupOf(id);
    nodes_[static_cast<size_t>(l)].push_back(id);
    // Made after the group's matrix op when it is that op or reads something made after it.
    bool after = id == mapping.layers[static_cast<size_t>(l)].layer.node;
    for (ir::ValueId in : n.inputs)
      if (in != ir::kNoValue && producer_[static_cast<size_t>(in)] == l &&
          afterMatrix[static_cast<size_t>(in)])
        after = true;
    for (ir::ValueId out : n.outputs) {
      if (out == ir::kNoValue) continue;
      producer_[static_cast<size_t>(out)] = l;
      afterMatrix[static_cast<size_t>(out)] = after ? 1 : 0;
      early_[static_cast<size_t>(out)] = after ? 0 : 1;
    }
  }
  for (size_t v = 0; v < graph.values.size(); ++v)
    if (graph.values[v].isConstant && graph.values[v].data)
      constants_[static_cast<ir::ValueId>(v)] =
          reference::constantTensor(graph, static_cast<ir::ValueId>(v));
}

// The matrix op's output where the core's sums are complete, dequantized exactly as the
// quantized reference does (QuantizedMatrixOps::evaluate): acc x input scale x weight scale,
// in double, then the bias, rounded once to float.
HeldValue GroupEvaluator::matrixOutput(int32_t layer, const HeldSums* sums) const {
  const mapping::MatrixLayer& ml = mapping_.layers[static_cast<size_t>(layer)].layer;
  const ir::Node& n = graph_.node(ml.node);
  const reference::QuantizedMatrixOps::Layer& q = quantized_.layers().at(ml.node);
  const reference::MatrixLowering& lowering = *q.lowering;
  const std::vector<int64_t>& shape = graph_.value(n.outputs[0]).shape;
  HeldValue out = HeldValue::empty(shape);
  if (sums == nullptr) return out;
  Tensor mask = Tensor::filled(shape, 1.0F);
  const Tensor* bias = nullptr;
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoValue) bias = &constants_.at(n.inputs[2]);
  const std::vector<const Tensor*> operands{nullptr, nullptr, bias};
  const int64_t vectors = lowering.vectors(), outs = ml.outputs;
  std::vector<double> real(static_cast<size_t>(vectors * outs)), missing(real.size());
  for (int64_t g = 0; g < ml.groups; ++g) {
    const std::vector<double>& scales = q.weights[static_cast<size_t>(g)].scales;
    for (int64_t r = 0; r < vectors; ++r)
      for (int64_t o = 0; o < outs; ++o) {
        const auto at = static_cast<size_t>(((g * outs) + o) * vectors + r);
        const auto k = static_cast<size_t>(r * outs + o);
        const bool complete = sums->rows[at] == ml.inputs;
        real[k] = complete ? static_cast<double>(sums->acc[at]) * q.input.scale *
                                 scales[static_cast<size_t>(o)]
                           : 0.0;
        missing[k] = complete ? 0.0 : 1.0;
      }
    lowering.scatterOutputs(real, g, operands, out.tensor);
    lowering.scatterOutputs(missing, g, {}, mask);
  }
  for (size_t e = 0; e < mask.data.size(); ++e) out.present[e] = mask.data[e] == 0.0F ? 1 : 0;
  return out;
}

std::map<ir::ValueId, HeldValue> GroupEvaluator::evaluate(int32_t layer, const Held& held,
                                                          const HeldSums* sums) {
  const ir::NodeId matrix = mapping_.layers[static_cast<size_t>(layer)].layer.node;
  std::map<ir::ValueId, HeldValue> made;
  std::map<ir::ValueId, Tensor> masks;  // of the values made here and read from outside
  const auto valueOf = [&](ir::ValueId v) -> const HeldValue* {
    if (const auto it = made.find(v); it != made.end()) return &it->second;
    return held(v);
  };
  const auto maskOf = [&](ir::ValueId v) -> const Tensor* {
    if (const auto it = masks.find(v); it != masks.end()) return &it->second;
    Tensor m = Tensor::filled(graph_.value(v).shape, 1.0F);
    if (const HeldValue* h = valueOf(v))
      for (size_t e = 0; e < m.data.size(); ++e) m.data[e] = h->present[e] ? 0.0F : 1.0F;
    return &masks.emplace(v, std::move(m)).first->second;
  };
  for (ir::NodeId id : nodes_[static_cast<size_t>(layer)]) {
    const ir::Node& n = graph_.node(id);
    if (id == matrix) {
      made[n.outputs[0]] = matrixOutput(layer, sums);
      continue;
    }
    std::vector<const Tensor*> data, mask;
    std::vector<Tensor> absent;  // zeros for values the core holds none of
    absent.reserve(n.inputs.size());
    for (ir::ValueId in : n.inputs) {
      if (in == ir::kNoValue) {
        data.push_back(nullptr);
        mask.push_back(nullptr);
      } else if (const auto c = constants_.find(in); c != constants_.end()) {
        data.push_back(&c->second);
        mask.push_back(nullptr);
      } else {
        const HeldValue* h = valueOf(in);
        if (h == nullptr) absent.push_back(Tensor::filled(graph_.value(in).shape, 0.0F));
        data.push_back(h ? &h->tensor : &absent.back());
        mask.push_back(maskOf(in));
      }
    }
    std::vector<Tensor> results;
    if (reference::isVectorOp(n.kind))
      results = reference::evaluateVectorOp(graph_, id, data);
    else
      results.push_back(kernels_.evaluate(graph_, id, data));
    // Which outputs the core can make: the op itself on the masks where it moves or pools
    // elements (shape arguments stay the constants they are; padding pads with held zeros).
    std::vector<Tensor> outMasks;
    const Reach reach = reachOf(n.kind);
    const std::vector<int64_t>& shape0 = graph_.value(n.outputs[0]).shape;
    if (reach == Reach::Same) {
      outMasks.push_back(mask[0] ? *mask[0] : Tensor::filled(shape0, 0.0F));
    } else if (reach == Reach::Causal) {  // missing from a step on: missing after it too
      Tensor m = mask[0] ? *mask[0] : Tensor::filled(shape0, 0.0F);
      const size_t perStep = m.data.size() / static_cast<size_t>(std::max<int64_t>(1, shape0[0]));
      for (size_t e = perStep; e < m.data.size(); ++e)
        if (m.data[e - perStep] != 0.0F) m.data[e] = 1.0F;
      outMasks.push_back(std::move(m));
    } else if (reach == Reach::Broadcast) {
      outMasks.push_back(broadcastMask(shape0, mask));
    } else if (reach == Reach::Moves || reach == Reach::Window) {
      // The moved inputs (every one of a Concat, else the first) as masks, a constant one as
      // held; the rest are shape arguments and stay. Padding pads with held elements.
      std::vector<const Tensor*> operands = data;
      std::vector<Tensor> held;
      held.reserve(operands.size() + 1);
      for (size_t i = 0; i < operands.size(); ++i) {
        if (operands[i] == nullptr || (i > 0 && n.kind != ir::OpKind::Concat)) continue;
        if (mask[i] != nullptr) {
          operands[i] = mask[i];
        } else {
          held.push_back(Tensor::filled(operands[i]->shape, 0.0F));
          operands[i] = &held.back();
        }
      }
      if (n.kind == ir::OpKind::Pad && operands.size() > 2 && operands[2] != nullptr) {
        held.push_back(Tensor::filled(operands[2]->shape, 0.0F));
        operands[2] = &held.back();
      }
      if (reach == Reach::Window)
        outMasks.push_back(kernels_.evaluate(graph_, id, operands));
      else
        outMasks = reference::evaluateVectorOp(graph_, id, operands);
    } else {
      bool all = true;
      for (const Tensor* m : mask)
        if (m != nullptr &&
            std::any_of(m->data.begin(), m->data.end(), [](float x) { return x != 0.0F; }))
          all = false;
      for (size_t k = 0; k < n.outputs.size(); ++k)
        if (n.outputs[k] != ir::kNoValue)
          outMasks.push_back(Tensor::filled(graph_.value(n.outputs[k]).shape, all ? 0.0F : 1.0F));
    }
    for (size_t k = 0; k < results.size() && k < n.outputs.size(); ++k) {
      const ir::ValueId out = n.outputs[k];
      if (out == ir::kNoValue) continue;
      HeldValue h;
      h.tensor = std::move(results[k]);
      const Tensor& m = outMasks[std::min(k, outMasks.size() - 1)];
      h.present.resize(h.tensor.data.size());
      for (size_t e = 0; e < h.present.size(); ++e) h.present[e] = m.data[e] == 0.0F ? 1 : 0;
      masks[out] = m;
      made[out] = std::move(h);
    }
  }
  return made;
}

}  // namespace xbar::execute
