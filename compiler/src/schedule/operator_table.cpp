#include "xbar/schedule/operator_table.h"

#include <fmt/format.h>

#include "xbar/ir/op_kind.h"
#include "xbar/schedule/vector_work.h"

namespace xbar::schedule {
namespace {

using ir::OpKind;

// Where an op goes when it is not (only) a vector-unit op.
std::string_view placement(OpKind kind) {
  switch (kind) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::Gemm:
      return "crossbars";
    case OpKind::MatMul:
      return "crossbars when one operand is a constant; vector units when both are activations "
             "(attention)";
    case OpKind::Einsum:
      return "vector units (attention written as einsum; an explicit output, no ellipsis)";
    case OpKind::BatchNormalization:
      return "folded into the Conv or Gemm before it; else vector units";
    case OpKind::Identity:
    case OpKind::Dropout:
      return "dropped (inference)";
    case OpKind::Constant:
    case OpKind::Shape:
      return "folded into constants";
    case OpKind::Gather:
      return "folded on constants; on activations, vector units (a copy of the taken slices)";
    case OpKind::Cast:
      return "folded on constants; on activations nothing (values are float)";
    case OpKind::ConstantOfShape:
    case OpKind::Equal:
    case OpKind::Range:
    case OpKind::Mod:
    case OpKind::Not:
    case OpKind::ScatterND:
      return "folded into constants (shape arithmetic, masks); refused on activations";
    case OpKind::Where:
      return "vector units, with a constant condition (folded when all are constants)";
    case OpKind::Erf:
    case OpKind::Sigmoid:
    case OpKind::Softplus:
    case OpKind::Tanh:
    case OpKind::ReduceMean:
    case OpKind::Pow:
    case OpKind::Sqrt:
      return "vector units; part of a fused GELU, SiLU, Mish or LayerNormalization where "
             "torch's decomposition matches";
    default:
      return "vector units";
  }
}

std::string costOf(OpKind kind) {
  for (const VectorOpCost& row : vectorOpCosts())
    if (row.kind == kind) return std::string(row.formula);
  return "";
}

}  // namespace

std::string operatorTableMarkdown() {
  std::string out =
      "| operator | runs on | vector-unit element ops |\n"
      "|---|---|---|\n";
  for (OpKind kind : ir::loadableOps()) {
    const std::string name = ir::opDomain(kind).empty()
                                 ? std::string(ir::opName(kind))
                                 : fmt::format("{}::{}", ir::opDomain(kind), ir::opName(kind));
    std::string cost = costOf(kind);
    if (kind == OpKind::Conv || kind == OpKind::ConvTranspose || kind == OpKind::Gemm)
      cost = "(crossbar MVMs)";
    out += fmt::format("| {} | {} | {} |\n", name, placement(kind), cost.empty() ? "0" : cost);
  }
  out += "\nFused by the passes from torch's opset-13 decompositions (docs/design.md §3):\n\n";
  out += "| op | from | vector-unit element ops |\n|---|---|---|\n";
  out += fmt::format("| Gelu | Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5) | {} |\n",
                     costOf(OpKind::Gelu));
  out += fmt::format("| SiLU | Mul(x, Sigmoid(x)) | {} |\n", costOf(OpKind::Silu));
  out += fmt::format("| Mish | Mul(x, Tanh(Softplus(x))) | {} |\n", costOf(OpKind::Mish));
  out += fmt::format(
      "| LayerNormalization | ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div [, Mul, "
      "Add] | {} |\n",
      costOf(OpKind::LayerNormalization));
  return out;
}

}  // namespace xbar::schedule
