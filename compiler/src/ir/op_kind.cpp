#include "xbar/ir/op_kind.h"

#include <array>
#include <string>
#include <utility>

namespace xbar::ir {
namespace {

constexpr std::array kOps = {
    std::pair{OpKind::Conv, std::string_view("Conv")},
    std::pair{OpKind::Gemm, std::string_view("Gemm")},
    std::pair{OpKind::MatMul, std::string_view("MatMul")},
    std::pair{OpKind::BatchNormalization, std::string_view("BatchNormalization")},
    std::pair{OpKind::Relu, std::string_view("Relu")},
    std::pair{OpKind::Clip, std::string_view("Clip")},
    std::pair{OpKind::LeakyRelu, std::string_view("LeakyRelu")},
    std::pair{OpKind::Sigmoid, std::string_view("Sigmoid")},
    std::pair{OpKind::Tanh, std::string_view("Tanh")},
    std::pair{OpKind::HardSigmoid, std::string_view("HardSigmoid")},
    std::pair{OpKind::HardSwish, std::string_view("HardSwish")},
    std::pair{OpKind::Softmax, std::string_view("Softmax")},
    std::pair{OpKind::Sign, std::string_view("Sign")},
    std::pair{OpKind::Add, std::string_view("Add")},
    std::pair{OpKind::Sub, std::string_view("Sub")},
    std::pair{OpKind::Mul, std::string_view("Mul")},
    std::pair{OpKind::Div, std::string_view("Div")},
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
};
// Domain "xbar".
constexpr std::array kXbarOps = {std::pair{OpKind::Lif, std::string_view("LIF")}};

}  // namespace

std::string_view opName(OpKind kind) {
  for (const auto& [k, name] : kOps)
    if (k == kind) return name;
  for (const auto& [k, name] : kXbarOps)
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

bool isMatrixOp(OpKind kind) {
  return kind == OpKind::Conv || kind == OpKind::Gemm || kind == OpKind::MatMul;
}

}  // namespace xbar::ir
