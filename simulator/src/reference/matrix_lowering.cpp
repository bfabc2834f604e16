#include "xbar/reference/matrix_lowering.h"

#include <numeric>

#include "xbar/reference/window.h"
#include "xbar/support/error.h"

namespace xbar::reference {
namespace {

using Shape = std::vector<int64_t>;

int64_t product(Shape::const_iterator begin, Shape::const_iterator end) {
  return std::accumulate(begin, end, int64_t{1}, std::multiplies<>());
}

}  // namespace

MatrixLowering::MatrixLowering(const ir::Graph& graph, const mapping::MatrixLayer& layer)
    : graph_(graph), layer_(layer) {
  const ir::Node& n = graph.node(layer.node);
  const std::string where = graph.describe(layer.node);
  weightOnLeft_ = layer.op == ir::OpKind::MatMul && layer.weight == n.inputs[0];
  activation_ = weightOnLeft_ ? n.inputs[1] : n.inputs[0];
  const Shape& x = graph.value(activation_).shape;
  const Shape& w = graph.value(layer.weight).shape;
  vectors_ = layer.vectorsPerInference;
  switch (layer.op) {
    case ir::OpKind::Conv: {
      const Window win =
          windowOf(n, x, graph.value(n.outputs[0]).shape, Shape(w.begin() + 2, w.end()), where);
      strides_ = win.strides;
      dilations_ = win.dilations;
      padBegin_ = win.padBegin;
      kernel_ = win.kernel;
      break;
    }
    case ir::OpKind::ConvTranspose: {  // pads and output_padding explicit (verify_shapes)
      const size_t spatial = x.size() - 2;
      transposed_ = true;
      strides_ = n.attrs.getInts("strides", Shape(spatial, 1), where);
      dilations_ = n.attrs.getInts("dilations", Shape(spatial, 1), where);
      const Shape pads = n.attrs.getInts("pads", Shape(2 * spatial, 0), where);
      padBegin_.assign(pads.begin(), pads.begin() + static_cast<ptrdiff_t>(spatial));
      kernel_.assign(w.begin() + 2, w.end());
      break;
    }
    case ir::OpKind::Gemm:
      transA_ = n.attrs.getInt("transA", 0, where) != 0;
      transB_ = n.attrs.getInt("transB", 0, where) != 0;
      alpha_ = n.attrs.getFloat("alpha", 1.0F, where);
      beta_ = n.attrs.getFloat("beta", 1.0F, where);
      break;
    default: {  // MatMul: the activation's batch must be the weights' batch, not broadcast
      const size_t wBatch = w.size() - 2;
      const bool sameBatch =
          x.size() >= 2 &&
          (layer.groups == 1 ||
           (x.size() == w.size() && std::equal(x.begin(), x.begin() + wBatch, w.begin())));
      if (!sameBatch || (weightOnLeft_ && layer.groups == 1 && x.size() != 2))
        failInput(where,
                  "a MatMul of {} and {} (a batch that broadcasts) is not lowered onto "
                  "crossbars by the numerics",
                  ir::shapeToString(graph.value(n.inputs[0]).shape),
                  ir::shapeToString(graph.value(n.inputs[1]).shape));
    }
  }
}

std::vector<float> MatrixLowering::weightMatrix(const Tensor& weight, int64_t group) const {
  const int64_t outs = layer_.outputs, ins = layer_.inputs;
  std::vector<float> m(static_cast<size_t>(outs * ins));
  const float* base = weight.data.data() + group * outs * ins;
  if (transposed_) {  // (Cin, Cout / groups, kernel...): row (c, k) of output o is W[c][o][k]
    const int64_t kernelSize = product(kernel_.begin(), kernel_.end());
    for (int64_t o = 0; o < outs; ++o)
      for (int64_t i = 0; i < ins; ++i)
        m[static_cast<size_t>(o * ins + i)] =
            base[(i / kernelSize * outs + o) * kernelSize + i % kernelSize];
    return m;
  }
  // Conv (O, I...) and Gemm with transB, and MatMul's left weights (N_out x K), are already
  // outputs x inputs; Gemm's B and MatMul's right weights are K x N.
  const bool rowsAreOutputs =
      layer_.op == ir::OpKind::Conv || (layer_.op == ir::OpKind::Gemm && transB_) || weightOnLeft_;
  for (int64_t o = 0; o < outs; ++o)
    for (int64_t i = 0; i < ins; ++i)
      m[static_cast<size_t>(o * ins + i)] = rowsAreOutputs ? base[o * ins + i] : base[i * outs + o];
  return m;
}

void MatrixLowering::im2col(std::span<const int64_t> codes, int64_t group, int64_t padCode,
                            int64_t first, int64_t end, std::vector<int64_t>& v) const {
  const ir::Node& n = graph_.node(layer_.node);
  const Shape& x = graph_.value(activation_).shape;
  const Shape& y = graph_.value(n.outputs[0]).shape;
  const size_t spatial = x.size() - 2;
  const int64_t channels = x[1] / layer_.groups;
  const int64_t kernelSize = product(kernel_.begin(), kernel_.end());
  const int64_t outSpatial = product(y.begin() + 2, y.end());
  const int64_t inSpatial = product(x.begin() + 2, x.end());
  std::vector<int64_t> outCoord(spatial), kCoord(spatial);
  for (int64_t r = first; r < end; ++r) {
    const int64_t b = r / outSpatial, p = r % outSpatial;
    int64_t rest = p;
    for (size_t d = spatial; d-- > 0;) {
      outCoord[d] = rest % y[d + 2];
      rest /= y[d + 2];
    }
    int64_t* row = v.data() + (r - first) * layer_.inputs;
    for (int64_t k = 0; k < kernelSize; ++k) {
      int64_t krest = k, offset = 0;
      bool inside = true;
      for (size_t d = spatial; d-- > 0;) {
        kCoord[d] = krest % kernel_[d];
        krest /= kernel_[d];
      }
      for (size_t d = 0; d < spatial; ++d) {
        int64_t at = outCoord[d] * strides_[d] - padBegin_[d] + kCoord[d] * dilations_[d];
        if (transposed_) {  // the input position whose stride lands on this output
          const int64_t from = outCoord[d] + padBegin_[d] - kCoord[d] * dilations_[d];
          at = from >= 0 && from % strides_[d] == 0 ? from / strides_[d] : -1;
        }
        if (at < 0 || at >= x[d + 2]) inside = false;
        offset = offset * x[d + 2] + at;
      }
      for (int64_t c = 0; c < channels; ++c) {
        const int64_t channel = group * channels + c;
        row[c * kernelSize + k] =
            inside ? codes[static_cast<size_t>((b * x[1] + channel) * inSpatial + offset)]
                   : padCode;
      }
    }
  }
}

std::vector<int64_t> MatrixLowering::inputVectors(std::span<const int64_t> codes, int64_t group,
                                                  int64_t padCode, int64_t firstVector,
                                                  int64_t endVector) const {
  const int64_t ins = layer_.inputs;
  const int64_t first = firstVector, end = endVector < 0 ? vectors_ : endVector;
  std::vector<int64_t> v(static_cast<size_t>((end - first) * ins));
  if (layer_.op == ir::OpKind::Conv || transposed_) {
    im2col(codes, group, padCode, first, end, v);
    return v;
  }
  // Gemm's A (M x K, or K x M transposed) and MatMul's x (..., M, K) hold vectors as rows;
  // MatMul W·x's x (..., K, V) holds them as columns.
  const bool columns = transA_ || weightOnLeft_;
  const int64_t* base = codes.data() + group * vectors_ * ins;
  for (int64_t r = first; r < end; ++r)
    for (int64_t i = 0; i < ins; ++i)
      v[static_cast<size_t>((r - first) * ins + i)] =
          columns ? base[i * vectors_ + r] : base[r * ins + i];
  return v;
}

void MatrixLowering::scatterOutputs(std::span<const double> values, int64_t group,
                                    const std::vector<const Tensor*>& inputs, Tensor& out) const {
  const int64_t outs = layer_.outputs;
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  if (layer_.op == ir::OpKind::Conv || transposed_) {
    // out (N, C, spatial...): vector r = (b, p) writes channel group*outs + o at position p.
    const int64_t perImage = vectors_ / out.shape[0];
    for (int64_t r = 0; r < vectors_; ++r) {
      const int64_t b = r / perImage, p = r % perImage;
      for (int64_t o = 0; o < outs; ++o) {
        const int64_t channel = group * outs + o;
        const double add = bias ? bias->data[static_cast<size_t>(channel)] : 0.0;
        out.data[static_cast<size_t>((b * out.shape[1] + channel) * perImage + p)] =
            static_cast<float>(values[static_cast<size_t>(r * outs + o)] + add);
      }
    }
    return;
  }
  if (layer_.op == ir::OpKind::Gemm) {
    const int64_t rows = bias && bias->shape.size() == 2 ? bias->shape[0] : 1;
    const int64_t cols = bias && !bias->shape.empty() ? bias->shape.back() : 1;
    for (int64_t r = 0; r < vectors_; ++r)
      for (int64_t o = 0; o < outs; ++o) {
        double v = static_cast<double>(alpha_) * values[static_cast<size_t>(r * outs + o)];
        if (bias && beta_ != 0.0F)
          v += static_cast<double>(beta_) *
               bias->data[static_cast<size_t>((rows == 1 ? 0 : r) * cols + (cols == 1 ? 0 : o))];
        out.data[static_cast<size_t>(r * outs + o)] = static_cast<float>(v);
      }
    return;
  }
  // MatMul: x·W writes rows (..., M, N); W·x writes columns (..., N, V).
  float* base = out.data.data() + group * vectors_ * outs;
  for (int64_t r = 0; r < vectors_; ++r)
    for (int64_t o = 0; o < outs; ++o)
      base[weightOnLeft_ ? o * vectors_ + r : r * outs + o] =
          static_cast<float>(values[static_cast<size_t>(r * outs + o)]);
}

}  // namespace xbar::reference
