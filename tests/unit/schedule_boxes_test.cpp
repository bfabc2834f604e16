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
#include "../support/tiny_points.h"
#include "xbar/partition/partitioner.h"

namespace xbar::schedule {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

using testing::TinyPoint;

class Boxes : public ::testing::TestWithParam<std::tuple<TinyPoint, const char*>> {};

TEST_P(Boxes, EveryElementIsMovedAndSummedExactlyOnce) {
  const auto& [pt, partitioner] = GetParam();
  const testing::Compiled c =
      testing::compileStages(kTiny + "/" + pt.model + ".onnx", "compass-sram-m", pt.overrides);
  const cost::CostModel model(c.graph, c.mapping, c.arch, 1);
  const partition::Plan plan = partition::makePartitioner(partitioner)->run(model, {});
  for (const std::string& e : testing::boxErrors(model.groups(), c.arch, plan)) ADD_FAILURE() << e;
}

INSTANTIATE_TEST_SUITE_P(TinyModels, Boxes,
                         ::testing::Combine(::testing::ValuesIn(testing::tinyPoints()),
                                            ::testing::ValuesIn(testing::kPartitioners)),
                         testing::TinyPointName());

}  // namespace
}  // namespace xbar::schedule
