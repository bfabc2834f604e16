// The float reference's library kernels: convolution and pooling by oneDNN (libdnnl-dev),
// Gemm and MatMul by Eigen. One instance holds the oneDNN engine and the primitives it built,
// by node, so running many samples builds each primitive once.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "xbar/ir/graph.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

class FloatKernels {
 public:
  FloatKernels();
  ~FloatKernels();
  FloatKernels(const FloatKernels&) = delete;
  FloatKernels& operator=(const FloatKernels&) = delete;

  // Conv, Gemm, MatMul, MaxPool, AveragePool or GlobalAveragePool node `id` on its inputs
  // (nullptr for an omitted optional input); the output has the shape the IR gives it.
  Tensor evaluate(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& inputs);

 private:
  Tensor convolution(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& in);
  Tensor deconvolution(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& in);
  Tensor pooling(const ir::Graph& graph, ir::NodeId id, const Tensor& x);

  struct OneDnn;
  std::unique_ptr<OneDnn> dnn_;
};

// Gemm (alpha, beta, transA, transB, C broadcast) and MatMul (numpy batching) by Eigen, in
// float with float accumulation as PyTorch's CPU kernels do.
Tensor gemm(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& in);
Tensor matmul(const ir::Graph& graph, ir::NodeId id, const Tensor& a, const Tensor& b);

}  // namespace xbar::reference
