#include "constant_kernels.h"

#include <algorithm>
#include <cmath>

#include "xbar/ir/slice_bounds.h"
#include "xbar/support/error.h"

namespace xbar::passes::detail {

using ir::ElementType;
using ir::OpKind;
using ir::Shape;
using ir::TensorData;
using ir::Value;

// Constant data viewed as doubles, whatever its element type; exact for the small integers
// that shape arithmetic uses.
std::vector<double> asDoubles(const Value& v) {
  const TensorData& d = *v.data;
  if (v.type == ElementType::Float) return {d.floats.begin(), d.floats.end()};
  return {d.ints.begin(), d.ints.end()};
}

TensorData fromDoubles(const std::vector<double>& values, ElementType type,
                       const std::string& where) {
  TensorData d;
  if (type == ElementType::Float) {
    d.floats.reserve(values.size());
    for (double x : values) d.floats.push_back(static_cast<float>(x));
  } else {
    d.ints.reserve(values.size());
    // An integer result must be one (a division by zero, an overflow): casting inf or NaN
    // is undefined.
    for (double x : values) {
      if (!(x >= -0x1p63 && x < 0x1p63))
        failInput(where, "folds to {}, which is no 64-bit integer", x);
      d.ints.push_back(static_cast<int64_t>(x));
    }
  }
  return d;
}

std::vector<int64_t> stridesOf(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

// For each element of `out`, the index into `v` under numpy broadcasting; refuses an operand
// whose trailing dims are neither 1 nor the output's (they would index outside its data).
std::vector<size_t> broadcastIndex(const Value& v, const Shape& out, const std::string& where) {
  bool fits = v.shape.size() <= out.size();
  for (size_t k = 0; fits && k < v.shape.size(); ++k) {
    const int64_t d = v.shape[v.shape.size() - 1 - k];
    fits = d == 1 || d == out[out.size() - 1 - k];
  }
  if (!fits)
    failInput(where, "operand '{}' of shape {} does not broadcast to {}", v.name,
              ir::shapeToString(v.shape), ir::shapeToString(out));
  const auto outStrides = stridesOf(out);
  const auto strides = stridesOf(v.shape);
  const size_t offset = out.size() - v.shape.size();
  int64_t total = 1;
  for (int64_t d : out) total *= d;
  std::vector<size_t> index(static_cast<size_t>(total));
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t idx = 0;
    for (size_t k = 0; k < v.shape.size(); ++k) {
      const int64_t coord = (flat / outStrides[k + offset]) % out[k + offset];
      idx += (v.shape[k] == 1 ? 0 : coord) * strides[k];
    }
    index[static_cast<size_t>(flat)] = static_cast<size_t>(idx);
  }
  return index;
}

// numpy broadcasting of a binary op onto the output shape.
std::vector<double> broadcast(const Value& a, const Value& b, const Shape& out, OpKind op,
                              const std::string& where) {
  const auto av = asDoubles(a);
  const auto bv = asDoubles(b);
  const auto ia = broadcastIndex(a, out, where);
  const auto ib = broadcastIndex(b, out, where);
  std::vector<double> result(ia.size());
  for (size_t i = 0; i < ia.size(); ++i) {
    const double x = av[ia[i]];
    const double y = bv[ib[i]];
    switch (op) {
      case OpKind::Add:
        result[i] = x + y;
        break;
      case OpKind::Sub:
        result[i] = x - y;
        break;
      case OpKind::Mul:
        result[i] = x * y;
        break;
      case OpKind::Equal:
        result[i] = x == y ? 1.0 : 0.0;
        break;
      case OpKind::Pow:
        result[i] = std::pow(x, y);
        break;
      case OpKind::Mod:  // fmod = 0 (integers): the sign of the divisor, as Python's %
        if (y == 0) failInput(where, "Mod by 0");
        result[i] = std::fmod(x, y);
        if (a.type == ElementType::Int && result[i] != 0 && (result[i] < 0) != (y < 0))
          result[i] += y;
        break;
      default:
        // Integer division truncates toward zero as ONNX specifies; float divides.
        result[i] = a.type == ElementType::Int ? std::trunc(x / y) : x / y;
        break;
    }
  }
  return result;
}

// An axis of a rank-`rank` tensor, refusing one outside [-rank, rank).
int64_t checkedAxis(int64_t axis, int64_t rank, const std::string& where) {
  if (axis < -rank || axis >= rank)
    failInput(where, "axis {} is outside a rank-{} tensor; expected {} to {}", axis, rank, -rank,
              rank - 1);
  return axis < 0 ? axis + rank : axis;
}

std::vector<double> gather(const Value& data, const Value& indices, int64_t axis,
                           const std::string& where) {
  const auto dv = asDoubles(data);
  const auto iv = asDoubles(indices);
  const int64_t rank = static_cast<int64_t>(data.shape.size());
  axis = checkedAxis(axis, rank, where);
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= data.shape[static_cast<size_t>(k)];
  for (int64_t k = axis + 1; k < rank; ++k) inner *= data.shape[static_cast<size_t>(k)];
  const int64_t extent = data.shape[static_cast<size_t>(axis)];
  std::vector<double> out;
  for (int64_t o = 0; o < outer; ++o)
    for (double raw : iv) {
      // Indices in [-extent, extent): others read outside the data.
      if (!(raw >= static_cast<double>(-extent) && raw < static_cast<double>(extent)) ||
          raw != std::floor(raw))
        failInput(where, "index {} is outside an axis of {}; expected {} to {}", raw, extent,
                  -extent, extent - 1);
      int64_t idx = static_cast<int64_t>(raw);
      if (idx < 0) idx += extent;
      for (int64_t in = 0; in < inner; ++in)
        out.push_back(dv[static_cast<size_t>((o * extent + idx) * inner + in)]);
    }
  return out;
}

std::vector<double> concat(const ir::Graph& g, const ir::Node& node, int64_t axis, const Shape& out,
                           const std::string& where) {
  const int64_t rank = static_cast<int64_t>(out.size());
  axis = checkedAxis(axis, rank, where);
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= out[static_cast<size_t>(k)];
  std::vector<double> result;
  std::vector<std::vector<double>> parts;
  std::vector<int64_t> chunk;
  for (ir::ValueId in : node.inputs) {
    const Value& v = g.value(in);
    parts.push_back(asDoubles(v));
    chunk.push_back(outer == 0 ? 0 : static_cast<int64_t>(parts.back().size()) / outer);
    if (chunk.back() * outer != static_cast<int64_t>(parts.back().size()))
      failInput(where, "input '{}' of {} elements does not split into {} rows along axis {}",
                v.name, parts.back().size(), outer, axis);
  }
  for (int64_t o = 0; o < outer; ++o)
    for (size_t p = 0; p < parts.size(); ++p)
      result.insert(result.end(), parts[p].begin() + o * chunk[p],
                    parts[p].begin() + (o + 1) * chunk[p]);
  return result;
}

// Where(condition, x, y), Expand and the other selections, under numpy broadcasting.
std::vector<double> select(const Value& condition, const Value& x, const Value& y, const Shape& out,
                           const std::string& where) {
  const auto c = asDoubles(condition), xv = asDoubles(x), yv = asDoubles(y);
  const auto ic = broadcastIndex(condition, out, where);
  const auto ix = broadcastIndex(x, out, where);
  const auto iy = broadcastIndex(y, out, where);
  std::vector<double> result(ic.size());
  for (size_t i = 0; i < ic.size(); ++i) result[i] = c[ic[i]] != 0 ? xv[ix[i]] : yv[iy[i]];
  return result;
}

std::vector<double> expand(const Value& x, const Shape& out, const std::string& where) {
  const auto xv = asDoubles(x);
  const auto ix = broadcastIndex(x, out, where);
  std::vector<double> result(ix.size());
  for (size_t i = 0; i < ix.size(); ++i) result[i] = xv[ix[i]];
  return result;
}

double scalarOf(const Value& v, const char* what, const std::string& where) {
  if (v.elementCount() != 1)
    failInput(where, "{} has {} elements; expected a scalar", what, v.elementCount());
  return asDoubles(v)[0];
}

// Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements.
std::vector<double> range(const ir::Graph& g, const ir::Node& node, const std::string& where) {
  const double start = scalarOf(g.value(node.inputs[0]), "start", where);
  const double limit = scalarOf(g.value(node.input(1)), "limit", where);
  const double delta = scalarOf(g.value(node.input(2)), "delta", where);
  if (delta == 0) failInput(where, "Range delta is 0; expected a nonzero step");
  const double count = std::max(std::ceil((limit - start) / delta), 0.0);
  if (!(count < 0x1p32)) failInput(where, "Range of {} elements; expected fewer than 2^32", count);
  std::vector<double> result(static_cast<size_t>(count));
  for (size_t i = 0; i < result.size(); ++i) result[i] = start + static_cast<double>(i) * delta;
  return result;
}

std::vector<int64_t> intsOf(const ir::Graph& g, ir::ValueId v) {
  std::vector<int64_t> out;
  if (v == ir::kNoValue) return out;
  for (double d : asDoubles(g.value(v)))
    out.push_back(d >= 0x1p62 ? int64_t{1} << 62 : d <= -0x1p62 ? -(int64_t{1} << 62) : int64_t(d));
  return out;
}

// Slice of a constant (a shape vector's tail, as torch's x.shape[-2:] exports).
std::vector<double> slice(const ir::Graph& g, const ir::Node& node, const std::string& where) {
  const Value& data = g.value(node.inputs[0]);
  const auto taken = ir::sliceAxes(data.shape, intsOf(g, node.input(1)), intsOf(g, node.input(2)),
                                   intsOf(g, node.input(3)), intsOf(g, node.input(4)), where);
  const auto values = asDoubles(data);
  const auto strides = stridesOf(data.shape);
  Shape extent;
  for (const ir::SliceAxis& a : taken) extent.push_back(a.count);
  int64_t total = 1;
  for (int64_t d : extent) total *= d;
  std::vector<double> result;
  result.reserve(static_cast<size_t>(total));
  Shape coord(extent.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t at = 0;
    for (size_t k = 0; k < coord.size(); ++k)
      at += (taken[k].first + coord[k] * taken[k].step) * strides[k];
    result.push_back(values[static_cast<size_t>(at)]);
    for (size_t k = coord.size(); k-- > 0;) {
      if (++coord[k] < extent[k]) break;
      coord[k] = 0;
    }
  }
  return result;
}

// ScatterND(data, indices, updates): data with the slices the index tuples name replaced.
std::vector<double> scatterNd(const Value& data, const Value& indices, const Value& updates,
                              const std::string& where) {
  std::vector<double> result = asDoubles(data);
  const auto idx = asDoubles(indices);
  const auto upd = asDoubles(updates);
  if (indices.shape.empty()) failInput(where, "ScatterND indices have no last axis");
  const auto depth = static_cast<size_t>(indices.shape.back());
  if (depth > data.shape.size())
    failInput(where, "ScatterND index tuples of {} for rank-{} data", depth, data.shape.size());
  const auto strides = stridesOf(data.shape);
  int64_t slice = 1;
  for (size_t k = depth; k < data.shape.size(); ++k) slice *= data.shape[k];
  const size_t tuples = depth == 0 ? 0 : idx.size() / depth;
  if (static_cast<int64_t>(upd.size()) != static_cast<int64_t>(tuples) * slice)
    failInput(where, "ScatterND has {} updates for {} slices of {}", upd.size(), tuples, slice);
  for (size_t t = 0; t < tuples; ++t) {
    int64_t at = 0;
    for (size_t k = 0; k < depth; ++k) {
      auto i = static_cast<int64_t>(idx[t * depth + k]);
      const int64_t dim = data.shape[k];
      if (i < -dim || i >= dim)
        failInput(where, "ScatterND index {} is outside an axis of {}", i, dim);
      if (i < 0) i += dim;
      at += i * strides[k];
    }
    std::copy_n(upd.begin() + static_cast<std::ptrdiff_t>(t) * slice, slice, result.begin() + at);
  }
  return result;
}

// Transpose of a constant by `perm` (default: the axes reversed).
std::vector<double> transpose(const Value& x, const Shape& out, const ir::Node& node,
                              const std::string& where) {
  const size_t rank = x.shape.size();
  std::vector<int64_t> reversed(rank);
  for (size_t k = 0; k < rank; ++k) reversed[k] = static_cast<int64_t>(rank - 1 - k);
  const auto perm = node.attrs.getInts("perm", reversed, where);
  if (perm.size() != rank)
    failInput(where, "perm has {} entries for a rank-{} input", perm.size(), rank);
  const auto values = asDoubles(x);
  const auto strides = stridesOf(x.shape);
  std::vector<double> result;
  result.reserve(values.size());
  Shape coord(rank, 0);
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t at = 0;
    for (size_t k = 0; k < rank; ++k)
      at += coord[k] * strides[static_cast<size_t>(checkedAxis(perm[k], int64_t(rank), where))];
    result.push_back(values[static_cast<size_t>(at)]);
    for (size_t k = rank; k-- > 0;) {
      if (++coord[k] < out[k]) break;
      coord[k] = 0;
    }
  }
  return result;
}

}  // namespace xbar::passes::detail
