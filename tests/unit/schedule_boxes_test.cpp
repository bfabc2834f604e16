// The walk's boxes (schedule/box.h) account for every element: over every partition of every
// partitioner's plan, one sample's steps must store each value that leaves through DRAM
// exactly once, load only what was stored, give every layer's leader each input exactly once,
// hand every other core holding a layer the whole matrix input and each core finishing
// channels what its channels read of other values, and sum every matrix output element over
// all its rows exactly once. This is the structural half of executing the program
// (docs/design.md §9); a box cut or routed wrongly breaks one of these counts.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "../support/box_ledger.h"
#include "../support/compile_fixture.h"
#include "xbar/partition/partitioner.h"

namespace xbar::schedule {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

struct Point {
  const char* model;
  std::vector<std::string> overrides;
};

class Boxes : public ::testing::TestWithParam<std::tuple<Point, const char*>> {};

TEST_P(Boxes, EveryElementIsMovedAndSummedExactlyOnce) {
  const auto& [pt, partitioner] = GetParam();
  const testing::Compiled c =
      testing::compileStages(kTiny + "/" + pt.model + ".onnx", "compass-sram-m", pt.overrides);
  const cost::CostModel model(c.graph, c.mapping, c.arch, 1);
  const partition::Plan plan = partition::makePartitioner(partitioner)->run(model, {});
  for (const std::string& e : testing::boxErrors(model.groups(), c.arch, plan)) ADD_FAILURE() << e;
}

const std::vector<std::string> kSmallChip = {"chip.cores=3", "core.crossbars=2", "crossbar.rows=32",
                                             "crossbar.cols=32", "crossbar.adcs_per_crossbar=32"};
const std::vector<std::string> kTinyMemory = {"core.local_memory.size_kib=1"};

INSTANTIATE_TEST_SUITE_P(
    TinyModels, Boxes,
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
}  // namespace xbar::schedule
