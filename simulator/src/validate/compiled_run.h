// The compiled half of `xbar validate`: the model compiled for the arch by the requested
// partitioner, its program run by the executor, and every value the program makes compared
// bit for bit with the quantized reference's.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "xbar/execute/executor.h"
#include "xbar/flow/pipeline.h"
#include "xbar/validate/validation.h"

namespace xbar::validate {

class CompiledRun {
 public:
  // Plans the model (timed into report.compileSeconds) and fills report.compiled's plan.
  CompiledRun(const ir::Graph& graph, const arch::ArchConfig& arch,
              const reference::QuantizedMatrixOps& quantized, const ValidationRequest& request,
              ValidationReport& report);

  // Runs up to the batch of samples through the program and compares what it makes with
  // `quantized` (per sample, every value's tensor). Returns the program's graph output per
  // sample; NaN once the program failed (report.compiled says where).
  // `firstSample`: the index of samples[0] among all the inputs (it keys the read noise).
  // Per sample, a tensor per graph input.
  std::vector<reference::Tensor> run(const std::vector<std::vector<reference::Tensor>>& samples,
                                     const std::vector<std::vector<reference::Tensor>>& quantized,
                                     size_t firstSample);

 private:
  struct Compiled {
    codegen::Program program;
    std::unique_ptr<execute::WeightImage> image;
  };
  const Compiled& programFor(int64_t batch);
  void compare(const execute::Execution& e,
               const std::vector<std::vector<reference::Tensor>>& quantized);
  void differ(std::string what);

  const ir::Graph& graph_;
  const arch::ArchConfig& arch_;
  const reference::QuantizedMatrixOps& quantized_;
  ValidationReport& report_;
  mapping::Mapping mapping_;
  flow::PlannedModel planned_;
  std::map<int64_t, Compiled> programs_;   // by batch
  std::map<ir::ValueId, size_t> layerOf_;  // a matrix layer's output -> report.layers index
  std::vector<std::string> groupOf_;       // per value: the layer group making it, or ""
};

}  // namespace xbar::validate
