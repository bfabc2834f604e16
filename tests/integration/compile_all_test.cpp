// `xbar compile` for every exported network on every preset: a plan whose partitions cover
// the units and fit, and a program whose streams agree with it.
#include <gtest/gtest.h>

#include <map>

#include "../support/compile_fixture.h"
#include "../support/local_memory_refusals.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/error.h"

namespace xbar {
namespace {

class EveryNetworkCompiles : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryNetworkCompiles, OnEveryPreset) {
  for (const std::string& preset : arch::presetNames(XBAR_ARCH_DIR)) {
    testing::Compiled c = testing::compileStages(
        std::string(XBAR_EXPORT_DIR) + "/" + GetParam() + ".stripped.onnx", preset);
    if (const auto layer = testing::localMemoryRefusal(GetParam(), preset); !layer.empty()) {
      try {
        const cost::CostModel refused(c.graph, c.mapping, c.arch, 2);
        ADD_FAILURE() << preset << ": expected a refusal for local memory";
      } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(
            what.find("layer '" + std::string(layer) + "' cannot be tiled to fit local memory"),
            std::string::npos)
            << what;
      }
      continue;
    }
    const cost::CostModel model(c.graph, c.mapping, c.arch, 2);
    const partition::Plan plan = partition::makePartitioner("compass")->run(model, {});
    int32_t start = 0;
    for (const partition::Partition& p : plan.partitions) {
      ASSERT_EQ(p.firstUnit, start) << preset;
      ASSERT_LE(p.endUnit, model.maxEnd(start)) << preset;
      start = p.endUnit;
    }
    ASSERT_EQ(start, model.unitCount()) << preset;
    const codegen::Program program = codegen::generateProgram(model.groups(), c.arch, plan.batch,
                                                              partition::partitionRanges(plan))
                                         .program;
    std::map<std::pair<int32_t, int32_t>, int64_t> sent, received;
    for (const codegen::Thread& stream : program.threads) {
      const int32_t core = stream.core;
      int barriers = 0;
      for (const codegen::Instruction& in : stream.code) {
        barriers += in.op == codegen::Opcode::Barrier;
        if (in.op == codegen::Opcode::Send) sent[{core, in.peer}] += in.bytes;
        if (in.op == codegen::Opcode::Receive) received[{in.peer, core}] += in.bytes;
      }
      EXPECT_EQ(barriers, program.partitions) << preset << " a thread of core " << core;
    }
    EXPECT_EQ(sent, received) << preset;
    EXPECT_EQ(codegen::parseProgramText(codegen::writeProgramText(program), "p"), program)
        << preset;
  }
}

INSTANTIATE_TEST_SUITE_P(Torchvision, EveryNetworkCompiles,
                         ::testing::Values("resnet18", "resnet50", "vgg16", "squeezenet1_1",
                                           "mobilenet_v2", "alexnet", "resnet18_bnn",
                                           "snn_784_800_10"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace xbar
