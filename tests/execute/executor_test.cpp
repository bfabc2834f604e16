// The executor (execute/executor.h) runs the compiled program and must compute exactly what
// the unpartitioned quantized reference computes: every partitioner's plan of the tiny models,
// on chips where they are cut into many partitions and tiles, at a batch of two samples.
// Any difference is a compiler bug (a box moved wrong, a spill at the wrong address, a copy
// running the wrong vectors), so values are compared bit for bit, value by value.
#include <gtest/gtest.h>

#include <random>

#include <fmt/format.h>

#include "../support/tiny_points.h"
#include "xbar/codegen/codegen.h"
#include "xbar/cost/cost_model.h"
#include "xbar/execute/executor.h"
#include "xbar/flow/pipeline.h"
#include "xbar/partition/partitioner.h"
#include "xbar/reference/graph_runner.h"
#include "xbar/support/error.h"

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

  CompiledModel(const std::string& model, const std::vector<std::string>& overrides,
                int64_t batch) {
    graph = frontend::loadPreparedGraph(kTiny + "/" + model + ".onnx");
    arch = flow::loadArch("compass-sram-m", overrides, XBAR_ARCH_DIR);
    mapping = mapping::mapGraph(graph, arch);
    cost = std::make_unique<cost::CostModel>(graph, mapping, arch, 1);
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0F, 1.0F);
    std::uniform_real_distribution<float> uniform(0.0F, 1.0F);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<reference::Tensor> inputs;
      for (ir::ValueId in : graph.inputs) {
        reference::Tensor t = reference::Tensor::filled(graph.value(in).shape);
        for (float& v : t.data)  // a spiking network's inputs are spikes
          v = graph.timesteps > 0 ? (uniform(rng) < 0.4F ? 1.0F : 0.0F) : normal(rng);
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

// The first difference between the program's values and the reference's, as text.
std::string firstDifference(const CompiledModel& s, const Execution& e) {
  for (size_t b = 0; b < e.outputs.size(); ++b) {
    for (size_t o = 0; o < s.graph.outputs.size(); ++o) {
      const auto& want = s.reference[b][static_cast<size_t>(s.graph.outputs[o])].data;
      const auto& got = e.outputs[b][o].data;
      for (size_t i = 0; i < want.size(); ++i)
        if (!reference::sameBits(want[i], got[i]))
          return fmt::format("sample {} output {} element {}: {} vs reference {}", b, o, i, got[i],
                             want[i]);
    }
    for (const auto& [v, made] : e.values[b]) {
      const auto& want = s.reference[b][static_cast<size_t>(v)].data;
      for (size_t i = 0; i < want.size(); ++i)
        if (made.core[i] >= 0 && !reference::sameBits(want[i], made.tensor.data[i]))
          return fmt::format("sample {} value '{}' element {} (core {}, partition {}): {} vs {}", b,
                             s.graph.value(v).name, i, made.core[i], made.partition[i],
                             made.tensor.data[i], want[i]);
    }
  }
  return {};
}

using testing::kSmallChip;
using testing::TinyPoint;

class Executes : public ::testing::TestWithParam<std::tuple<TinyPoint, const char*>> {};

TEST_P(Executes, ExactlyAsTheQuantizedReference) {
  const auto& [pt, partitioner] = GetParam();
  const CompiledModel s(pt.model, pt.overrides, 2);
  const codegen::Program program = s.compile(partitioner, 2);
  const WeightImage image(program, s.cost->groups(), s.mapping, *s.quantized);
  const Execution e = executeProgram(s.model(), program, image, s.samples);
  EXPECT_EQ(firstDifference(s, e), "") << program.partitions << " partitions";
}

// The ledger's points, and the binary CNN on both chips.
std::vector<TinyPoint> executedPoints() {
  std::vector<TinyPoint> points = testing::tinyPoints();
  points.push_back({"binary_cnn", kSmallChip});
  points.push_back({"binary_cnn", {}});
  return points;
}

INSTANTIATE_TEST_SUITE_P(TinyModels, Executes,
                         ::testing::Combine(::testing::ValuesIn(executedPoints()),
                                            ::testing::ValuesIn(testing::kPartitioners)),
                         testing::TinyPointName());

}  // namespace
}  // namespace xbar::execute

namespace xbar::execute {
namespace {

// A planted compiler bug is caught. The tiny CNN on the small chip: several partitions, spills
// between them, weights replaced.
class PlantedBug : public ::testing::Test {
 protected:
  PlantedBug()
      : s_("two_conv_cnn", kSmallChip, 1),
        program_(s_.compile("layerwise", 1)),
        image_(program_, s_.cost->groups(), s_.mapping, *s_.quantized) {}

  std::string errorOf(const codegen::Program& p) {
    try {
      executeProgram(s_.model(), p, image_, s_.samples);
    } catch (const ExecutionError& e) {
      return e.what();
    }
    return {};
  }
  static codegen::Instruction* first(codegen::Opcode op, codegen::Program& p) {
    for (codegen::Thread& t : p.threads)
      for (codegen::Instruction& in : t.code)
        if (in.op == op) return &in;
    return nullptr;
  }

  CompiledModel s_;
  codegen::Program program_;
  WeightImage image_;
};

TEST_F(PlantedBug, ProgramRunsCleanBeforehand) {
  ASSERT_GT(program_.partitions, 1);
  EXPECT_EQ(errorOf(program_), "");
}

// One weight code off in the DRAM image: the layer holding it computes something else, and the
// first value that differs is that layer's output.
TEST_F(PlantedBug, AWrongWeightIsNamedByItsLayer) {
  int32_t unit = -1;
  int64_t address = 0;
  for (const codegen::DramSegment& sg : program_.segments)
    if (sg.kind == codegen::DataRef::Kind::Weights && sg.id == 1) {
      unit = sg.id;
      address = sg.address;
    }
  ASSERT_EQ(unit, 1);
  UnitWeights* w = image_.mutableAt(address);
  ASSERT_NE(w, nullptr);
  int64_t& code = w->pieces.front().codes.front();
  code += code < 7 ? 1 : -1;  // a 4-bit code (compass-sram-m) either way
  const Execution e = executeProgram(s_.model(), program_, image_, s_.samples);
  const std::string diff = firstDifference(s_, e);
  const mapping::MatrixLayer& ml = s_.mapping.layers[static_cast<size_t>(w->layer)].layer;
  const std::string output = s_.graph.value(s_.graph.node(ml.node).outputs[0]).name;
  EXPECT_NE(diff.find("'" + output + "'"), std::string::npos) << diff << " / " << output;
}

// A spill stored 64 bytes off its box: the ST is named, with the value and its layer.
TEST_F(PlantedBug, AWrongSpillAddressIsNamed) {
  codegen::Program p = program_;
  codegen::Instruction* st = first(codegen::Opcode::Store, p);
  ASSERT_NE(st, nullptr);
  st->dram += 64;
  const std::string err = errorOf(p);
  EXPECT_NE(err.find("(ST data="), std::string::npos) << err;
  EXPECT_NE(err.find("made by layer"), std::string::npos) << err;
}

// A message that carries less than it should: the instruction that then lacks the elements
// is named.
TEST_F(PlantedBug, AMissingTransferIsNamed) {
  codegen::Program p = program_;
  int32_t core = 0;
  codegen::Instruction* send = nullptr;
  for (codegen::Thread& t : p.threads)
    for (codegen::Instruction& in : t.code)
      if (!send && in.op == codegen::Opcode::Send && in.peer != t.core &&
          in.data.kind == codegen::DataRef::Kind::Value) {
        send = &in;
        core = t.core;
      }
  ASSERT_NE(send, nullptr);
  codegen::Instruction* recv = nullptr;
  for (codegen::Thread& t : p.threads)
    for (codegen::Instruction& in : t.code)
      if (in.op == codegen::Opcode::Receive && t.core == send->peer && in.peer == core &&
          in.tag == send->tag)
        recv = &in;
  ASSERT_NE(recv, nullptr);
  send->data.endChannel = send->data.firstChannel;
  recv->data.endChannel = recv->data.firstChannel;
  const std::string err = errorOf(p);
  EXPECT_NE(err.find("core "), std::string::npos) << err;
  EXPECT_TRUE(err.find("never given") != std::string::npos ||
              err.find("does not hold") != std::string::npos)
      << err;
}

TEST_F(PlantedBug, BadSamplesAndStrippedModelsAreRefused) {
  EXPECT_THROW(executeProgram(s_.model(), program_, image_, {}), InputError);
  auto wrong = s_.samples;
  wrong[0][0].shape.back() += 1;
  EXPECT_THROW(executeProgram(s_.model(), program_, image_, wrong), InputError);
  s_.graph.weightsStripped = true;
  try {
    executeProgram(s_.model(), program_, image_, s_.samples);
    ADD_FAILURE() << "a stripped model was executed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("weights were stripped"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xbar::execute
