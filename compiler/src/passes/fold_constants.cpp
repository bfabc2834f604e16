#include <algorithm>
#include <cmath>
#include <numeric>

#include "xbar/ir/slice_bounds.h"
#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

namespace xbar::passes {
namespace {

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

bool broadcasting(OpKind k) {
  return k == OpKind::Add || k == OpKind::Sub || k == OpKind::Mul || k == OpKind::Div ||
         k == OpKind::Equal || k == OpKind::Mod || k == OpKind::Pow || k == OpKind::Where;
}

// The output shape of a Concat or broadcasting op whose operands are constants of known shape
// (the provisional graph's inference left it unknown); false when it cannot tell.
bool knownFromOperands(const ir::Graph& g, const ir::Node& node, const std::string& where,
                       Shape& out) {
  std::vector<const Shape*> shapes;
  for (ir::ValueId in : node.inputs) {
    if (in == ir::kNoValue) continue;
    const Value& v = g.value(in);
    if (!v.isConstant ||
        std::any_of(v.shape.begin(), v.shape.end(), [](int64_t d) { return d < 0; }))
      return false;
    shapes.push_back(&v.shape);
  }
  if (shapes.empty()) return false;
  if (node.kind == OpKind::Reshape && node.inputs.size() == 2 && g.value(node.inputs[1]).data) {
    // ONNX Reshape: 0 copies the input's dimension (allowzero unset), one -1 takes the rest.
    const Shape& in = *shapes[0];
    int64_t count = 1, known = 1;
    for (int64_t d : in) count *= d;
    Shape s;
    int64_t inferred = -1;
    for (double d : asDoubles(g.value(node.inputs[1]))) {
      auto v = static_cast<int64_t>(d);
      if (v == 0 && s.size() < in.size()) v = in[s.size()];
      if (v == -1) inferred = static_cast<int64_t>(s.size());
      if (v < -1) return false;
      if (v != -1) known *= v;
      s.push_back(v);
    }
    if (inferred >= 0) {
      if (known == 0 || count % known != 0) return false;
      s[static_cast<size_t>(inferred)] = count / known;
    }
    out = s;
    return true;
  }
  if (node.kind == OpKind::Slice && node.inputs.size() >= 3) {
    for (ir::ValueId in : node.inputs)
      if (in != ir::kNoValue && !g.value(in).data) return false;
    const auto taken = ir::sliceAxes(*shapes[0], intsOf(g, node.input(1)), intsOf(g, node.input(2)),
                                     intsOf(g, node.input(3)), intsOf(g, node.input(4)), where);
    out.clear();
    for (const ir::SliceAxis& a : taken) out.push_back(a.count);
    return true;
  }
  if (node.kind == OpKind::Range && node.inputs.size() == 3) {
    for (ir::ValueId in : node.inputs)
      if (!g.value(in).data) return false;
    out = {static_cast<int64_t>(range(g, node, where).size())};
    return true;
  }
  if (node.kind == OpKind::Expand && node.inputs.size() == 2 && g.value(node.inputs[1]).data) {
    // numpy broadcasting of the input's shape and the requested one
    const Shape& in = *shapes[0];
    const std::vector<int64_t> want = intsOf(g, node.inputs[1]);
    const size_t rank = std::max(in.size(), want.size());
    Shape s(rank, 1);
    for (size_t k = 0; k < rank; ++k) {
      const int64_t a = k + in.size() >= rank ? in[k + in.size() - rank] : 1;
      const int64_t b = k + want.size() >= rank ? want[k + want.size() - rank] : 1;
      if (a != 1 && b != 1 && a != b) return false;
      s[k] = a == 1 ? b : a;
    }
    out = s;
    return true;
  }
  if (node.kind == OpKind::Unsqueeze || node.kind == OpKind::Squeeze) {
    // Axes from input 1 (opset 13) or the attribute; Squeeze without axes drops every 1.
    std::vector<int64_t> axes =
        node.inputs.size() > 1 ? intsOf(g, node.inputs[1]) : node.attrs.getInts("axes", {}, where);
    const Shape& in = *shapes[0];
    if (node.kind == OpKind::Unsqueeze) {
      const auto rank = static_cast<int64_t>(in.size() + axes.size());
      std::vector<bool> inserted(static_cast<size_t>(rank), false);
      for (int64_t a : axes) inserted[static_cast<size_t>(checkedAxis(a, rank, where))] = true;
      out.clear();
      size_t next = 0;
      for (int64_t k = 0; k < rank; ++k)
        out.push_back(inserted[static_cast<size_t>(k)] ? 1 : in.at(next++));
      return true;
    }
    std::vector<bool> dropped(in.size(), axes.empty());
    for (int64_t a : axes)
      dropped[static_cast<size_t>(checkedAxis(a, static_cast<int64_t>(in.size()), where))] = true;
    out.clear();
    for (size_t k = 0; k < in.size(); ++k)
      if (!dropped[k] || in[k] != 1) out.push_back(in[k]);
    return true;
  }
  if (node.kind == OpKind::Transpose) {
    const Shape& in = *shapes[0];
    std::vector<int64_t> reversed(in.size());
    for (size_t k = 0; k < in.size(); ++k) reversed[k] = static_cast<int64_t>(in.size() - 1 - k);
    const auto perm = node.attrs.getInts("perm", reversed, where);
    if (perm.size() != in.size()) return false;
    out.clear();
    for (int64_t p : perm)
      out.push_back(
          in[static_cast<size_t>(checkedAxis(p, static_cast<int64_t>(in.size()), where))]);
    return true;
  }
  if (node.kind == OpKind::Cast || node.kind == OpKind::Identity || node.kind == OpKind::Not ||
      node.kind == OpKind::Sign) {
    out = *shapes[0];
    return true;
  }
  if (node.kind == OpKind::Concat) {
    Shape s = *shapes[0];
    const int64_t axis =
        checkedAxis(node.attrs.getInt("axis", 0, where), static_cast<int64_t>(s.size()), where);
    for (size_t i = 1; i < shapes.size(); ++i) {
      if (shapes[i]->size() != s.size()) return false;
      s[static_cast<size_t>(axis)] += (*shapes[i])[static_cast<size_t>(axis)];
    }
    out = s;
    return true;
  }
  if (!broadcasting(node.kind)) return false;
  size_t rank = 0;
  for (const Shape* s : shapes) rank = std::max(rank, s->size());
  Shape s(rank, 1);
  for (const Shape* in : shapes)
    for (size_t k = 0; k < in->size(); ++k) {
      int64_t& d = s[rank - in->size() + k];
      const int64_t e = (*in)[k];
      if (e != 1 && d != 1 && e != d) return false;
      if (e != 1) d = e;
    }
  out = s;
  return true;
}

bool foldable(OpKind k) {
  switch (k) {
    case OpKind::Shape:
    case OpKind::Gather:
    case OpKind::Cast:
    case OpKind::Unsqueeze:
    case OpKind::Squeeze:
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Concat:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Identity:
    case OpKind::Sign:  // binary weights: Sign over an initializer
    case OpKind::ConstantOfShape:
    case OpKind::Equal:
    case OpKind::Where:
    case OpKind::Range:
    case OpKind::Expand:
    case OpKind::Slice:
    case OpKind::Mod:
    case OpKind::Not:
    case OpKind::ScatterND:
    case OpKind::Pow:
    case OpKind::Transpose:
      return true;
    default:
      return false;
  }
}

bool foldOne(ir::Graph& g, ir::NodeId id) {
  ir::Node& node = g.node(id);
  if (node.outputs.size() != 1 || node.outputs[0] == ir::kNoValue) return false;
  Value& out = g.value(node.outputs[0]);
  // The frontend folds provisional graphs where unknown dims are -1: leave those alone.
  auto unknown = [](const Shape& shape) {
    return std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; });
  };
  const std::string where = g.source + ": " + g.describe(id);
  // ConstantOfShape's output shape is its input's data: known as soon as that is.
  if (node.kind == OpKind::ConstantOfShape && unknown(out.shape) &&
      g.value(node.inputs[0]).isConstant && g.value(node.inputs[0]).data) {
    out.shape.clear();
    for (double d : asDoubles(g.value(node.inputs[0]))) {
      if (!(d >= 0 && d < 0x1p48))
        failInput(where, "ConstantOfShape dimension {}; expected 0 to 2^48", d);
      out.shape.push_back(static_cast<int64_t>(d));
    }
  }
  // Concat and the broadcasting ops of constants: their shape follows from the operands'.
  if (unknown(out.shape)) {
    Shape shape;
    if (!knownFromOperands(g, node, where, shape)) return false;
    out.shape = shape;
  }
  if (node.kind == OpKind::Shape && unknown(g.value(node.inputs[0]).shape)) return false;

  if (node.kind == OpKind::Shape) {
    const Shape& in = g.value(node.inputs[0]).shape;
    const auto rank = static_cast<int64_t>(in.size());
    int64_t start = node.attrs.getInt("start", 0, where);
    int64_t end = node.attrs.getInt("end", rank, where);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    TensorData d;
    d.ints.assign(in.begin() + start, in.begin() + end);
    out.data = std::move(d);
  } else {
    bool withoutData = false;
    for (ir::ValueId in : node.inputs) {
      if (in == ir::kNoValue) continue;
      if (!g.value(in).isConstant) return false;
      withoutData |= !g.value(in).data;
    }
    // A constant made from stripped ones (a binary weight's Sign and scale) is a constant
    // whose data was stripped too: the mapper sees a weight, the references refuse it.
    if (withoutData && node.kind != OpKind::Gather) {
      // Sign of a weight is binary; so is a binary weight scaled by a constant or renamed.
      const auto binaryInput = [&] {
        return std::any_of(node.inputs.begin(), node.inputs.end(), [&](ir::ValueId in) {
          return in != ir::kNoValue && g.value(in).binaryWithoutData;
        });
      };
      out.binaryWithoutData = node.kind == OpKind::Sign ||
                              ((node.kind == OpKind::Mul || node.kind == OpKind::Identity ||
                                node.kind == OpKind::Cast) &&
                               binaryInput());
      out.isConstant = true;
      out.producer = ir::kNoNode;
      node.removed = true;
      return true;
    }
    if (withoutData) return false;
    const Value& first = g.value(node.inputs[0]);
    std::vector<double> result;
    switch (node.kind) {
      case OpKind::Add:
      case OpKind::Sub:
      case OpKind::Mul:
      case OpKind::Div:
      case OpKind::Equal:
      case OpKind::Mod:
      case OpKind::Pow:
        result = broadcast(first, g.value(node.input(1)), out.shape, node.kind, where);
        break;
      case OpKind::Transpose:
        result = transpose(first, out.shape, node, where);
        break;
      case OpKind::Not:
        result = asDoubles(first);
        for (double& v : result) v = v == 0 ? 1.0 : 0.0;
        break;
      case OpKind::ScatterND:
        result = scatterNd(first, g.value(node.input(1)), g.value(node.input(2)), where);
        break;
      case OpKind::Where:
        result = select(first, g.value(node.input(1)), g.value(node.input(2)), out.shape, where);
        break;
      case OpKind::Expand:
        result = expand(first, out.shape, where);
        break;
      case OpKind::Range:
        result = range(g, node, where);
        break;
      case OpKind::Slice:
        if (node.inputs.size() < 3) return false;  // opset 1-9 attributes: not folded
        result = slice(g, node, where);
        break;
      case OpKind::ConstantOfShape: {
        const float fill = node.attrs.has("value") && out.type == ElementType::Float
                               ? node.attrs.getFloat("value", 0.0F, where)
                               : 0.0F;
        const double value = out.type == ElementType::Int
                                 ? static_cast<double>(node.attrs.getInt("value", 0, where))
                                 : fill;
        result.assign(static_cast<size_t>(out.elementCount()), value);
        break;
      }
      case OpKind::Gather:
        result = gather(first, g.value(node.inputs[1]), node.attrs.getInt("axis", 0, where), where);
        break;
      case OpKind::Concat:
        result = concat(g, node, node.attrs.getInt("axis", 0, where), out.shape, where);
        break;
      case OpKind::Sign:
        result = asDoubles(first);
        for (double& v : result) v = v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0;
        break;
      default:  // Cast and the reshaping ops keep the element order
        result = asDoubles(first);
        break;
    }
    if (static_cast<int64_t>(result.size()) != out.elementCount())
      failInput(where, "folding gave {} elements for output shape {}", result.size(),
                ir::shapeToString(out.shape));
    out.data = fromDoubles(result, out.type, where);
  }
  out.isConstant = true;
  out.producer = ir::kNoNode;
  node.removed = true;
  return true;
}

}  // namespace

void foldConstants(ir::Graph& graph) {
  // Nodes are in topological order, so one sweep folds a whole chain; the loop is a guard
  // for graphs built out of order by hand.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const ir::Node& node = graph.nodes[i];
      if (node.removed || !foldable(node.kind)) continue;
      changed |= foldOne(graph, static_cast<ir::NodeId>(i));
    }
  }
}

}  // namespace xbar::passes
