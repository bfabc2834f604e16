// The operator vocabulary of the Graph IR. ONNX op types map onto it one to one; ops that
// only exist to be folded away (Identity, Dropout, Constant, Shape/Gather/Cast chains) are
// here so the passes can see them before they go.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace xbar::ir {

enum class OpKind {
  // matrix ops: candidates for crossbars
  Conv,
  ConvTranspose,
  Gemm,
  MatMul,
  Einsum,  // of activations (attention written as einsum): on the vector units
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
  Gelu,  // fused from Erf and Mul by passes::fuseActivations (ONNX has no Gelu before opset 20)
  Silu,  // fused from Sigmoid and Mul
  Mish,  // fused from Softplus, Tanh and Mul (ONNX's Mish is opset 18)
  Softplus,
  LayerNormalization,  // ONNX's (opset 17), or fused from its opset-13 decomposition
  InstanceNormalization,
  Sign,  // binary activations Sign(x - delta); binary weights fold to +-1 (docs/design.md §9b)
  Lif,   // xbar::LIF, a spiking neuron layer over the time axis (docs/design.md §9b)
  // elementwise arithmetic
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Min,
  Max,
  // elementwise functions
  Sqrt,
  Reciprocal,
  Exp,
  Erf,
  Neg,
  Abs,
  // reductions over axes
  ReduceMean,
  ReduceSum,
  ReduceMax,
  // data movement and shape
  Slice,
  Split,
  Expand,
  Tile,
  Resize,
  Where,  // a select whose condition must fold to a constant
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
  ConstantOfShape,
  Equal,
  Range,
  Mod,
  Not,
  ScatterND,
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

// Every op a model may contain, in the order of supportedOpList() (the fused-only ones not).
std::vector<OpKind> loadableOps();

// "" for ONNX's default domain, "xbar" for xbar's own (LIF).
std::string_view opDomain(OpKind kind);

// The ops a pass makes and no ONNX file of a supported opset spells (Gelu, Silu, Mish).
bool isFusedOnly(OpKind kind);

// Conv, ConvTranspose, Gemm and MatMul: ops whose weight operand may live in crossbars.
bool isMatrixOp(OpKind kind);

}  // namespace xbar::ir
