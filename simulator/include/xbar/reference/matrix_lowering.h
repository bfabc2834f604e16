// How a matrix layer (mapping/matrix_layer.h) meets the crossbars in numbers: its weights as
// one outputs x inputs matrix per group, its activation operand as input vectors (im2col for
// Conv, rows of A for Gemm, ...), and the vectors' results scattered back into the output
// tensor with the digital epilogue (scales, bias, Gemm's alpha and beta). The quantized
// reference and the executor both use it, so they agree on every index by construction and
// differ only where the compiled program moves or computes something differently.
//
// Input vectors' elements are ordered as the weight matrix's rows: for Conv (channel in the
// group, kernel position in C order), i.e. the weight tensor's layout after its output axis.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "xbar/ir/graph.h"
#include "xbar/mapping/matrix_layer.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

class MatrixLowering {
 public:
  // InputError naming the node when the layer's operands have a form the lowering does not
  // handle (a MatMul whose activation batch broadcasts against the weights' batch).
  MatrixLowering(const ir::Graph& graph, const mapping::MatrixLayer& layer);

  const mapping::MatrixLayer& layer() const { return layer_; }
  // The operand that is the activation (input 0, or input 1 for MatMul W·x).
  ir::ValueId activation() const { return activation_; }
  int64_t vectors() const { return vectors_; }  // per group, per inference

  // Group g's weights, outputs x inputs row-major, from the weight tensor.
  std::vector<float> weightMatrix(const Tensor& weight, int64_t group) const;

  // Group g's input vectors (vectors x inputs, row-major) gathered from the activation's
  // codes; positions in padding read `padCode` (the code of 0).
  // Vectors [firstVector, endVector) only, when given (endVector -1: to the last).
  std::vector<int64_t> inputVectors(std::span<const int64_t> codes, int64_t group,
                                    int64_t padCode = 0, int64_t firstVector = 0,
                                    int64_t endVector = -1) const;

  // Writes group g's results (vectors x outputs, row-major, already dequantized to real
  // values without bias) into `out`, adding the bias / Gemm's beta·C from `inputs`.
  void scatterOutputs(std::span<const double> values, int64_t group,
                      const std::vector<const Tensor*>& inputs, Tensor& out) const;

 private:
  void im2col(std::span<const int64_t> codes, int64_t group, int64_t padCode, int64_t first,
              int64_t end, std::vector<int64_t>& vectors) const;

  const ir::Graph& graph_;
  mapping::MatrixLayer layer_;
  ir::ValueId activation_ = ir::kNoValue;
  int64_t vectors_ = 0;
  bool weightOnLeft_ = false;  // MatMul W·x
  bool transA_ = false, transB_ = false;
  float alpha_ = 1, beta_ = 1;
  // Conv geometry, per spatial dim.
  std::vector<int64_t> strides_, dilations_, padBegin_, kernel_;
  bool transposed_ = false;  // a ConvTranspose: its rows gather the inputs each output reads
};

}  // namespace xbar::reference
