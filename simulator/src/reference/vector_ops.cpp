#include "xbar/reference/vector_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor_index.h"
#include "xbar/reference/einsum.h"
#include "xbar/reference/lif_neurons.h"
#include "xbar/reference/tensor_kernels.h"
#include "xbar/support/error.h"

namespace xbar::reference {
namespace {

using detail::broadcastIndex;
using detail::normalisedAxis;
using detail::Shape;
using detail::stridesOf;
using ir::OpKind;

template <typename F>
Tensor binary(const Tensor& a, const Tensor& b, const Shape& out, F f, const std::string& where) {
  Tensor y = Tensor::filled(out);
  if (a.shape == out && b.shape == out) {
    for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = f(a.data[i], b.data[i]);
    return y;
  }
  const auto ia = broadcastIndex(a.shape, out, where);
  const auto ib = broadcastIndex(b.shape, out, where);
  for (size_t i = 0; i < y.data.size(); ++i)
    y.data[i] = f(a.data[static_cast<size_t>(ia[i])], b.data[static_cast<size_t>(ib[i])]);
  return y;
}

template <typename F>
Tensor unary(const Tensor& x, F f) {
  Tensor y = x;
  for (float& v : y.data) v = f(v);
  return y;
}

float scalarInput(const Tensor* t, float fallback, const std::string& where) {
  if (t == nullptr) return fallback;
  if (t->data.size() != 1)
    failInput(where, "expected a scalar bound, got {} elements", t->data.size());
  return t->data[0];
}

Tensor clip(const ir::Node& n, const std::vector<const Tensor*>& in, const std::string& where) {
  const float lowest = std::numeric_limits<float>::lowest();
  const float highest = std::numeric_limits<float>::max();
  // Opset 11 moved the bounds from attributes to inputs.
  const float lo = n.attrs.has("min") ? n.attrs.getFloat("min", lowest, where)
                                      : scalarInput(in.size() > 1 ? in[1] : nullptr, lowest, where);
  const float hi = n.attrs.has("max")
                       ? n.attrs.getFloat("max", highest, where)
                       : scalarInput(in.size() > 2 ? in[2] : nullptr, highest, where);
  return unary(*in[0], [&](float v) { return std::min(std::max(v, lo), hi); });
}

// Softmax over one axis (opset 13) or over the flattened dims from `axis` on (before 13).
Tensor softmax(const ir::Graph& g, const ir::Node& n, const Tensor& x, const std::string& where) {
  const bool perAxis = g.opsetVersion >= 13;
  const int64_t axis =
      normalisedAxis(n.attrs.getInt("axis", perAxis ? -1 : 1, where), x.shape.size(), where);
  int64_t outer = 1, extent = 1, inner = 1;
  for (size_t k = 0; k < x.shape.size(); ++k) {
    const auto ks = static_cast<int64_t>(k);
    if (ks < axis)
      outer *= x.shape[k];
    else if (ks == axis || !perAxis)
      extent *= x.shape[k];
    else
      inner *= x.shape[k];
  }
  Tensor y = x;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      float* base = y.data.data() + o * extent * inner + i;
      float peak = std::numeric_limits<float>::lowest();
      for (int64_t e = 0; e < extent; ++e) peak = std::max(peak, base[e * inner]);
      double sum = 0;
      for (int64_t e = 0; e < extent; ++e) {
        base[e * inner] = std::exp(base[e * inner] - peak);
        sum += base[e * inner];
      }
      for (int64_t e = 0; e < extent; ++e)
        base[e * inner] = static_cast<float>(base[e * inner] / sum);
    }
  }
  return y;
}

Tensor batchNorm(const ir::Node& n, const std::vector<const Tensor*>& in,
                 const std::string& where) {
  const Tensor& x = *in[0];
  const float eps = n.attrs.getFloat("epsilon", 1e-5F, where);
  if (x.shape.size() < 2) failInput(where, "BatchNormalization needs a channel axis");
  const int64_t channels = x.shape[1];
  for (size_t k = 1; k < 5; ++k)
    if (in.size() <= k || in[k] == nullptr || static_cast<int64_t>(in[k]->data.size()) != channels)
      failInput(where, "BatchNormalization input {} must hold {} per-channel values", k, channels);
  const int64_t inner = x.elementCount() / (x.shape[0] * channels);
  Tensor y = x;
  for (int64_t b = 0; b < x.shape[0]; ++b)
    for (int64_t c = 0; c < channels; ++c) {
      const auto ci = static_cast<size_t>(c);
      const float scale = in[1]->data[ci] / std::sqrt(in[4]->data[ci] + eps);
      const float shift = in[2]->data[ci] - in[3]->data[ci] * scale;
      float* p = y.data.data() + (b * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) p[i] = p[i] * scale + shift;
    }
  return y;
}

Tensor concat(const ir::Node& n, const std::vector<const Tensor*>& in, const Shape& out,
              const std::string& where) {
  const int64_t axis = normalisedAxis(n.attrs.getInt("axis", 0, where), out.size(), where);
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= out[static_cast<size_t>(k)];
  Tensor y = Tensor::filled(out);
  float* dst = y.data.data();
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : in) {
      const int64_t block = t->elementCount() / outer;
      std::copy_n(t->data.data() + o * block, block, dst);
      dst += block;
    }
  return y;
}

Tensor transpose(const ir::Node& n, const Tensor& x, const std::string& where) {
  const size_t rank = x.shape.size();
  std::vector<int64_t> reversed(rank);
  for (size_t k = 0; k < rank; ++k) reversed[k] = static_cast<int64_t>(rank - 1 - k);
  const auto perm = n.attrs.getInts("perm", reversed, where);
  if (perm.size() != rank)
    failInput(where, "perm has {} entries for a rank-{} input", perm.size(), rank);
  Shape out(rank), inStride = stridesOf(x.shape), step(rank);
  for (size_t k = 0; k < rank; ++k) {
    const auto p = static_cast<size_t>(normalisedAxis(perm[k], rank, where));
    out[k] = x.shape[p];
    step[k] = inStride[p];
  }
  Tensor y = Tensor::filled(out);
  Shape coord(rank, 0);
  int64_t at = 0;
  for (float& v : y.data) {
    v = x.data[static_cast<size_t>(at)];
    for (size_t k = rank; k-- > 0;) {
      at += step[k];
      if (++coord[k] < out[k]) break;
      at -= step[k] * out[k];
      coord[k] = 0;
    }
  }
  return y;
}

// Pad in constant, reflect or edge mode; pads come from input 1 (opset 11) or the attribute.
Tensor pad(const ir::Node& n, const std::vector<const Tensor*>& in, const Shape& out,
           const std::string& where) {
  const Tensor& x = *in[0];
  const size_t rank = x.shape.size();
  std::vector<int64_t> pads;
  if (in.size() > 1 && in[1] != nullptr) {
    for (float p : in[1]->data) pads.push_back(static_cast<int64_t>(p));
  } else {
    pads = n.attrs.getInts("pads", {}, where);
  }
  if (pads.size() != 2 * rank)
    failInput(where, "pads has {} entries for a rank-{} input", pads.size(), rank);
  const std::string mode = n.attrs.getString("mode", "constant", where);
  const float fill = n.attrs.has("value")
                         ? n.attrs.getFloat("value", 0.0F, where)
                         : scalarInput(in.size() > 2 ? in[2] : nullptr, 0.0F, where);
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    failInput(where, "Pad mode '{}' (expected constant, reflect or edge)", mode);
  Tensor y = Tensor::filled(out, fill);
  const Shape inStride = stridesOf(x.shape);
  Shape coord(rank, 0);
  for (float& v : y.data) {
    int64_t at = 0;
    bool inside = true;
    for (size_t k = 0; k < rank; ++k) {
      int64_t c = coord[k] - pads[k];
      const int64_t d = x.shape[k];
      if (c < 0 || c >= d) {
        if (mode == "constant")
          inside = false;
        else if (mode == "edge")
          c = std::clamp<int64_t>(c, 0, d - 1);
        else {  // reflect without repeating the edge
          const int64_t period = d > 1 ? 2 * (d - 1) : 1;
          c = ((c % period) + period) % period;
          if (c >= d) c = period - c;
        }
      }
      at += c * inStride[k];
    }
    if (inside) v = x.data[static_cast<size_t>(at)];
    for (size_t k = rank; k-- > 0;) {
      if (++coord[k] < out[k]) break;
      coord[k] = 0;
    }
  }
  return y;
}

float sigmoid(float v) {
  return 1.0F / (1.0F + std::exp(-v));
}

// log(1 + e^v), linear past 20 as PyTorch's softplus (its threshold), where e^v would lose
// the 1 anyway.
float softplus(float v) {
  return v > 20.0F ? v : std::log1p(std::exp(v));
}

}  // namespace

Tensor constantTensor(const ir::Graph& graph, ir::ValueId id) {
  const ir::Value& v = graph.value(id);
  if (!v.data)
    failInput(
        graph.source.empty() ? graph.name : graph.source,
        "tensor '{}' has no data ({}): computing values needs the model's weights", v.name,
        graph.weightsStripped ? "the model's weights were stripped" : "it was loaded shapes only");
  Tensor t;
  t.shape = v.shape;
  if (v.type == ir::ElementType::Float)
    t.data = v.data->floats;
  else
    t.data.assign(v.data->ints.begin(), v.data->ints.end());
  if (static_cast<int64_t>(t.data.size()) != t.elementCount())
    failInput(graph.source, "tensor '{}' holds {} values for shape {}", v.name, t.data.size(),
              ir::shapeToString(v.shape));
  return t;
}

bool isVectorOp(OpKind kind) {
  switch (kind) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::Gemm:
    case OpKind::MatMul:
    case OpKind::MaxPool:
    case OpKind::AveragePool:
    case OpKind::GlobalAveragePool:
      return false;
    default:
      return true;
  }
}

// One switch over the vocabulary: each case is a line or a call (why over the ~100 lines).
std::vector<Tensor> evaluateVectorOp(const ir::Graph& graph, ir::NodeId id,
                                     const std::vector<const Tensor*>& in) {
  const ir::Node& n = graph.node(id);
  const std::string where = graph.describe(id);
  if (in.empty() || in[0] == nullptr) failInput(where, "has no first input");
  const Tensor& x = *in[0];
  const Shape& out = graph.value(n.outputs[0]).shape;
  auto second = [&]() -> const Tensor& {
    if (in.size() < 2 || in[1] == nullptr) failInput(where, "needs a second input");
    return *in[1];
  };
  switch (n.kind) {
    case OpKind::Relu:
      return {unary(x, [](float v) { return v > 0 ? v : 0.0F; })};
    case OpKind::Clip:
      return {clip(n, in, where)};
    case OpKind::LeakyRelu: {
      const float alpha = n.attrs.getFloat("alpha", 0.01F, where);
      return {unary(x, [alpha](float v) { return v >= 0 ? v : alpha * v; })};
    }
    case OpKind::Sigmoid:
      return {unary(x, sigmoid)};
    case OpKind::Tanh:
      return {unary(x, [](float v) { return std::tanh(v); })};
    case OpKind::HardSigmoid: {
      const float alpha = n.attrs.getFloat("alpha", 0.2F, where);
      const float beta = n.attrs.getFloat("beta", 0.5F, where);
      return {unary(x, [=](float v) { return std::clamp(alpha * v + beta, 0.0F, 1.0F); })};
    }
    case OpKind::HardSwish:
      return {unary(x, [](float v) { return v * std::clamp(v / 6.0F + 0.5F, 0.0F, 1.0F); })};
    case OpKind::Gelu:  // the exact (erf) form torch exports
      return {unary(x, [](float v) {
        return 0.5F * v * (1.0F + std::erf(v * static_cast<float>(M_SQRT1_2)));
      })};
    case OpKind::Silu:
      return {unary(x, [](float v) { return v * sigmoid(v); })};
    case OpKind::Softplus:
      return {unary(x, softplus)};
    case OpKind::Mish:
      return {unary(x, [](float v) { return v * std::tanh(softplus(v)); })};
    case OpKind::Sqrt:
      return {unary(x, [](float v) { return std::sqrt(v); })};
    case OpKind::Reciprocal:
      return {unary(x, [](float v) { return 1.0F / v; })};
    case OpKind::Exp:
      return {unary(x, [](float v) { return std::exp(v); })};
    case OpKind::Erf:
      return {unary(x, [](float v) { return std::erf(v); })};
    case OpKind::Neg:
      return {unary(x, [](float v) { return -v; })};
    case OpKind::Abs:
      return {unary(x, [](float v) { return std::abs(v); })};
    case OpKind::Pow:
      return {binary(
          x, second(), out, [](float a, float e) { return std::pow(a, e); }, where)};
    case OpKind::Min:
    case OpKind::Max:
      return {extremum(in, n.kind == OpKind::Max, out, where)};
    case OpKind::ReduceMean:
      return {reduce(n, in, Reduction::Mean, out, where)};
    case OpKind::ReduceSum:
      return {reduce(n, in, Reduction::Sum, out, where)};
    case OpKind::ReduceMax:
      return {reduce(n, in, Reduction::Max, out, where)};
    case OpKind::LayerNormalization:
      return {layerNorm(n, in, where)};
    case OpKind::InstanceNormalization:
      return {instanceNorm(n, in, where)};
    case OpKind::Slice:
      return {slice(n, in, out, where)};
    case OpKind::Split: {
      std::vector<Shape> shapes;
      for (ir::ValueId v : n.outputs) shapes.push_back(graph.value(v).shape);
      return split(n, x, shapes, where);
    }
    case OpKind::Expand:
      return {expand(x, out, where)};
    case OpKind::Tile:
      return {tile(x, out, where)};
    case OpKind::Resize:
      return {resize(n, in, out, where)};
    case OpKind::Gather:
      return {gather(n, x, second(), out, where)};
    case OpKind::Einsum:
      return {einsum(n, in, out, where)};
    case OpKind::Where:
      if (in.size() < 3 || in[1] == nullptr || in[2] == nullptr)
        failInput(where, "Where needs a condition and two operands");
      return {selectWhere(x, *in[1], *in[2], out, where)};
    case OpKind::Sign:  // ONNX: sign(0) = 0
      return {unary(x, [](float v) { return v > 0 ? 1.0F : v < 0 ? -1.0F : 0.0F; })};
    case OpKind::Softmax:
      return {softmax(graph, n, x, where)};
    case OpKind::Lif:
      return {lifSpikes(LifParameters::of(n, where), x,
                        in.size() > 1 && in[1] != nullptr ? in[1] : nullptr, where)};
    case OpKind::Add:
      return {binary(x, second(), out, std::plus<>(), where)};
    case OpKind::Sub:
      return {binary(x, second(), out, std::minus<>(), where)};
    case OpKind::Mul:
      return {binary(x, second(), out, std::multiplies<>(), where)};
    case OpKind::Div:
      return {binary(x, second(), out, std::divides<>(), where)};
    case OpKind::BatchNormalization:
      return {batchNorm(n, in, where)};
    case OpKind::Concat:
      return {concat(n, in, out, where)};
    case OpKind::Transpose:
      return {transpose(n, x, where)};
    case OpKind::Pad:
      return {pad(n, in, out, where)};
    case OpKind::Flatten:
    case OpKind::Reshape:
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
    case OpKind::Identity:
    case OpKind::Dropout:
    case OpKind::Cast:
      // The layout is unchanged in C order; only the shape the IR inferred differs.
      if (x.elementCount() != elementCountOf(out))
        failInput(where, "reshapes {} elements into shape {}", x.elementCount(),
                  ir::shapeToString(out));
      return {Tensor(out, x.data)};
    default:
      failInput(where, "op {} has no float kernel", ir::opName(n.kind));
  }
}

}  // namespace xbar::reference
