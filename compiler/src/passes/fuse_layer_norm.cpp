// LayerNorm as torch exports it at opset 13 (torch/onnx/symbolic_opset9.py, native_layer_norm):
//   mean = ReduceMean(x, axes), d = Sub(x, mean),
//   var = ReduceMean(Pow(d, 2), axes), y = Div(d, Sqrt(Add(var, eps)))
//   [then Mul(y, weight)] [then Add(., bias)]
// with the same trailing axes in both means, keepdims set, and a weight and bias of at most
// the normalised rank. It becomes one LayerNormalization (axis, epsilon; scale and bias
// omitted where the chain has none), costed and computed as one op.
#include "pattern_match.h"
#include "xbar/passes/passes.h"

namespace xbar::passes {
namespace {

using detail::PatternMatcher;
using ir::OpKind;

// The first normalised axis when `mean` reduces x's trailing axes with keepdims, else -1.
int64_t trailingAxis(const ir::Graph& g, const ir::Node& mean, const std::string& where) {
  if (mean.attrs.getInt("keepdims", 1, where) != 1 || !mean.attrs.has("axes")) return -1;
  const auto rank = static_cast<int64_t>(g.value(mean.inputs[0]).shape.size());
  std::vector<int64_t> axes = mean.attrs.getInts("axes", {}, where);
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] != rank - static_cast<int64_t>(axes.size() - i)) return -1;
  return axes.empty() ? -1 : axes.front();
}

// A weight or bias constant that broadcasts over the normalised dims only.
bool perNormalisedElement(const ir::Graph& g, ir::ValueId v, int64_t rank, int64_t axis) {
  const ir::Value& c = g.value(v);
  return c.isConstant && static_cast<int64_t>(c.shape.size()) <= rank - axis;
}

bool fuseOne(const ir::Graph& g, const PatternMatcher& m, ir::Node& div, ir::Graph& graph) {
  const std::string where = g.source + ": " + div.name;
  if (div.inputs.size() != 2) return false;
  const ir::ValueId d = div.inputs[0];
  const ir::Node* sqrt = m.inner(div.inputs[1], OpKind::Sqrt);
  const ir::Node* add = sqrt ? m.inner(sqrt->inputs[0], OpKind::Add) : nullptr;
  if (add == nullptr || add->inputs.size() != 2) return false;
  const ir::Node* var = nullptr;
  std::optional<double> eps;
  for (size_t k = 0; k < 2 && var == nullptr; ++k)
    if ((eps = m.scalar(add->inputs[1 - k]))) var = m.inner(add->inputs[k], OpKind::ReduceMean);
  const ir::Node* pow = var ? m.inner(var->inputs[0], OpKind::Pow) : nullptr;
  if (pow == nullptr || pow->inputs[0] != d || !m.isScalar(pow->input(1), 2.0)) return false;
  const ir::Node* sub = m.inner(d, OpKind::Sub, 2);  // read by the Pow and the Div
  if (sub == nullptr) return false;
  const ir::ValueId x = sub->inputs[0];
  const ir::Node* mean = m.inner(sub->input(1), OpKind::ReduceMean);
  if (mean == nullptr || mean->inputs[0] != x) return false;
  const int64_t axis = trailingAxis(g, *mean, where);
  if (axis < 0 || trailingAxis(g, *var, where) != axis) return false;
  const auto rank = static_cast<int64_t>(g.value(x).shape.size());

  // The affine tail, when the Div's result feeds only it.
  ir::Node* last = &div;
  ir::ValueId scale = ir::kNoValue, bias = ir::kNoValue;
  std::vector<const ir::Node*> absorbed{sqrt, add, var, pow, sub, mean};
  const std::vector<std::vector<ir::NodeId>> consumers = graph.consumers();
  const auto next = [&](ir::ValueId v, OpKind kind) -> ir::Node* {
    const auto& readers = consumers[static_cast<size_t>(v)];
    if (readers.size() != 1 || std::count(g.outputs.begin(), g.outputs.end(), v) != 0)
      return nullptr;
    ir::Node& n = graph.node(readers[0]);
    return n.kind == kind && n.inputs.size() == 2 ? &n : nullptr;
  };
  if (ir::Node* mul = next(div.outputs[0], OpKind::Mul)) {
    const ir::ValueId w = PatternMatcher::other(*mul, div.outputs[0]);
    if (w != ir::kNoValue && perNormalisedElement(g, w, rank, axis)) {
      scale = w;
      absorbed.push_back(last);
      last = mul;
    }
  }
  if (ir::Node* plus = next(last->outputs[0], OpKind::Add)) {
    const ir::ValueId b = PatternMatcher::other(*plus, last->outputs[0]);
    if (b != ir::kNoValue && perNormalisedElement(g, b, rank, axis)) {
      bias = b;
      absorbed.push_back(last);
      last = plus;
    }
  }
  ir::Attributes attrs;
  attrs.set("axis", axis);
  attrs.set("epsilon", static_cast<float>(*eps));
  detail::fuseInto(*last, OpKind::LayerNormalization, {x, scale, bias}, std::move(attrs), absorbed,
                   graph);
  return true;
}

}  // namespace

void fuseLayerNormalization(ir::Graph& graph) {
  for (bool fused = true; fused;) {
    fused = false;
    const PatternMatcher m(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      ir::Node& n = graph.nodes[i];
      if (n.removed || n.kind != OpKind::Div) continue;
      if (fuseOne(graph, m, n, graph)) {
        fused = true;
        break;  // the matcher's reader counts are stale now
      }
    }
  }
}

}  // namespace xbar::passes
