#include "xbar/ir/op_kind.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace xbar::ir {
namespace {

constexpr std::array kOps = {
    std::pair{OpKind::Conv, std::string_view("Conv")},
    std::pair{OpKind::ConvTranspose, std::string_view("ConvTranspose")},
    std::pair{OpKind::Gemm, std::string_view("Gemm")},
    std::pair{OpKind::MatMul, std::string_view("MatMul")},
    std::pair{OpKind::Einsum, std::string_view("Einsum")},
    std::pair{OpKind::BatchNormalization, std::string_view("BatchNormalization")},
    std::pair{OpKind::Relu, std::string_view("Relu")},
    std::pair{OpKind::Clip, std::string_view("Clip")},
    std::pair{OpKind::LeakyRelu, std::string_view("LeakyRelu")},
    std::pair{OpKind::Sigmoid, std::string_view("Sigmoid")},
    std::pair{OpKind::Tanh, std::string_view("Tanh")},
    std::pair{OpKind::HardSigmoid, std::string_view("HardSigmoid")},
    std::pair{OpKind::HardSwish, std::string_view("HardSwish")},
    std::pair{OpKind::Softmax, std::string_view("Softmax")},
    std::pair{OpKind::Softplus, std::string_view("Softplus")},
    std::pair{OpKind::LayerNormalization, std::string_view("LayerNormalization")},
    std::pair{OpKind::InstanceNormalization, std::string_view("InstanceNormalization")},
    std::pair{OpKind::Sign, std::string_view("Sign")},
    std::pair{OpKind::Add, std::string_view("Add")},
    std::pair{OpKind::Sub, std::string_view("Sub")},
    std::pair{OpKind::Mul, std::string_view("Mul")},
    std::pair{OpKind::Div, std::string_view("Div")},
    std::pair{OpKind::Pow, std::string_view("Pow")},
    std::pair{OpKind::Min, std::string_view("Min")},
    std::pair{OpKind::Max, std::string_view("Max")},
    std::pair{OpKind::Sqrt, std::string_view("Sqrt")},
    std::pair{OpKind::Reciprocal, std::string_view("Reciprocal")},
    std::pair{OpKind::Exp, std::string_view("Exp")},
    std::pair{OpKind::Erf, std::string_view("Erf")},
    std::pair{OpKind::Neg, std::string_view("Neg")},
    std::pair{OpKind::Abs, std::string_view("Abs")},
    std::pair{OpKind::ReduceMean, std::string_view("ReduceMean")},
    std::pair{OpKind::ReduceSum, std::string_view("ReduceSum")},
    std::pair{OpKind::ReduceMax, std::string_view("ReduceMax")},
    std::pair{OpKind::Slice, std::string_view("Slice")},
    std::pair{OpKind::Split, std::string_view("Split")},
    std::pair{OpKind::Expand, std::string_view("Expand")},
    std::pair{OpKind::Tile, std::string_view("Tile")},
    std::pair{OpKind::Resize, std::string_view("Resize")},
    std::pair{OpKind::Where, std::string_view("Where")},
    std::pair{OpKind::Concat, std::string_view("Concat")},
    std::pair{OpKind::Flatten, std::string_view("Flatten")},
    std::pair{OpKind::Reshape, std::string_view("Reshape")},
    std::pair{OpKind::Transpose, std::string_view("Transpose")},
    std::pair{OpKind::Pad, std::string_view("Pad")},
    std::pair{OpKind::Squeeze, std::string_view("Squeeze")},
    std::pair{OpKind::Unsqueeze, std::string_view("Unsqueeze")},
    std::pair{OpKind::MaxPool, std::string_view("MaxPool")},
    std::pair{OpKind::AveragePool, std::string_view("AveragePool")},
    std::pair{OpKind::GlobalAveragePool, std::string_view("GlobalAveragePool")},
    std::pair{OpKind::Identity, std::string_view("Identity")},
    std::pair{OpKind::Dropout, std::string_view("Dropout")},
    std::pair{OpKind::Constant, std::string_view("Constant")},
    std::pair{OpKind::Shape, std::string_view("Shape")},
    std::pair{OpKind::Gather, std::string_view("Gather")},
    std::pair{OpKind::Cast, std::string_view("Cast")},
    std::pair{OpKind::ConstantOfShape, std::string_view("ConstantOfShape")},
    std::pair{OpKind::Equal, std::string_view("Equal")},
    std::pair{OpKind::Range, std::string_view("Range")},
    std::pair{OpKind::Mod, std::string_view("Mod")},
    std::pair{OpKind::Not, std::string_view("Not")},
    std::pair{OpKind::ScatterND, std::string_view("ScatterND")},
};
// Made by passes only: named in reports, never loaded.
constexpr std::array kFusedOps = {
    std::pair{OpKind::Gelu, std::string_view("Gelu")},
    std::pair{OpKind::Silu, std::string_view("SiLU")},
    std::pair{OpKind::Mish, std::string_view("Mish")},
};
// Domain "xbar".
constexpr std::array kXbarOps = {std::pair{OpKind::Lif, std::string_view("LIF")}};

}  // namespace

std::string_view opName(OpKind kind) {
  for (const auto& [k, name] : kOps)
    if (k == kind) return name;
  for (const auto& [k, name] : kXbarOps)
    if (k == kind) return name;
  for (const auto& [k, name] : kFusedOps)
    if (k == kind) return name;
  return "?";
}

std::optional<OpKind> opKindFromOnnx(std::string_view opType, std::string_view domain) {
  if (domain == kXbarDomain) {
    for (const auto& [k, name] : kXbarOps)
      if (name == opType) return k;
    return std::nullopt;
  }
  for (const auto& [k, name] : kOps)
    if (name == opType) return k;
  return std::nullopt;
}

std::string_view supportedOpList() {
  static const std::string list = [] {
    std::string s;
    for (const auto& [k, name] : kOps) {
      if (!s.empty()) s += ", ";
      s += name;
    }
    for (const auto& [k, name] : kXbarOps) s += ", xbar::" + std::string(name);
    return s;
  }();
  return list;
}

std::vector<OpKind> loadableOps() {
  std::vector<OpKind> out;
  for (const auto& [k, name] : kOps) out.push_back(k);
  for (const auto& [k, name] : kXbarOps) out.push_back(k);
  return out;
}

std::string_view opDomain(OpKind kind) {
  for (const auto& [k, name] : kXbarOps)
    if (k == kind) return kXbarDomain;
  return "";
}

bool isFusedOnly(OpKind kind) {
  return std::any_of(kFusedOps.begin(), kFusedOps.end(),
                     [kind](const auto& op) { return op.first == kind; });
}

bool isMatrixOp(OpKind kind) {
  return kind == OpKind::Conv || kind == OpKind::ConvTranspose || kind == OpKind::Gemm ||
         kind == OpKind::MatMul;
}

}  // namespace xbar::ir
