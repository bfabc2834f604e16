// The executor (execute/executor.h) runs the compiled program and must compute exactly what
// the unpartitioned quantized reference computes: every partitioner's plan of the tiny models,
// on chips where they are cut into many partitions and tiles, at a batch of two samples.
// Any difference is a compiler bug (a box moved wrong, a spill at the wrong address, a copy
// running the wrong vectors), so values are compared bit for bit, value by value.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include <fmt/format.h>

#include "xbar/codegen/codegen.h"
#include "xbar/cost/cost_model.h"
#include "xbar/execute/executor.h"
#include "xbar/flow/pipeline.h"
#include "xbar/partition/partitioner.h"
#include "xbar/reference/graph_runner.h"

namespace xbar::execute {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

// A model compiled and its references computed, ready to execute.
struct CompiledModel {
  ir::Graph graph;
  arch::ArchConfig arch;
  mapping::Mapping mapping;
  std::unique_ptr<cost::CostModel> cost;
  std::unique_ptr<reference::QuantizedMatrixOps> quantized;
  std::vector<std::vector<reference::Tensor>> samples;
  std::vector<std::vector<reference::Tensor>> reference;  // per sample, every value

  CompiledModel(const std::string& model, const std::vector<std::string>& overrides, int64_t batch) {
    graph = frontend::loadPreparedGraph(kTiny + "/" + model + ".onnx");
    arch = flow::loadArch("compass-sram-m", overrides, XBAR_ARCH_DIR);
    mapping = mapping::mapGraph(graph, arch);
    cost = std::make_unique<cost::CostModel>(graph, mapping, arch, 1);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0F, 1.0F);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<reference::Tensor> inputs;
      for (ir::ValueId in : graph.inputs) {
        reference::Tensor t = reference::Tensor::filled(graph.value(in).shape);
        for (float& v : t.data) v = normal(rng);
        inputs.push_back(std::move(t));
      }
      samples.push_back(std::move(inputs));
    }
    reference::GraphRunner runner(graph);
    quantized = std::make_unique<reference::QuantizedMatrixOps>(
        graph, arch, reference::calibrate(runner, samples, arch.precision.activation_bits));
    for (const auto& s : samples) reference.push_back(runner.run(s, quantized.get()));
  }

  codegen::Program compile(const std::string& partitioner, int64_t batch) const {
    const partition::Plan plan = partition::makePartitioner(partitioner)->run(*cost, {});
    return codegen::generateProgram(cost->groups(), arch, batch, partition::partitionRanges(plan))
        .program;
  }
  ExecutionModel model() const { return {graph, arch, mapping, cost->groups(), *quantized}; }
};

bool sameBits(float a, float b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// The first difference between the program's values and the reference's, as text.
std::string firstDifference(const CompiledModel& s, const Execution& e) {
  for (size_t b = 0; b < e.outputs.size(); ++b) {
    for (size_t o = 0; o < s.graph.outputs.size(); ++o) {
      const auto& want = s.reference[b][static_cast<size_t>(s.graph.outputs[o])].data;
      const auto& got = e.outputs[b][o].data;
      for (size_t i = 0; i < want.size(); ++i)
        if (!sameBits(want[i], got[i]))
          return fmt::format("sample {} output {} element {}: {} vs reference {}", b, o, i, got[i],
                             want[i]);
    }
    for (const auto& [v, made] : e.values[b]) {
      const auto& want = s.reference[b][static_cast<size_t>(v)].data;
      for (size_t i = 0; i < want.size(); ++i)
        if (made.core[i] >= 0 && !sameBits(want[i], made.tensor.data[i]))
          return fmt::format("sample {} value '{}' element {} (core {}, partition {}): {} vs {}", b,
                             s.graph.value(v).name, i, made.core[i], made.partition[i],
                             made.tensor.data[i], want[i]);
    }
  }
  return {};
}

struct Point {
  const char* model;
  std::vector<std::string> overrides;
};

class Executes : public ::testing::TestWithParam<std::tuple<Point, const char*>> {};

TEST_P(Executes, ExactlyAsTheQuantizedReference) {
  const auto& [pt, partitioner] = GetParam();
  const CompiledModel s(pt.model, pt.overrides, 2);
  const codegen::Program program = s.compile(partitioner, 2);
  const WeightImage image(program, s.cost->groups(), s.mapping, *s.quantized);
  const Execution e = executeProgram(s.model(), program, image, s.samples);
  EXPECT_EQ(firstDifference(s, e), "") << program.partitions << " partitions";
}

const std::vector<std::string> kSmallChip = {"chip.cores=3", "core.crossbars=2", "crossbar.rows=32",
                                             "crossbar.cols=32", "crossbar.adcs_per_crossbar=32"};
const std::vector<std::string> kTinyMemory = {"core.local_memory.size_kib=1"};

INSTANTIATE_TEST_SUITE_P(
    TinyModels, Executes,
    ::testing::Combine(
        ::testing::Values(Point{"mlp_gemm", kSmallChip}, Point{"two_conv_cnn", kSmallChip},
                          Point{"residual_block", kSmallChip}, Point{"concat_branch", kSmallChip},
                          Point{"depthwise_grouped", kSmallChip}, Point{"shape_chain", kSmallChip},
                          Point{"residual_block", {}}, Point{"concat_branch", {}},
                          Point{"two_conv_cnn", kTinyMemory}, Point{"residual_block", kTinyMemory}),
        ::testing::Values("greedy", "layerwise", "compass", "optimal")),
    [](const auto& info) {
      return fmt::format("{}_{}_{}", std::get<0>(info.param).model, info.index,
                         std::get<1>(info.param));
    });

}  // namespace
}  // namespace xbar::execute
