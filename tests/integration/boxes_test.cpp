// The walk's boxes on the exported networks (tests/support/box_ledger.h): for ResNet-18 and
// SqueezeNet 1.1 on the COMPASS chips S and M, every partitioner's plan must move each element
// where it is needed exactly once and sum every matrix output over all its rows exactly once.
// The tiny models cover each case alone (tests/unit/schedule_boxes_test.cpp); these cover
// them together at the scale the executor will run (docs/design.md §9). The networks with
// squeeze-and-excitation blocks on compass-sram-m add the spilled maps (PartitionSchedule::
// spills) and what their partitions read from DRAM past them.
#include <gtest/gtest.h>

#include <tuple>

#include "box_ledger.h"
#include "compile_fixture.h"
#include "xbar/partition/partitioner.h"

namespace xbar {
namespace {

using BoxesPoint = std::tuple<const char*, const char*, const char*>;

std::string boxesTestName(const ::testing::TestParamInfo<BoxesPoint>& info) {
  std::string name = std::string(std::get<0>(info.param)) + "_" + std::get<1>(info.param) + "_" +
                     std::get<2>(info.param);
  for (char& ch : name)
    if (ch == '-') ch = '_';
  return name;
}

class NetworkBoxes : public ::testing::TestWithParam<BoxesPoint> {};

TEST_P(NetworkBoxes, EveryElementIsMovedAndSummedExactlyOnce) {
  const auto& [network, arch, partitioner] = GetParam();
  const testing::Compiled c = testing::compileStages(
      std::string(XBAR_EXPORT_DIR) + "/" + network + ".stripped.onnx", arch, {});
  const cost::CostModel model(c.graph, c.mapping, c.arch, 4);
  const partition::Plan plan = partition::makePartitioner(partitioner)->run(model, {});
  for (const std::string& e : testing::boxErrors(model.groups(), c.arch, plan)) ADD_FAILURE() << e;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, NetworkBoxes,
                         ::testing::Combine(::testing::Values("resnet18", "squeezenet1_1"),
                                            ::testing::Values("compass-sram-s", "compass-sram-m"),
                                            ::testing::Values("greedy", "layerwise", "compass",
                                                              "optimal")),
                         boxesTestName);
INSTANTIATE_TEST_SUITE_P(
    SqueezeExcitation, NetworkBoxes,
    ::testing::Combine(::testing::Values("mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf",
                                         "maxvit_t"),
                       ::testing::Values("compass-sram-m"),
                       ::testing::Values("greedy", "layerwise", "compass", "optimal")),
    boxesTestName);

}  // namespace
}  // namespace xbar
