// The COMPASS paper's experiment (VGG16, ResNet-18, SqueezeNet 1.1 x chips S, M, L x batch
// 1-16 x four partitioners) and the orderings that must hold at every point: compass starts
// from the baselines' plans and keeps its best, so it is never worse than either; optimal is
// exact for the per-partition costs, so it is never worse than compass.
#include <gtest/gtest.h>

#include <map>

#include "compass_experiment.h"

namespace xbar::cli {
namespace {

TEST(CompassPaperExperiment, OrderingsHoldAtEveryPoint) {
  const auto points = runCompassExperiment(XBAR_EXPORT_DIR, XBAR_ARCH_DIR);
  ASSERT_EQ(points.size(), 3u * 3 * 5 * 4);
  std::map<std::tuple<std::string, std::string, int64_t>, std::map<std::string, ExperimentPoint>>
      byKey;
  for (const ExperimentPoint& p : points) byKey[{p.network, p.chip, p.batch}][p.partitioner] = p;
  const double slack = 1 + 1e-9;
  for (const auto& [key, by] : byKey) {
    const auto& [network, chip, batch] = key;
    const std::string where = network + "-" + chip + "-" + std::to_string(batch);
    EXPECT_GE(by.at("compass").throughput * slack, by.at("greedy").throughput) << where;
    EXPECT_GE(by.at("compass").throughput * slack, by.at("layerwise").throughput) << where;
    EXPECT_GE(by.at("optimal").throughput * slack, by.at("compass").throughput) << where;
    EXPECT_LE(by.at("compass").edp, by.at("greedy").edp * slack) << where;
    EXPECT_LE(by.at("compass").edp, by.at("layerwise").edp * slack) << where;
    EXPECT_LE(by.at("optimal").edp, by.at("compass").edp * slack) << where;
  }
  const std::string table = formatCompassExperiment(points);
  EXPECT_NE(table.find("ResNet18-M-16"), std::string::npos);
  EXPECT_NE(table.find("geomean"), std::string::npos);
}

TEST(CompassPaperExperiment, BatchingAmortisesWeightReplacement) {
  // Paper: weight load + write energy relative to MVM energy falls as the batch grows
  // (about 4x at batch 1 to 1.2x at 16); the trend must hold for every network and chip.
  ExperimentSpec spec;
  spec.partitioners = {"compass"};
  const auto points = runCompassExperiment(XBAR_EXPORT_DIR, XBAR_ARCH_DIR, spec);
  std::map<std::pair<std::string, std::string>, std::map<int64_t, double>> ratio;
  for (const ExperimentPoint& p : points)
    ratio[{p.network, p.chip}][p.batch] = p.weightOverMvmEnergy;
  for (const auto& [key, byBatch] : ratio)
    EXPECT_LT(byBatch.at(16), byBatch.at(1) / 4) << key.first << "-" << key.second;
}

}  // namespace
}  // namespace xbar::cli
