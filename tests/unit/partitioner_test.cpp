// Partitioners on the tiny models: plans are valid, deterministic, and ordered as they must
// be: compass never worse than the baselines it starts from, optimal never worse than compass.
#include <gtest/gtest.h>

#include "../support/compile_fixture.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/error.h"

namespace xbar::partition {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

void expectValid(const cost::CostModel& model, const Plan& plan) {
  int32_t start = 0;
  for (const Partition& p : plan.partitions) {
    EXPECT_EQ(p.firstUnit, start);
    EXPECT_GT(p.endUnit, p.firstUnit);
    EXPECT_LE(p.endUnit, model.maxEnd(p.firstUnit)) << "partition must fit the chip";
    start = p.endUnit;
  }
  EXPECT_EQ(start, model.unitCount()) << "every unit in exactly one partition";
}

// A chip so small the tiny CNN needs several partitions: 2 cores x 1 crossbar of 32x32.
const std::vector<std::string> kTinyChip = {"chip.cores=2",
                                            "core.crossbars=1",
                                            "crossbar.rows=32",
                                            "crossbar.cols=32",
                                            "crossbar.adcs_per_crossbar=32",
                                            "chip.max_parallel_crossbar_writes=2"};

class EveryObjective : public ::testing::TestWithParam<cost::Objective> {};

TEST_P(EveryObjective, CompassBeatsBaselinesAndOptimalBeatsCompass) {
  for (const char* model :
       {"two_conv_cnn", "residual_block", "concat_branch", "depthwise_grouped", "mlp_gemm"}) {
    testing::Compiled c =
        testing::compileStages(kTiny + "/" + model + ".onnx", "compass-sram-m", kTinyChip);
    for (int64_t batch : {1, 8}) {
      const cost::CostModel costs(c.graph, c.mapping, c.arch, batch);
      PartitionerOptions options;
      options.objective = GetParam();
      std::map<std::string, double> score;
      for (const std::string& name : partitionerNames()) {
        const Plan plan = makePartitioner(name)->run(costs, options);
        expectValid(costs, plan);
        score[name] = planScore(plan.totals, options.objective);
      }
      const double slack = 1e-9;
      EXPECT_LE(score["compass"], score["greedy"] * (1 + slack)) << model << " B=" << batch;
      EXPECT_LE(score["compass"], score["layerwise"] * (1 + slack)) << model << " B=" << batch;
      EXPECT_LE(score["optimal"], score["compass"] * (1 + slack)) << model << " B=" << batch;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Objectives, EveryObjective,
                         ::testing::Values(cost::Objective::Latency, cost::Objective::Throughput,
                                           cost::Objective::Energy, cost::Objective::Edp),
                         [](const auto& info) {
                           return std::string(cost::objectiveName(info.param));
                         });

TEST(Partitioners, BaselinesFollowTheirDefinitions) {
  testing::Compiled c =
      testing::compileStages(kTiny + "/two_conv_cnn.onnx", "compass-sram-m", kTinyChip);
  const cost::CostModel costs(c.graph, c.mapping, c.arch, 1);
  // Layerwise: no partition mixes two layers.
  for (const Partition& p : makePartitioner("layerwise")->run(costs, {}).partitions)
    EXPECT_EQ(costs.units()[static_cast<size_t>(p.firstUnit)].layer,
              costs.units()[static_cast<size_t>(p.endUnit - 1)].layer);
  // Greedy: a partition ends only where the next whole layer (or unit, for a split layer) no longer
  // fits.
  for (const Partition& p : makePartitioner("greedy")->run(costs, {}).partitions)
    if (p.endUnit < costs.unitCount()) {
      const auto& next =
          costs.layers()[static_cast<size_t>(costs.units()[static_cast<size_t>(p.endUnit)].layer)];
      EXPECT_TRUE(next.endUnit > costs.maxEnd(p.firstUnit) ||
                  p.endUnit == costs.maxEnd(p.firstUnit));
    }
}

TEST(Partitioners, CompassIsDeterministicForASeed) {
  testing::Compiled c =
      testing::compileStages(kTiny + "/concat_branch.onnx", "compass-sram-m", kTinyChip);
  const cost::CostModel costs(c.graph, c.mapping, c.arch, 4);
  PartitionerOptions options;
  options.seed = 42;
  const auto compass = makePartitioner("compass");
  EXPECT_EQ(compass->cut(costs, options), compass->cut(costs, options));
}

TEST(Partitioners, UnknownNameListsTheKnownOnes) {
  try {
    makePartitioner("random");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("compass, greedy, layerwise, optimal"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace xbar::partition
