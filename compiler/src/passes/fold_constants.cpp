#include <algorithm>
#include <cmath>
#include <numeric>

#include "constant_kernels.h"
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
using namespace detail;

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
