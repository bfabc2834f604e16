#include "compiled_run.h"

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "xbar/codegen/codegen.h"
#include "xbar/mapping/matrix_layer.h"

namespace xbar::validate {
namespace {

using reference::Tensor;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CompiledRun::CompiledRun(const ir::Graph& graph, const arch::ArchConfig& arch,
                         const reference::QuantizedMatrixOps& quantized,
                         const ValidationRequest& request, ValidationReport& report)
    : graph_(graph), arch_(arch), quantized_(quantized), report_(report) {
  const auto start = std::chrono::steady_clock::now();
  mapping_ = mapping::mapGraph(graph, arch);
  flow::PlanRequest plan;
  plan.partitioner = request.partitioner;
  plan.batch = request.batch;
  planned_ = flow::planModel(graph, mapping_, arch, plan);
  report.compiled.partitioner = request.partitioner;
  report.compiled.batch = request.batch;
  report.compiled.partitions = static_cast<int32_t>(planned_.plan.partitions.size());
  programFor(request.batch);
  report.compiled.instructions =
      static_cast<int64_t>(programs_.at(request.batch).program.instructionCount());
  report.compileSeconds = secondsSince(start);
  const auto layers = mapping::matrixLayers(graph);
  for (size_t i = 0; i < layers.size(); ++i) layerOf_[graph.node(layers[i].node).outputs[0]] = i;
  groupOf_.assign(graph.values.size(), "");
  const schedule::LayerGroups& groups = planned_.costs->groups();
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (ir::ValueId v : graph.nodes[n].outputs)
      if (v != ir::kNoValue)
        groupOf_[static_cast<size_t>(v)] =
            groups.layer(groups.groupOf(static_cast<ir::NodeId>(n))).name;
}

// The plan's program for `batch` samples (the last run of the inputs may be short), and the
// DRAM image of its weights.
const CompiledRun::Compiled& CompiledRun::programFor(int64_t batch) {
  auto it = programs_.find(batch);
  if (it != programs_.end()) return it->second;
  Compiled c;
  c.program = codegen::generateProgram(planned_.costs->groups(), arch_, batch,
                                       partition::partitionRanges(planned_.plan))
                  .program;
  c.image = std::make_unique<execute::WeightImage>(c.program, planned_.costs->groups(), mapping_,
                                                   quantized_);
  return programs_.emplace(batch, std::move(c)).first->second;
}

void CompiledRun::differ(std::string what) {
  if (report_.compiled.firstDifference.empty()) report_.compiled.firstDifference = std::move(what);
}

std::vector<Tensor> CompiledRun::run(const std::vector<std::vector<Tensor>>& samples,
                                     const std::vector<std::vector<Tensor>>& quantized,
                                     size_t firstSample) {
  const ir::ValueId output = graph_.outputs[0];
  const auto failed = [&] {
    std::vector<Tensor> nan;
    for (size_t b = 0; b < samples.size(); ++b)
      nan.push_back(
          Tensor::filled(graph_.value(output).shape, std::numeric_limits<float>::quiet_NaN()));
    return nan;
  };
  if (!report_.compiled.exact()) return failed();  // the program already went wrong
  const Compiled& c = programFor(static_cast<int64_t>(samples.size()));
  const std::vector<std::vector<Tensor>>& inputs = samples;
  const auto start = std::chrono::steady_clock::now();
  execute::Execution e;
  try {
    e = execute::executeProgram({graph_, arch_, mapping_, planned_.costs->groups(), quantized_},
                                c.program, *c.image, inputs, {.firstRun = firstSample});
  } catch (const execute::ExecutionError& error) {
    differ(fmt::format("the program cannot be executed: {}", error.what()));
    return failed();
  }
  report_.compiledSeconds += secondsSince(start);
  compare(e, quantized);
  std::vector<Tensor> outputs;
  for (auto& o : e.outputs) outputs.push_back(std::move(o[0]));
  return outputs;
}

// Every element a core made, and the graph output in DRAM, against the quantized reference.
void CompiledRun::compare(const execute::Execution& e,
                          const std::vector<std::vector<Tensor>>& quantized) {
  const ir::ValueId output = graph_.outputs[0];
  for (size_t b = 0; b < e.outputs.size(); ++b) {
    const std::vector<Tensor>& want = quantized[b];
    const Tensor& got = e.outputs[b][0];
    const Tensor& wantOut = want[static_cast<size_t>(output)];
    for (size_t i = 0; i < got.data.size(); ++i)
      if (!reference::sameBits(got.data[i], wantOut.data[i])) {
        differ(fmt::format("output '{}' element {}: compiled {} vs quantized {}",
                           graph_.value(output).name, i, got.data[i], wantOut.data[i]));
        break;
      }
    report_.compiled.elementsCompared += static_cast<int64_t>(got.data.size());
    for (const auto& [v, layer] : layerOf_)
      if (!e.values[b].count(v)) {
        report_.layers[layer].compiledExact = false;
        differ(fmt::format("layer '{}': the program never made its output",
                           report_.layers[layer].name));
      }
    for (const auto& [v, made] : e.values[b]) {
      const auto layer = layerOf_.find(v);
      const Tensor& w = want[static_cast<size_t>(v)];
      for (size_t i = 0; i < w.data.size(); ++i) {
        const bool missing = made.core[i] < 0 && layer != layerOf_.end();
        if (made.core[i] >= 0) ++report_.compiled.elementsCompared;
        if (!missing && (made.core[i] < 0 || reference::sameBits(made.tensor.data[i], w.data[i])))
          continue;
        if (layer != layerOf_.end()) report_.layers[layer->second].compiledExact = false;
        const std::string what =
            fmt::format("layer '{}', value '{}' element {} of sample {}",
                        groupOf_[static_cast<size_t>(v)], graph_.value(v).name, i, b);
        differ(missing
                   ? what + ": never made"
                   : fmt::format("{}: compiled {} (core {}, partition {}) vs quantized {}", what,
                                 made.tensor.data[i], made.core[i], made.partition[i], w.data[i]));
        break;
      }
    }
  }
}

}  // namespace xbar::validate
