// GELU, SiLU and Mish as torch exports them at opset 13 (torch/onnx/symbolic_opset9.py):
//   gelu: Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5)
//   silu: Mul(x, Sigmoid(x))
//   mish: Mul(x, Tanh(Softplus(x)))
// Mul and Add operands in either order. Every intermediate must be read by the chain alone.
#include "pattern_match.h"
#include "xbar/passes/passes.h"

namespace xbar::passes {
namespace {

using detail::PatternMatcher;
using ir::OpKind;

// y = Mul(x, f(x)) with f made by `inner` of x: the x, or kNoValue.
ir::ValueId timesOwnFunction(const PatternMatcher& m, const ir::Node& mul, OpKind innerKind,
                             const ir::Node** innerNode) {
  for (size_t k = 0; k < 2 && mul.inputs.size() == 2; ++k) {
    const ir::Node* f = m.inner(mul.inputs[k], innerKind);
    if (f != nullptr && f->inputs.size() == 1 && f->inputs[0] == mul.inputs[1 - k]) {
      *innerNode = f;
      return mul.inputs[1 - k];
    }
  }
  return ir::kNoValue;
}

bool fuseGelu(const PatternMatcher& m, ir::Node& y, ir::Graph& g) {
  // y = Mul(t, 0.5), t = Mul(x, a), a = Add(e, 1), e = Erf(d), d = Div(x, sqrt 2)
  for (size_t k = 0; k < 2 && y.inputs.size() == 2; ++k) {
    if (!m.isScalar(y.inputs[1 - k], 0.5)) continue;
    const ir::Node* t = m.inner(y.inputs[k], OpKind::Mul);
    if (t == nullptr || t->inputs.size() != 2) continue;
    for (size_t j = 0; j < 2; ++j) {
      const ir::ValueId x = t->inputs[j];
      const ir::Node* a = m.inner(t->inputs[1 - j], OpKind::Add);
      if (a == nullptr || a->inputs.size() != 2) continue;
      for (size_t i = 0; i < 2; ++i) {
        if (!m.isScalar(a->inputs[1 - i], 1.0)) continue;
        const ir::Node* e = m.inner(a->inputs[i], OpKind::Erf);
        const ir::Node* d = e ? m.inner(e->inputs[0], OpKind::Div) : nullptr;
        if (d == nullptr || d->inputs.size() != 2 || d->inputs[0] != x ||
            !m.isScalar(d->inputs[1], M_SQRT2))
          continue;
        detail::fuseInto(y, OpKind::Gelu, {x}, {}, {t, a, e, d}, g);
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void fuseActivations(ir::Graph& graph) {
  const PatternMatcher m(graph);
  for (ir::Node& n : graph.nodes) {
    if (n.removed || n.kind != OpKind::Mul) continue;
    if (fuseGelu(m, n, graph)) continue;
    const ir::Node* f = nullptr;
    if (const ir::ValueId x = timesOwnFunction(m, n, OpKind::Sigmoid, &f); x != ir::kNoValue) {
      detail::fuseInto(n, OpKind::Silu, {x}, {}, {f}, graph);
      continue;
    }
    // Mish: the Tanh's input is Softplus(x), read only by it.
    for (size_t k = 0; k < 2 && n.inputs.size() == 2; ++k) {
      const ir::Node* tanh = m.inner(n.inputs[k], OpKind::Tanh);
      const ir::Node* softplus = tanh ? m.inner(tanh->inputs[0], OpKind::Softplus) : nullptr;
      if (softplus == nullptr || softplus->inputs[0] != n.inputs[1 - k]) continue;
      detail::fuseInto(n, OpKind::Mish, {n.inputs[1 - k]}, {}, {tanh, softplus}, graph);
      break;
    }
  }
}

}  // namespace xbar::passes
