// Computes a prepared graph (frontend::loadPreparedGraph) on real inputs, one walk in
// topological order. Vector ops use the shared float kernels (vector_ops.h), pooling and the
// matrix ops oneDNN and Eigen (float_kernels.h): that is the float reference. A quantized
// reference plugs its own matrix-op kernel in; everything else stays identical, so two runs
// differ only where their matrix ops do.
#pragma once

#include <map>
#include <vector>

#include "xbar/ir/graph.h"
#include "xbar/reference/float_kernels.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

// Computes Conv, Gemm and MatMul nodes in place of the float kernels.
class MatrixOpKernel {
 public:
  virtual ~MatrixOpKernel() = default;
  virtual Tensor evaluate(const ir::Graph& graph, ir::NodeId id,
                          const std::vector<const Tensor*>& inputs) = 0;
};

class GraphRunner {
 public:
  // InputError, naming the model, when the graph cannot be computed: stripped or shapes-only
  // weights, or an input that is not float.
  explicit GraphRunner(const ir::Graph& graph);

  // One sample: a tensor per graph input, in the shapes the graph gives them. Returns every
  // value's tensor, by value id (constants included). `matrixOps` replaces the float
  // matrix kernels when given.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, MatrixOpKernel* matrixOps = nullptr);

  const ir::Graph& graph() const { return graph_; }

 private:
  const ir::Graph& graph_;
  FloatKernels kernels_;
  std::map<ir::ValueId, Tensor> constants_;  // converted once, reused by every sample
};

}  // namespace xbar::reference
