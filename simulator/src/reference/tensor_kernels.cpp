#include "xbar/reference/tensor_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "tensor_index.h"
#include "xbar/ir/resize_modes.h"
#include "xbar/ir/slice_bounds.h"

namespace xbar::reference {
namespace {

using detail::broadcastIndex;
using detail::normalisedAxis;
using detail::Shape;
using detail::stridesOf;

// An index operand held as float (Tensor's element type): INT64_MAX and friends, which ONNX
// uses for "to the end", round to 2^63, outside int64; clamp before converting.
int64_t toIndex(float v) {
  const double d = v;
  if (d >= 0x1p62) return int64_t{1} << 62;
  if (d <= -0x1p62) return -(int64_t{1} << 62);
  return static_cast<int64_t>(d);
}

std::vector<int64_t> indicesOf(const Tensor* t) {
  std::vector<int64_t> out;
  if (t != nullptr)
    for (float v : t->data) out.push_back(toIndex(v));
  return out;
}

// Calls f(inFlat, coord) for every element of `shape` in C order.
template <typename F>
void forEachCoord(const Shape& shape, F f) {
  const int64_t total = elementCountOf(shape);
  Shape coord(shape.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    f(i, coord);
    for (size_t k = shape.size(); k-- > 0;) {
      if (++coord[k] < shape[k]) break;
      coord[k] = 0;
    }
  }
}

void checkCount(const Shape& out, int64_t computed, const char* op, const std::string& where) {
  if (elementCountOf(out) != computed)
    failInput(where, "{} computes {} elements where the IR's output shape {} holds {}", op,
              computed, ir::shapeToString(out), elementCountOf(out));
}

}  // namespace

Tensor reduce(const ir::Node& n, const std::vector<const Tensor*>& in, Reduction kind,
              const std::vector<int64_t>& out, const std::string& where) {
  const Tensor& x = *in[0];
  const size_t rank = x.shape.size();
  std::vector<int64_t> axes;
  if (n.attrs.has("axes"))
    axes = n.attrs.getInts("axes", {}, where);
  else if (in.size() > 1)
    axes = indicesOf(in[1]);
  if (axes.empty() && n.attrs.getInt("noop_with_empty_axes", 0, where) != 0) return {out, x.data};
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    const auto k = static_cast<size_t>(normalisedAxis(a, rank, where));
    if (reduced[k]) failInput(where, "axis {} is reduced twice", a);
    reduced[k] = true;
  }
  Shape kept(rank);
  int64_t count = 1;
  for (size_t k = 0; k < rank; ++k) {
    kept[k] = reduced[k] ? 1 : x.shape[k];
    if (reduced[k]) count *= x.shape[k];
  }
  const Shape keptStride = stridesOf(kept);
  const int64_t outCount = elementCountOf(kept);
  checkCount(out, outCount, "the reduction", where);
  const double start = kind == Reduction::Max ? -std::numeric_limits<double>::infinity() : 0.0;
  std::vector<double> acc(static_cast<size_t>(outCount), start);
  forEachCoord(x.shape, [&](int64_t i, const Shape& coord) {
    int64_t at = 0;
    for (size_t k = 0; k < rank; ++k)
      if (!reduced[k]) at += coord[k] * keptStride[k];
    double& a = acc[static_cast<size_t>(at)];
    const double v = x.data[static_cast<size_t>(i)];
    a = kind == Reduction::Max ? std::max(a, v) : a + v;
  });
  Tensor y = Tensor::filled(out);
  for (size_t i = 0; i < acc.size(); ++i)
    y.data[i] =
        static_cast<float>(kind == Reduction::Mean ? acc[i] / static_cast<double>(count) : acc[i]);
  return y;
}

Tensor layerNorm(const ir::Node& n, const std::vector<const Tensor*>& in,
                 const std::string& where) {
  const Tensor& x = *in[0];
  const auto axis =
      static_cast<size_t>(normalisedAxis(n.attrs.getInt("axis", -1, where), x.shape.size(), where));
  const double eps = n.attrs.getFloat("epsilon", 1e-5F, where);
  const Shape normalised(x.shape.begin() + static_cast<std::ptrdiff_t>(axis), x.shape.end());
  const int64_t inner = elementCountOf(normalised);
  const int64_t outer = inner == 0 ? 0 : x.elementCount() / inner;
  const Tensor* scale = in.size() > 1 ? in[1] : nullptr;
  const Tensor* bias = in.size() > 2 ? in[2] : nullptr;
  const std::vector<int64_t> si =
      scale ? broadcastIndex(scale->shape, normalised, where) : std::vector<int64_t>{};
  const std::vector<int64_t> bi =
      bias ? broadcastIndex(bias->shape, normalised, where) : std::vector<int64_t>{};
  Tensor y = x;
  for (int64_t o = 0; o < outer; ++o) {
    float* row = y.data.data() + o * inner;
    double sum = 0;
    for (int64_t i = 0; i < inner; ++i) sum += row[i];
    const double mean = sum / static_cast<double>(inner);
    double squares = 0;
    for (int64_t i = 0; i < inner; ++i) squares += (row[i] - mean) * (row[i] - mean);
    const double inv = 1.0 / std::sqrt(squares / static_cast<double>(inner) + eps);
    for (int64_t i = 0; i < inner; ++i) {
      const auto k = static_cast<size_t>(i);
      const double s = scale ? scale->data[static_cast<size_t>(si[k])] : 1.0;
      const double b = bias ? bias->data[static_cast<size_t>(bi[k])] : 0.0;
      row[i] = static_cast<float>((row[i] - mean) * inv * s + b);
    }
  }
  return y;
}

Tensor instanceNorm(const ir::Node& n, const std::vector<const Tensor*>& in,
                    const std::string& where) {
  const Tensor& x = *in[0];
  if (x.shape.size() < 3) failInput(where, "InstanceNormalization needs (N, C, spatial...)");
  const int64_t channels = x.shape[1];
  for (size_t k = 1; k < 3; ++k)
    if (in.size() <= k || in[k] == nullptr || static_cast<int64_t>(in[k]->data.size()) != channels)
      failInput(where, "InstanceNormalization input {} must hold {} per-channel values", k,
                channels);
  const double eps = n.attrs.getFloat("epsilon", 1e-5F, where);
  const int64_t inner = x.elementCount() / (x.shape[0] * channels);
  Tensor y = x;
  for (int64_t b = 0; b < x.shape[0]; ++b)
    for (int64_t c = 0; c < channels; ++c) {
      float* p = y.data.data() + (b * channels + c) * inner;
      double sum = 0, squares = 0;
      for (int64_t i = 0; i < inner; ++i) sum += p[i];
      const double mean = sum / static_cast<double>(inner);
      for (int64_t i = 0; i < inner; ++i) squares += (p[i] - mean) * (p[i] - mean);
      const double inv = 1.0 / std::sqrt(squares / static_cast<double>(inner) + eps);
      const double s = in[1]->data[static_cast<size_t>(c)];
      const double sh = in[2]->data[static_cast<size_t>(c)];
      for (int64_t i = 0; i < inner; ++i) p[i] = static_cast<float>((p[i] - mean) * inv * s + sh);
    }
  return y;
}

Tensor slice(const ir::Node& n, const std::vector<const Tensor*>& in,
             const std::vector<int64_t>& out, const std::string& where) {
  const Tensor& x = *in[0];
  const size_t rank = x.shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (in.size() > 2 && in[1] != nullptr && in[2] != nullptr) {  // opset 10 on
    starts = indicesOf(in[1]);
    ends = indicesOf(in[2]);
    axes = indicesOf(in.size() > 3 ? in[3] : nullptr);
    steps = indicesOf(in.size() > 4 ? in[4] : nullptr);
  } else {
    starts = n.attrs.getInts("starts", {}, where);
    ends = n.attrs.getInts("ends", {}, where);
    axes = n.attrs.getInts("axes", {}, where);
  }
  const std::vector<ir::SliceAxis> taken = ir::sliceAxes(x.shape, starts, ends, axes, steps, where);
  Shape first(rank), step(rank), extent(rank);
  for (size_t k = 0; k < rank; ++k) {
    first[k] = taken[k].first;
    step[k] = taken[k].step;
    extent[k] = taken[k].count;
  }
  if (extent != out)
    failInput(where, "Slice selects shape {} where the IR's output shape is {}",
              ir::shapeToString(extent), ir::shapeToString(out));
  const Shape stride = stridesOf(x.shape);
  Tensor y = Tensor::filled(out);
  forEachCoord(out, [&](int64_t i, const Shape& coord) {
    int64_t at = 0;
    for (size_t k = 0; k < rank; ++k) at += (first[k] + coord[k] * step[k]) * stride[k];
    y.data[static_cast<size_t>(i)] = x.data[static_cast<size_t>(at)];
  });
  return y;
}

std::vector<Tensor> split(const ir::Node& n, const Tensor& x, const std::vector<Shape>& outs,
                          const std::string& where) {
  const auto axis =
      static_cast<size_t>(normalisedAxis(n.attrs.getInt("axis", 0, where), x.shape.size(), where));
  int64_t outer = 1, inner = 1, total = 0;
  for (size_t k = 0; k < axis; ++k) outer *= x.shape[k];
  for (size_t k = axis + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  for (const Shape& s : outs) {
    if (s.size() != x.shape.size())
      failInput(where, "Split output of shape {} from an input of shape {}", ir::shapeToString(s),
                ir::shapeToString(x.shape));
    total += s[axis];
  }
  if (total != x.shape[axis])
    failInput(where, "Split outputs take {} of the {} elements along axis {}", total, x.shape[axis],
              axis);
  std::vector<Tensor> ys;
  int64_t offset = 0;
  for (const Shape& s : outs) {
    Tensor y = Tensor::filled(s);
    const int64_t block = s[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::copy_n(x.data.data() + (o * x.shape[axis] + offset) * inner, block,
                  y.data.data() + o * block);
    offset += s[axis];
    ys.push_back(std::move(y));
  }
  return ys;
}

Tensor gather(const ir::Node& n, const Tensor& x, const Tensor& indices, const Shape& out,
              const std::string& where) {
  const auto axis =
      static_cast<size_t>(normalisedAxis(n.attrs.getInt("axis", 0, where), x.shape.size(), where));
  int64_t outer = 1, inner = 1;
  for (size_t k = 0; k < axis; ++k) outer *= x.shape[k];
  for (size_t k = axis + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  const int64_t extent = x.shape[axis];
  checkCount(out, outer * static_cast<int64_t>(indices.data.size()) * inner, "Gather", where);
  Tensor y = Tensor::filled(out);
  float* dst = y.data.data();
  for (int64_t o = 0; o < outer; ++o)
    for (float raw : indices.data) {
      int64_t i = toIndex(raw);
      if (i < -extent || i >= extent)
        failInput(where, "index {} is outside an axis of {}; expected {} to {}", i, extent, -extent,
                  extent - 1);
      if (i < 0) i += extent;
      std::copy_n(x.data.data() + (o * extent + i) * inner, inner, dst);
      dst += inner;
    }
  return y;
}

Tensor expand(const Tensor& x, const Shape& out, const std::string& where) {
  const std::vector<int64_t> index = broadcastIndex(x.shape, out, where);
  Tensor y = Tensor::filled(out);
  for (size_t i = 0; i < y.data.size(); ++i) y.data[i] = x.data[static_cast<size_t>(index[i])];
  return y;
}

Tensor tile(const Tensor& x, const Shape& out, const std::string& where) {
  const size_t rank = x.shape.size();
  if (out.size() != rank)
    failInput(where, "Tile of a rank-{} input into shape {}", rank, ir::shapeToString(out));
  for (size_t k = 0; k < rank; ++k)
    if (x.shape[k] == 0 || out[k] % x.shape[k] != 0)
      failInput(where, "Tile of shape {} into {}: axis {} is no whole number of repeats",
                ir::shapeToString(x.shape), ir::shapeToString(out), k);
  const Shape stride = stridesOf(x.shape);
  Tensor y = Tensor::filled(out);
  forEachCoord(out, [&](int64_t i, const Shape& coord) {
    int64_t at = 0;
    for (size_t k = 0; k < rank; ++k) at += (coord[k] % x.shape[k]) * stride[k];
    y.data[static_cast<size_t>(i)] = x.data[static_cast<size_t>(at)];
  });
  return y;
}

Tensor selectWhere(const Tensor& condition, const Tensor& x, const Tensor& y, const Shape& out,
                   const std::string& where) {
  const auto ic = broadcastIndex(condition.shape, out, where);
  const auto ix = broadcastIndex(x.shape, out, where);
  const auto iy = broadcastIndex(y.shape, out, where);
  Tensor r = Tensor::filled(out);
  for (size_t i = 0; i < r.data.size(); ++i)
    r.data[i] = condition.data[static_cast<size_t>(ic[i])] != 0.0F
                    ? x.data[static_cast<size_t>(ix[i])]
                    : y.data[static_cast<size_t>(iy[i])];
  return r;
}

Tensor extremum(const std::vector<const Tensor*>& in, bool largest, const Shape& out,
                const std::string& where) {
  Tensor r = Tensor::filled(out, largest ? -std::numeric_limits<float>::infinity()
                                         : std::numeric_limits<float>::infinity());
  for (const Tensor* t : in) {
    if (t == nullptr) failInput(where, "an omitted operand of Min or Max");
    const auto index = broadcastIndex(t->shape, out, where);
    for (size_t i = 0; i < r.data.size(); ++i) {
      const float v = t->data[static_cast<size_t>(index[i])];
      // NaN propagates, as in numpy's maximum and ONNX Runtime.
      if (std::isnan(v) || (largest ? v > r.data[i] : v < r.data[i])) r.data[i] = v;
    }
  }
  return r;
}

namespace {

// Where output index `o` of a resized axis samples the input, by ONNX's coordinate modes.
double sourceCoordinate(const std::string& mode, int64_t o, double scale, int64_t inLen,
                        int64_t outLen) {
  const auto od = static_cast<double>(o);
  if (mode == "align_corners")
    return outLen == 1 ? 0.0 : od * static_cast<double>(inLen - 1) / double(outLen - 1);
  if (mode == "asymmetric") return od / scale;
  if (mode == "pytorch_half_pixel" && outLen == 1) return 0.0;
  return (od + 0.5) / scale - 0.5;  // half_pixel, pytorch_half_pixel
}

int64_t nearestIndex(const std::string& rounding, double x) {
  const double f = std::floor(x);
  if (rounding == "floor") return static_cast<int64_t>(f);
  if (rounding == "ceil") return static_cast<int64_t>(std::ceil(x));
  if (x - f == 0.5) return static_cast<int64_t>(rounding == "round_prefer_ceil" ? f + 1 : f);
  return static_cast<int64_t>(std::round(x));
}

Tensor resizeAxis(const Tensor& x, size_t axis, int64_t outLen, double scale, bool linear,
                  const std::string& coordinates, const std::string& rounding) {
  Shape shape = x.shape;
  const int64_t inLen = shape[axis];
  shape[axis] = outLen;
  int64_t outer = 1, inner = 1;
  for (size_t k = 0; k < axis; ++k) outer *= x.shape[k];
  for (size_t k = axis + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  std::vector<int64_t> i0(static_cast<size_t>(outLen)), i1(i0.size());
  std::vector<float> w1(i0.size());
  for (int64_t o = 0; o < outLen; ++o) {
    const double c = sourceCoordinate(coordinates, o, scale, inLen, outLen);
    const auto k = static_cast<size_t>(o);
    if (linear) {
      const double clamped = std::clamp(c, 0.0, static_cast<double>(inLen - 1));
      i0[k] = static_cast<int64_t>(std::floor(clamped));
      i1[k] = std::min(i0[k] + 1, inLen - 1);
      w1[k] = static_cast<float>(clamped - static_cast<double>(i0[k]));
    } else {
      i0[k] = i1[k] = std::clamp<int64_t>(nearestIndex(rounding, c), 0, inLen - 1);
    }
  }
  Tensor y = Tensor::filled(shape);
  for (int64_t b = 0; b < outer; ++b)
    for (int64_t o = 0; o < outLen; ++o) {
      const auto k = static_cast<size_t>(o);
      const float* a = x.data.data() + (b * inLen + i0[k]) * inner;
      const float* c = x.data.data() + (b * inLen + i1[k]) * inner;
      float* dst = y.data.data() + (b * outLen + o) * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] = a[i] + w1[k] * (c[i] - a[i]);
    }
  return y;
}

}  // namespace

Tensor resize(const ir::Node& n, const std::vector<const Tensor*>& in, const Shape& out,
              const std::string& where) {
  if (const std::string bad = ir::unsupportedResize(n, where); !bad.empty())
    failInput(where, "{}", bad);
  const Tensor& x = *in[0];
  if (out.size() != x.shape.size())
    failInput(where, "Resize of a rank-{} input into shape {}", x.shape.size(),
              ir::shapeToString(out));
  const bool linear = n.attrs.getString("mode", "nearest", where) == "linear";
  const std::string coordinates =
      n.attrs.getString("coordinate_transformation_mode", "half_pixel", where);
  const std::string rounding = n.attrs.getString("nearest_mode", "round_prefer_floor", where);
  // Scales from input 2 when given, else output over input size (ONNX's rule with sizes).
  const Tensor* scales =
      in.size() > 2 && in[2] != nullptr && !in[2]->data.empty() ? in[2] : nullptr;
  if (scales != nullptr && scales->data.size() != x.shape.size())
    failInput(where, "Resize has {} scales for a rank-{} input", scales->data.size(),
              x.shape.size());
  Tensor y = x;
  for (size_t k = 0; k < out.size(); ++k) {
    const double scale = scales ? double(scales->data[k])
                                : static_cast<double>(out[k]) / static_cast<double>(x.shape[k]);
    if (out[k] == x.shape[k] && scale == 1.0) continue;
    y = resizeAxis(y, k, out[k], scale, linear, coordinates, rounding);
  }
  return y;
}

}  // namespace xbar::reference
