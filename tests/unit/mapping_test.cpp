// Crossbar tiling and partition units, each checked against a hand calculation.
#include <gtest/gtest.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/core_packing.h"
#include "xbar/mapping/mapping.h"
#include "xbar/mapping/mapping_report.h"
#include "xbar/passes/passes.h"

namespace xbar::mapping {
namespace {

const std::string kTiny = XBAR_TINY_DIR;
const std::string kArchDir = XBAR_ARCH_DIR;

Mapping mapTiny(const std::string& model, const std::string& arch,
                std::vector<std::string> overrides = {}) {
  ir::Graph g = frontend::loadOnnx(kTiny + "/" + model + ".onnx");
  passes::runStandardPasses(g);
  std::vector<arch::Override> parsed;
  for (const std::string& o : overrides) parsed.push_back(arch::parseOverride(o));
  return mapGraph(g, arch::loadArch(arch::resolveArchPath(arch, kArchDir), parsed));
}

const LayerMapping& layerNamed(const Mapping& m, const std::string& name) {
  for (const LayerMapping& l : m.layers)
    if (l.layer.name == name) return l;
  throw std::runtime_error("no layer " + name);
}

TEST(Mapping, GemmTilesByColumnsPerWeight) {
  // compass-sram-m: 256x256 crossbars, 4-bit weights on 1-bit cells, offset sign:
  // 4 columns per weight, 64 outputs per crossbar.
  const Mapping m = mapTiny("mlp_gemm", "compass-sram-m");
  const LayerMapping& fc1 = layerNamed(m, "fc1");  // 64 -> 128 (transB)
  EXPECT_EQ(fc1.layer.inputs, 64);
  EXPECT_EQ(fc1.layer.outputs, 128);
  EXPECT_EQ(fc1.columnsPerWeight, 4);
  EXPECT_EQ(fc1.outputsPerCrossbar, 64);
  EXPECT_EQ(fc1.rowTiles, 1);
  EXPECT_EQ(fc1.columnBlocksPerBlock, 2);
  EXPECT_EQ(fc1.crossbars, 2);
  // 64 x 128 weights x 4 cells over 2 x 256 x 256 cells.
  EXPECT_DOUBLE_EQ(fc1.utilisation, 0.25);
  EXPECT_DOUBLE_EQ(fc1.weightBytes, 64 * 128 / 2.0);
  const LayerMapping& fc2 = layerNamed(m, "fc2");  // 128 -> 32, not transposed
  EXPECT_EQ(fc2.layer.inputs, 128);
  EXPECT_EQ(fc2.layer.outputs, 32);
  EXPECT_EQ(fc2.crossbars, 1);
  EXPECT_EQ(m.totals.crossbars, 4);
  EXPECT_EQ(m.totals.coresNeeded, 1);
  EXPECT_TRUE(m.totals.fits);
}

// binary_cnn's conv2 has +-alpha weights and Sign(x - delta) inputs: one cell per weight
// where 4-bit weights take 4 (compass-sram: 1-bit cells, offset scheme), one input cycle, and
// its columns sum at most 144 rows x 1 x 1, 8 ADC bits. conv1 (full precision) is unchanged.
// The shapes-only load (no weight data) maps the same: the folding marks the weight binary.
TEST(Mapping, BinaryLayerTakesOneCellPerWeightAndOneInputCycle) {
  for (bool shapesOnly : {false, true}) {
    frontend::LoadOptions options;
    options.shapesOnly = shapesOnly;
    ir::Graph g = frontend::loadOnnx(kTiny + "/binary_cnn.onnx", options);
    passes::runStandardPasses(g);
    const arch::ArchConfig a = arch::loadArch(arch::resolveArchPath("compass-sram-s", kArchDir));
    const Mapping m = mapGraph(g, a);
    const LayerMapping& conv1 = layerNamed(m, "conv1");
    const LayerMapping& conv2 = layerNamed(m, "conv2");
    EXPECT_EQ(conv1.bits, (arch::OperandBits{4, 4}));
    EXPECT_EQ(conv1.columnsPerWeight, 4);
    EXPECT_TRUE(conv2.layer.binaryWeights && conv2.layer.binaryInputs) << shapesOnly;
    EXPECT_EQ(conv2.bits, (arch::OperandBits{1, 1}));
    EXPECT_EQ(conv2.columnsPerWeight, 1);
    EXPECT_DOUBLE_EQ(conv2.weightBytes, 144.0 * 16 / 8);
    EXPECT_EQ(conv2.adcBitsNeeded, 8);
    EXPECT_EQ(a.inputCycles(conv2.bits), 1);
    EXPECT_EQ(a.inputCycles(conv1.bits), 4);
    // The last layer reads a global pool of conv2's binary output: full precision.
    EXPECT_EQ(layerNamed(m, "fc").bits, (arch::OperandBits{4, 4}));
  }
}

TEST(Mapping, ConvCountsVectorsFromOutputPixels) {
  const Mapping m = mapTiny("two_conv_cnn", "compass-sram-m");
  const LayerMapping& conv2 = layerNamed(m, "conv2");
  EXPECT_EQ(conv2.layer.inputs, 8 * 3 * 3);
  EXPECT_EQ(conv2.layer.outputs, 16);
  EXPECT_EQ(conv2.layer.vectorsPerInference, 4 * 4);
  EXPECT_EQ(layerNamed(m, "fc").layer.vectorsPerInference, 1);
}

TEST(Mapping, DepthwiseGroupsPackBlockDiagonally) {
  const Mapping m = mapTiny("depthwise_grouped", "compass-sram-m");
  const LayerMapping& dw = layerNamed(m, "depthwise");  // 32 groups of 9 x 1
  EXPECT_EQ(dw.layer.groups, 32);
  EXPECT_EQ(dw.layer.inputs, 9);
  EXPECT_EQ(dw.layer.outputs, 1);
  // floor(256 rows / 9) = 28 groups fit one crossbar's diagonal: 2 crossbars, not 32.
  EXPECT_EQ(dw.groupsPerBlock, 28);
  EXPECT_EQ(dw.crossbars, 2);
  ASSERT_EQ(dw.unitCount, 1);
  EXPECT_EQ(m.units[static_cast<size_t>(dw.firstUnit)].outputs, 32);
  const LayerMapping& grouped = layerNamed(m, "grouped");  // 4 groups of 72 x 16
  // min(256/72 = 3, 64/16 = 4) = 3 groups per crossbar: 2 crossbars.
  EXPECT_EQ(grouped.groupsPerBlock, 3);
  EXPECT_EQ(grouped.crossbars, 2);
}

TEST(Mapping, LayerWiderThanACoreIsCutAlongOutputs) {
  // One crossbar per core: fc1's two column blocks become two units of 64 outputs.
  const Mapping m = mapTiny("mlp_gemm", "compass-sram-m", {"core.crossbars=1"});
  const LayerMapping& fc1 = layerNamed(m, "fc1");
  ASSERT_EQ(fc1.unitCount, 2);
  for (int i = 0; i < 2; ++i) {
    const PartitionUnit& u = m.units[static_cast<size_t>(fc1.firstUnit + i)];
    EXPECT_EQ(u.crossbars, 1);
    EXPECT_EQ(u.outputs, 64);
    EXPECT_FALSE(u.partialSums);
  }
}

TEST(Mapping, ColumnBlockTallerThanACoreIsCutAlongRows) {
  // 16-row crossbars: conv2's K = 72 needs 5 row tiles, a core holds 2: three units of
  // 2, 2 and 1 row tiles whose partial sums are added digitally.
  const Mapping m =
      mapTiny("two_conv_cnn", "compass-sram-m", {"crossbar.rows=16", "core.crossbars=2"});
  const LayerMapping& conv2 = layerNamed(m, "conv2");
  EXPECT_EQ(conv2.rowTiles, 5);
  ASSERT_EQ(conv2.unitCount, 3);
  const int64_t expectedRows[] = {2, 2, 1};
  for (int i = 0; i < 3; ++i) {
    const PartitionUnit& u = m.units[static_cast<size_t>(conv2.firstUnit + i)];
    EXPECT_TRUE(u.partialSums);
    EXPECT_EQ(u.rowTiles, expectedRows[i]);
    EXPECT_EQ(u.firstRowTile, 2 * i);
    EXPECT_EQ(u.outputs, 16);
  }
}

TEST(Mapping, DifferentialSignHalvesOutputsPerCrossbar) {
  // edge-small: 8-bit weights, 2-bit cells, differential: 8 columns per weight, 16 outputs
  // per 128-column crossbar; fc1 (64 -> 128) needs 8 column blocks.
  const Mapping m = mapTiny("mlp_gemm", "edge-small");
  const LayerMapping& fc1 = layerNamed(m, "fc1");
  EXPECT_EQ(fc1.outputsPerCrossbar, 16);
  EXPECT_EQ(fc1.crossbars, 8);
  EXPECT_DOUBLE_EQ(fc1.weightBytes, 64 * 128);
}

TEST(Mapping, UnitsFollowLayerOrderAndCoverEveryOutput) {
  const Mapping m = mapTiny("concat_branch", "compass-sram-m", {"core.crossbars=1"});
  int32_t previous = -1;
  for (const PartitionUnit& u : m.units) {
    EXPECT_GE(u.layer, previous);
    previous = u.layer;
  }
  for (const LayerMapping& l : m.layers) {
    int64_t outputs = 0;
    for (int32_t i = 0; i < l.unitCount; ++i)
      outputs += m.units[static_cast<size_t>(l.firstUnit + i)].outputs;
    EXPECT_EQ(outputs, l.layer.totalOutputs()) << l.layer.name;
  }
}

TEST(Mapping, ChipTooSmallIsReportedAsNotFitting) {
  const Mapping m = mapTiny("mlp_gemm", "edge-small", {"chip.cores=1", "core.crossbars=4"});
  EXPECT_FALSE(m.totals.fits);
  EXPECT_GT(m.totals.coresNeeded, 1);
  EXPECT_NE(formatMappingTable(m).find("fits on chip: no"), std::string::npos);
  EXPECT_EQ(mappingToJson(m)["totals"]["fits"], false);
}

}  // namespace
}  // namespace xbar::mapping

namespace xbar::mapping {
namespace {

// A fixed pseudo-random sequence (64-bit LCG), so the packing tests are repeatable.
struct Lcg {
  uint64_t state;
  int64_t operator()(uint64_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int64_t>((state >> 33) % n);
  }
};

TEST(CorePacking, BulkAddPlacesExactlyAsSingleAdds) {
  // Pseudo-random unit sizes and copy counts on 7 cores of 16 crossbars.
  Lcg next{12345};
  for (int trial = 0; trial < 200; ++trial) {
    IncrementalPacker bulk(7, 16), single(7, 16);
    bool bulkOk = true, singleOk = true;
    for (int step = 0; step < 6 && bulkOk; ++step) {
      const int64_t size = 1 + next(16), copies = 1 + next(6);
      bulkOk = bulk.add(size, copies);
      for (int64_t k = 0; k < copies; ++k) singleOk = singleOk && single.add(size);
      EXPECT_EQ(bulkOk, singleOk) << "trial " << trial << " step " << step;
      if (bulkOk != singleOk) return;
    }
  }
}

TEST(CorePacking, PlacerPutsEachCopyWhereOneByOneBestFitWould) {
  // The reference: every copy to the fullest core it fits, the lowest such core on a tie.
  // The placer must agree copy for copy (core and crossbar), since codegen runs what the cost
  // model priced, and must fail exactly when IncrementalPacker does.
  Lcg next{99};
  for (int trial = 0; trial < 200; ++trial) {
    CorePlacer placer(5, 16);
    IncrementalPacker packer(5, 16);
    std::vector<int64_t> free(5, 16);
    for (int step = 0; step < 6; ++step) {
      const int64_t size = 1 + next(16), copies = 1 + next(6);
      std::vector<PlacedRun> runs;
      const bool placed = placer.add(size, copies, runs);
      ASSERT_EQ(placed, packer.add(size, copies)) << "trial " << trial << " step " << step;
      if (!placed) break;
      std::vector<std::pair<int64_t, int64_t>> got, want;  // (core, first crossbar) per copy
      for (const PlacedRun& r : runs)
        for (int32_t k = 0; k < r.copies; ++k) got.emplace_back(r.core, r.firstCrossbar + k * size);
      for (int64_t k = 0; k < copies; ++k) {
        size_t best = free.size();
        for (size_t c = 0; c < free.size(); ++c)
          if (free[c] >= size && (best == free.size() || free[c] < free[best])) best = c;
        ASSERT_LT(best, free.size());
        want.emplace_back(static_cast<int64_t>(best), 16 - free[best]);
        free[best] -= size;
      }
      ASSERT_EQ(got, want) << "trial " << trial << " step " << step;
    }
  }
}

TEST(CorePacking, CoresNeededIsBestFitInUnitOrder) {
  const std::vector<int64_t> sizes = {9, 9, 7, 7, 4, 2, 2};  // 40 crossbars, cores of 10
  EXPECT_EQ(coresNeeded(sizes, 10), 5);                      // 9, 9, 7+2, 7+2, 4
  // In order, small units first spread out: 4+4, 4+4, 6, 6 needs 4 cores of 10 where sorting
  // (6+4, 6+4, 4+4) would need 3; the partitioners place units in order, so 4 it is.
  const std::vector<int64_t> smallFirst = {4, 4, 4, 4, 6, 6};
  EXPECT_EQ(coresNeeded(smallFirst, 10), 4);
  for (int64_t cores : {3, 4}) {
    IncrementalPacker packer(cores, 10);
    bool all = true;
    for (int64_t s : smallFirst) all = all && packer.add(s);
    EXPECT_EQ(all, coresNeeded(smallFirst, 10) <= cores) << cores << " cores";
  }
}

}  // namespace
}  // namespace xbar::mapping

namespace xbar::mapping {
namespace {

TEST(Mapping, CountsTheColumnsWhoseSumsTheAdcCannotHold) {
  // fc1 (64 -> 128) on compass-sram-m: 64 rows of 1-bit cells, 1-bit inputs: a column sums
  // 0..64, which needs 7 bits; 128 outputs x 4 columns = 512 columns.
  const LayerMapping fc1 = layerNamed(mapTiny("mlp_gemm", "compass-sram-m"), "fc1");
  EXPECT_EQ(fc1.adcBitsNeeded, 7);
  EXPECT_EQ(fc1.columns, 512);
  EXPECT_EQ(fc1.clippingColumns, 0) << "8-bit ADCs hold 7-bit sums";
  const Mapping six = mapTiny("mlp_gemm", "compass-sram-m", {"crossbar.adc_bits=6"});
  EXPECT_EQ(layerNamed(six, "fc1").clippingColumns, 512);
  EXPECT_NE(formatMappingTable(six).find("ADC: "), std::string::npos);
  // Same rows on 2-bit cells (3 levels): 0..192 needs 8 bits.
  const Mapping twoBit = mapTiny("mlp_gemm", "compass-sram-m", {"crossbar.cell_bits=2"});
  EXPECT_EQ(layerNamed(twoBit, "fc1").adcBitsNeeded, 8);
}

}  // namespace
}  // namespace xbar::mapping
