// Each term of the analytic cost model against a hand calculation on the tiny MLP
// (64 -> 128 -> 32 -> 10, Gemm + Relu, Softmax) on compass-sram-m at batch 4.
//
// compass-sram-m: 256x256 crossbars, 1-bit cells, 4-bit weights and activations, 1-bit DAC
// (4 input cycles), read 10 ns, one ADC per column at 10 ns, LPDDR3-1600 (6.4 GB/s, 60 ns,
// 40 pJ/bit), 12-lane vector unit at 1 GHz, bus 64 GB/s with 1 ns hops, 16 parallel writes.
#include <gtest/gtest.h>

#include <cmath>

#include "../support/compile_fixture.h"
#include "xbar/support/error.h"

namespace xbar::cost {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

class MlpCost : public ::testing::Test {
 protected:
  testing::Compiled c = testing::compileStages(kTiny + "/mlp_gemm.onnx", "compass-sram-m");
  CostModel model{c.graph, c.mapping, c.arch, 4};
  // Every unit in one partition, no replication.
  PartitionCost all = model.evaluateFixedReplication(0, 3, {{0, 1}, {1, 1}, {2, 1}});
};

TEST_F(MlpCost, MvmTimeFollowsInputCyclesAndAdcSharing) {
  // 4 cycles x (10 ns read + ceil(active columns / 256 ADCs) x 10 ns) = 80 ns for each layer.
  for (const schedule::LayerGroup& l : model.layers()) EXPECT_DOUBLE_EQ(l.mvmNs, 80.0);
  EXPECT_EQ(model.layers()[0].activeColumns, 256);  // 64 outputs x 4 columns
  EXPECT_EQ(model.layers()[1].activeColumns, 128);  // 32 x 4
  EXPECT_EQ(model.layers()[2].activeColumns, 40);   // 10 x 4
}

TEST_F(MlpCost, WeightLoadIsBytesOverDramBandwidthPlusLatency) {
  // (64x128 + 128x32 + 32x10) weights x 4 bits = 6304 bytes, at LPDDR3-1600's stream
  // bandwidth (the bank model's, refresh included: dram_banks_test.cpp) after its latency
  // (activate, read: (15 + 12) x 1.25 ns).
  EXPECT_DOUBLE_EQ(all.dramWeightBytes, 6304.0);
  EXPECT_DOUBLE_EQ(model.arch().dramLatencyNs(), 33.75);
  EXPECT_DOUBLE_EQ(all.weightLoadNs, 6304.0 / model.arch().dramBandwidthGbPerS() + 33.75);
}

TEST_F(MlpCost, WeightWriteIsRowsTimesRowLatencyOverParallelCrossbars) {
  // Rows programmed: fc1 2 crossbars x 64 rows, fc2 128, fc3 32 = 288; 4 crossbars at once.
  EXPECT_DOUBLE_EQ(all.weightWriteNs, 288.0 * 1.0 / 4.0);
  EXPECT_EQ(all.cellsWritten, 12608 * 4);
  EXPECT_DOUBLE_EQ(all.energyPj[arch::Action::CellWritten], 12608.0 * 4 * 0.01);
}

TEST_F(MlpCost, OneCoreRunsItsLayersInTurnSoTheirTimesAdd) {
  // fc1 (2 crossbars), fc2 and fc3 (1 each) all fit core 0, so the program runs them one
  // after another there: per sample, LD of the 32 B input (latency L + 32 / bandwidth W: the
  // DRAM's, as in the test above), fc1 80 +
  // 128 relu ops / 12 ops/ns, fc2 80 + 32 / 12, fc3 80 + 5 x 10 / 12 (softmax: max, subtract,
  // exponential, sum, divide per output; schedule/vector_work.cpp), ST of the 5 B output
  // (L + 5 / W). Nothing crosses the interconnect.
  const double L = model.arch().dramLatencyNs(), W = model.arch().dramBandwidthGbPerS();
  const double fc1 = 80.0 + 128.0 / 12.0, fc2 = 80.0 + 32.0 / 12.0, fc3 = 80.0 + 50.0 / 12.0;
  const double core = (L + 32.0 / W) + fc1 + fc2 + fc3 + (L + 5.0 / W);
  EXPECT_NEAR(all.bottleneckStageNs, core, 1e-9);
  // The first sample's path: its load, the three layers, its store: on one core, that core's
  // busy time.
  EXPECT_NEAR(all.pipelineFillNs, fc1 + fc2 + fc3 + 37.0 / W + 2 * L, 1e-9);
  EXPECT_NEAR(all.reuseNs, all.pipelineFillNs + 3 * core, 1e-9);
  EXPECT_NEAR(all.totalNs, all.weightLoadNs + all.weightWriteNs + all.reuseNs, 1e-9);
  EXPECT_DOUBLE_EQ(all.interconnectBytes, 0.0);
}

TEST(MlpCostOnSmallCores, LayersOnDifferentCoresPipelineAndTheirTrafficIsCounted) {
  // Cores of 2 crossbars: fc1 fills core 0; fc2 goes to core 1 (the lowest of the cores with
  // 2 free) and fc3 to the fullest core it fits, core 1 again. fc1's relu output (64 B) goes
  // from core 0 to core 1 over the bus per sample.
  testing::Compiled c =
      testing::compileStages(kTiny + "/mlp_gemm.onnx", "compass-sram-m", {"core.crossbars=2"});
  const CostModel model(c.graph, c.mapping, c.arch, 4);
  const PartitionCost all = model.evaluateFixedReplication(0, 3, {{0, 1}, {1, 1}, {2, 1}});
  const auto placement = schedule::placeUnits(model.groups(), model.arch(), 0, 3, all.replication);
  ASSERT_EQ(placement.size(), 3u);
  EXPECT_EQ(placement[0].core, 0);
  EXPECT_EQ(placement[1].core, 1);
  EXPECT_EQ(placement[2].core, 1);
  const double L = model.arch().dramLatencyNs(), W = model.arch().dramBandwidthGbPerS();
  const double core0 = (L + 32.0 / W) + 80.0 + 128.0 / 12.0;
  const double core1 = 80.0 + 32.0 / 12.0 + 80.0 + 50.0 / 12.0 + (L + 5.0 / W);
  EXPECT_NEAR(all.bottleneckStageNs, std::max(core0, core1), 1e-9);
  EXPECT_DOUBLE_EQ(all.interconnectBytes, 4 * 64.0);
  EXPECT_DOUBLE_EQ(all.energyPj[arch::Action::InterconnectByteHop], 4 * 64.0 * 0.5)
      << "one bus hop at 0.5 pJ/B";
}

TEST_F(MlpCost, ActivationTrafficAtEntriesAndExits) {
  EXPECT_DOUBLE_EQ(all.dramActivationReadBytes, 4 * 32.0);  // the input, per sample
  EXPECT_DOUBLE_EQ(all.dramActivationWriteBytes, 4 * 5.0);  // the softmax output
  // Cut after fc1: fc1's relu output (64 B) leaves the first partition and enters the second.
  const PartitionCost first = model.evaluateFixedReplication(0, 1, {{0, 1}});
  const PartitionCost second = model.evaluateFixedReplication(1, 3, {{1, 1}, {2, 1}});
  EXPECT_DOUBLE_EQ(first.dramActivationWriteBytes, 4 * 64.0);
  EXPECT_DOUBLE_EQ(second.dramActivationReadBytes, 4 * 64.0);
}

TEST_F(MlpCost, EnergyTermsAreCountsTimesTable) {
  // ADC: per vector, 4 cycles x active columns x crossbars: fc1 256x2, fc2 128, fc3 40.
  const double conversions = 4.0 * (256 * 2 + 128 + 40) * 4 /*batch*/;
  EXPECT_DOUBLE_EQ(all.energyPj[arch::Action::AdcConversion], conversions * 0.5);
  EXPECT_DOUBLE_EQ(all.energyPj[arch::Action::DramBit], (6304.0 + 4 * 37.0) * 8 * 40.0);
  // Static: 16 cores x 8 mW + 256 crossbars x 0.5 mW, over the partition's time.
  EXPECT_NEAR(all.energyPj[arch::Action::StaticNs], 256.0 * all.totalNs, 1e-6);
}

TEST_F(MlpCost, SplitLayerStoresAndReloadsItsShare) {
  // One crossbar per core cuts fc1 into two units of 64 of its 128 outputs; a partition
  // holding only the first stores those channels' raw sums, the next reloads them. They leave
  // at partial-sum bits (16 here: the ReLU and the requantization to 4 bits come once the
  // layer is complete), not at activation bits as a byte share of the finished outputs did.
  testing::Compiled narrow =
      testing::compileStages(kTiny + "/mlp_gemm.onnx", "compass-sram-m", {"core.crossbars=1"});
  ASSERT_EQ(narrow.arch.partialSumBits(), 16);
  CostModel m(narrow.graph, narrow.mapping, narrow.arch, 1);
  const PartitionCost half = m.evaluateFixedReplication(0, 1, {{0, 1}});
  EXPECT_DOUBLE_EQ(half.dramActivationWriteBytes, 64 * 2.0);  // 64 channels x 16 bits
  const PartitionCost rest = m.evaluateFixedReplication(1, 4, {{0, 1}, {1, 1}, {2, 1}});
  EXPECT_DOUBLE_EQ(rest.dramActivationReadBytes, 32.0 /*input*/ + 64 * 2.0);
}

TEST(Replication, GoesToTheBottleneckAndDividesItsWork) {
  // two_conv_cnn: conv1 runs 16x16 = 256 vectors per sample, conv2 16, fc 1: conv1 is the
  // bottleneck and its vectors can be split; fc's single vector cannot (ceil(1 / r) = 1).
  testing::Compiled c = testing::compileStages(kTiny + "/two_conv_cnn.onnx", "compass-sram-m");
  const CostModel model(c.graph, c.mapping, c.arch, 64);
  const PartitionCost p =
      model.evaluateBestReplication(0, model.unitCount(), Objective::Throughput);
  ASSERT_EQ(p.replication.size(), 3u);
  const int32_t r = p.replication[0].replicas;
  EXPECT_GT(r, 1) << "conv1 is the slowest stage";
  EXPECT_EQ(p.replication[2].replicas, 1) << "one vector per sample: a replica would not help";
  const PartitionCost plain =
      model.evaluateFixedReplication(0, model.unitCount(), {{0, 1}, {1, 1}, {2, 1}});
  EXPECT_LT(p.totalNs, plain.totalNs);
  EXPECT_GT(p.cellsWritten, plain.cellsWritten) << "replicas are written too";
  // Each of r replicas runs ceil(256 / r) of conv1's vectors.
  const double conv1Stage = std::ceil(256.0 / r) * model.layers()[0].mvmNs;
  EXPECT_GE(p.bottleneckStageNs, conv1Stage);
}

TEST(CostModelBadInput, BatchZeroIsRejected) {
  testing::Compiled c = testing::compileStages(kTiny + "/mlp_gemm.onnx", "compass-sram-m");
  EXPECT_THROW(CostModel(c.graph, c.mapping, c.arch, 0), InputError);
}

TEST(Objectives, NamesRoundTripAndUnknownIsRejected) {
  for (const char* name : {"latency", "throughput", "energy", "edp"})
    EXPECT_EQ(objectiveName(objectiveFromName(name)), name);
  EXPECT_THROW(objectiveFromName("speed"), InputError);
}

}  // namespace
}  // namespace xbar::cost

namespace xbar::cost {
namespace {

TEST(ResidualCost, TensorsCrossingAPartitionBoundaryGoThroughDram) {
  // residual_block: x -> conv1 -> relu -> conv2 -> add(x) -> relu. Cut between the convs:
  // the first partition reads x (16x8x8 at 4 bits = 512 B) and stores relu1's output (512 B);
  // the second reads relu1's output and x again for the residual add (512 + 512 B), and
  // stores the graph output (512 B).
  testing::Compiled c =
      testing::compileStages(std::string(XBAR_TINY_DIR) + "/residual_block.onnx", "compass-sram-m");
  const CostModel model(c.graph, c.mapping, c.arch, 2);
  ASSERT_EQ(model.unitCount(), 2);
  const PartitionCost first = model.evaluateFixedReplication(0, 1, {{0, 1}});
  const PartitionCost second = model.evaluateFixedReplication(1, 2, {{1, 1}});
  EXPECT_DOUBLE_EQ(first.dramActivationReadBytes, 2 * 512.0);
  EXPECT_DOUBLE_EQ(first.dramActivationWriteBytes, 2 * 512.0);
  EXPECT_DOUBLE_EQ(second.dramActivationReadBytes, 2 * 1024.0);
  EXPECT_DOUBLE_EQ(second.dramActivationWriteBytes, 2 * 512.0);
  // Together, nothing crosses but the input and the output: relu1's output and x stay in
  // core 0, which holds both convs (one crossbar each).
  const PartitionCost both = model.evaluateFixedReplication(0, 2, {{0, 1}, {1, 1}});
  EXPECT_DOUBLE_EQ(both.dramActivationReadBytes, 2 * 512.0);
  EXPECT_DOUBLE_EQ(both.interconnectBytes, 0.0);
}

}  // namespace
}  // namespace xbar::cost
