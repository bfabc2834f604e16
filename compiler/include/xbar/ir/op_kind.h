// The operator vocabulary of the Graph IR. ONNX op types map onto it one to one; ops that
// only exist to be folded away (Identity, Dropout, Constant, Shape/Gather/Cast chains) are
// here so the passes can see them before they go.
#pragma once

#include <optional>
#include <string_view>

namespace xbar::ir {

enum class OpKind {
  // matrix ops: candidates for crossbars
  Conv,
  Gemm,
  MatMul,
  // normalisation and activations
  BatchNormalization,
  Relu,
  Clip,
  LeakyRelu,
  Sigmoid,
  Tanh,
  HardSigmoid,
  HardSwish,
  Softmax,
  Sign,  // binary activations Sign(x - delta); binary weights fold to +-1 (docs/design.md §9b)
  Lif,   // xbar::LIF, a spiking neuron layer over the time axis (docs/design.md §9b)
  // elementwise arithmetic
  Add,
  Sub,
  Mul,
  Div,
  // data movement and shape
  Concat,
  Flatten,
  Reshape,
  Transpose,
  Pad,
  Squeeze,
  Unsqueeze,
  // pooling
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  // folded away by the passes
  Identity,
  Dropout,
  Constant,
  Shape,
  Gather,
  Cast,
};

// The ONNX op_type spelling ("Conv", "BatchNormalization", ...).
std::string_view opName(OpKind kind);

// Looks up an ONNX op_type of the default domain (or of xbar's own domain, "xbar": LIF);
// nullopt when xbar does not support it.
std::optional<OpKind> opKindFromOnnx(std::string_view opType, std::string_view domain = "");

// The custom domain of xbar's own ops.
inline constexpr std::string_view kXbarDomain = "xbar";

// A comma-separated list of every supported op_type, for error messages.
std::string_view supportedOpList();

// Conv, Gemm and MatMul: ops whose weight operand may live in crossbars.
bool isMatrixOp(OpKind kind);

}  // namespace xbar::ir
