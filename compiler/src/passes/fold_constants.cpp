#include <algorithm>
#include <cmath>
#include <numeric>

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

// numpy broadcasting of a binary op onto the output shape.
std::vector<double> broadcast(const Value& a, const Value& b, const Shape& out, OpKind op,
                              const std::string& where) {
  const auto av = asDoubles(a);
  const auto bv = asDoubles(b);
  // Each operand's trailing dims are 1 or the output's: others index outside its data.
  for (const Value* v : {&a, &b}) {
    bool fits = v->shape.size() <= out.size();
    for (size_t k = 0; fits && k < v->shape.size(); ++k) {
      const int64_t d = v->shape[v->shape.size() - 1 - k];
      fits = d == 1 || d == out[out.size() - 1 - k];
    }
    if (!fits)
      failInput(where, "operand '{}' of shape {} does not broadcast to {}", v->name,
                ir::shapeToString(v->shape), ir::shapeToString(out));
  }
  const auto outStrides = stridesOf(out);
  auto index = [&](const Shape& shape, int64_t flat) {
    const auto strides = stridesOf(shape);
    const size_t offset = out.size() - shape.size();
    int64_t idx = 0;
    for (size_t k = 0; k < shape.size(); ++k) {
      const int64_t coord = (flat / outStrides[k + offset]) % out[k + offset];
      idx += (shape[k] == 1 ? 0 : coord) * strides[k];
    }
    return static_cast<size_t>(idx);
  };
  int64_t total = 1;
  for (int64_t d : out) total *= d;
  std::vector<double> result(static_cast<size_t>(total));
  for (int64_t i = 0; i < total; ++i) {
    const double x = av[index(a.shape, i)];
    const double y = bv[index(b.shape, i)];
    switch (op) {
      case OpKind::Add:
        result[static_cast<size_t>(i)] = x + y;
        break;
      case OpKind::Sub:
        result[static_cast<size_t>(i)] = x - y;
        break;
      case OpKind::Mul:
        result[static_cast<size_t>(i)] = x * y;
        break;
      default:
        // Integer division truncates toward zero as ONNX specifies; float divides.
        result[static_cast<size_t>(i)] = a.type == ElementType::Int ? std::trunc(x / y) : x / y;
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
  if (unknown(out.shape)) return false;
  if (node.kind == OpKind::Shape && unknown(g.value(node.inputs[0]).shape)) return false;
  const std::string where = g.source + ": " + g.describe(id);

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
        result = broadcast(first, g.value(node.inputs[1]), out.shape, node.kind, where);
        break;
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
