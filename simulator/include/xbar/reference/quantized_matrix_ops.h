// The quantized reference's matrix ops: every matrix layer (constant weights) computed as the
// crossbars compute it, unpartitioned. Its activation operand is quantized with a per-tensor
// scale from calibration, its weights per output channel (numerics/quantize.h), the integer
// product runs through the programmed crossbar cells, ADC included (programmed_weights.h),
// and the result is dequantized: real = acc x input scale x weight scale[o], then the bias, in
// double, rounded once to float. Matrix ops that are not layers (both operands activations)
// stay float, as the vector units compute them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/numerics/crossbar_numerics.h"
#include "xbar/numerics/programmed_weights.h"
#include "xbar/numerics/quantize.h"
#include "xbar/reference/graph_runner.h"
#include "xbar/reference/matrix_lowering.h"

namespace xbar::reference {

// Per matrix layer (by node): the activation operand's quantizer.
using ActivationQuantizers = std::map<ir::NodeId, numerics::ActivationQuantizer>;

// Runs the float reference over the calibration samples and sets each matrix layer's input
// quantizer from the range its activation operand took.
ActivationQuantizers calibrate(GraphRunner& runner, const std::vector<std::vector<Tensor>>& samples,
                               int64_t activationBits);

class QuantizedMatrixOps : public MatrixOpKernel {
 public:
  QuantizedMatrixOps(const ir::Graph& graph, const arch::ArchConfig& arch,
                     ActivationQuantizers quantizers);

  Tensor evaluate(const ir::Graph& graph, ir::NodeId id,
                  const std::vector<const Tensor*>& inputs) override;

  // Some layer's ADC can clip (the slow, bit-sliced path runs for it).
  bool anyClipping() const;
  // Forces the bit-sliced path everywhere (the benchmark's slow path).
  void forceBitSliced(bool on) { forceBitSliced_ = on; }
  // The run the next evaluations belong to: their read noise is that run's draws
  // (ProgrammedWeights::ReadDraw), the same the executor takes for the same sample. Without
  // it each product call is the next run.
  void setRun(uint64_t run) { run_ = run; }

  struct Layer {
    numerics::CrossbarNumerics numerics;  // at the layer's bits (mapping::operandBits)
    std::unique_ptr<MatrixLowering> lowering;
    numerics::ActivationQuantizer input;
    std::vector<numerics::QuantizedWeights> weights;      // per group
    std::vector<numerics::ProgrammedWeights> programmed;  // per group
  };
  const std::map<ir::NodeId, Layer>& layers() const { return layers_; }

 private:
  Tensor floatFallback(const ir::Graph& graph, ir::NodeId id, const std::vector<const Tensor*>& in);

  std::map<ir::NodeId, Layer> layers_;
  FloatKernels floatKernels_;
  bool forceBitSliced_ = false;
  std::optional<uint64_t> run_;
};

}  // namespace xbar::reference
