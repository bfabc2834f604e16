// Arch configs: every preset loads, validates and round-trips; extends and -p overrides.
#include <gtest/gtest.h>

#include <fstream>

#include "xbar/arch/arch_loader.h"
#include "xbar/arch/arch_schema.h"
#include "xbar/arch/dram_presets.h"

namespace xbar::arch {
namespace {

const std::string kArchDir = XBAR_ARCH_DIR;

TEST(ArchPresets, AllShippedPresetsArePresent) {
  const std::vector<std::string> expected = {"compass-sram-l", "compass-sram-m", "compass-sram-s",
                                             "edge-small",     "isaac-reram",    "pimcomp-reram",
                                             "puma-reram"};
  EXPECT_EQ(presetNames(kArchDir), expected);
}

class EveryPreset : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPreset, LoadsAndRoundTripsThroughSave) {
  const ArchConfig config = loadArch(resolveArchPath(GetParam(), kArchDir));
  EXPECT_EQ(config.name, GetParam());
  const std::string saved = saveArch(config);
  const ArchConfig reloaded = loadArchFromString(saved, "saved", kArchDir);
  EXPECT_EQ(reloaded, config) << saved;
  EXPECT_EQ(saveArch(reloaded), saved) << "saving is a fixed point";
}

INSTANTIATE_TEST_SUITE_P(Presets, EveryPreset, ::testing::ValuesIn(presetNames(XBAR_ARCH_DIR)),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

TEST(ArchPresets, CompassChipsMatchThePaper) {
  // COMPASS (DATE 2025): 256x256 1-bit SRAM crossbars of 8 KiB; S = 16 x 9 (1.125 MiB),
  // M = 16 x 16 (2 MiB), L = 36 x 16 (4.5 MiB) of cells; 4-bit weights.
  const struct {
    const char* name;
    int64_t cores, crossbars;
    double mib;
  } chips[] = {{"compass-sram-s", 16, 9, 1.125},
               {"compass-sram-m", 16, 16, 2.0},
               {"compass-sram-l", 36, 16, 4.5}};
  for (const auto& chip : chips) {
    const ArchConfig a = loadArch(resolveArchPath(chip.name, kArchDir));
    EXPECT_EQ(a.chip.cores, chip.cores) << chip.name;
    EXPECT_EQ(a.core.crossbars, chip.crossbars) << chip.name;
    EXPECT_EQ(a.crossbar.rows * a.crossbar.cols * a.crossbar.cell_bits / 8, 8192) << chip.name;
    // 1-bit cells and 4-bit weights with the offset scheme: cell bytes = weight bytes.
    EXPECT_DOUBLE_EQ(a.weightCapacityBytes() / (1024.0 * 1024.0), chip.mib) << chip.name;
    EXPECT_EQ(a.precision.weight_bits, 4);
    EXPECT_EQ(a.dram.preset, "LPDDR3-1600");
  }
}

TEST(ArchLoader, ExtendsInheritsAndOverrides) {
  const ArchConfig base = loadArch(resolveArchPath("compass-sram-m", kArchDir));
  const ArchConfig child = loadArchFromString(
      "extends: compass-sram-m\nname: wider\ncrossbar:\n  cols: 512\n", "child.yaml", kArchDir);
  EXPECT_EQ(child.name, "wider");
  EXPECT_EQ(child.crossbar.cols, 512);
  EXPECT_EQ(child.crossbar.rows, base.crossbar.rows);
  EXPECT_EQ(child.chip.cores, base.chip.cores);
}

TEST(ArchLoader, CommandLineOverridesApplyLast) {
  const ArchConfig a =
      loadArch(resolveArchPath("compass-sram-m", kArchDir),
               {parseOverride("crossbar.rows=128"), parseOverride("dram.preset=HBM2")});
  EXPECT_EQ(a.crossbar.rows, 128);
  // Switching the DRAM preset brings that preset's fields, unless set explicitly.
  EXPECT_EQ(a.dram.channels, findDramPreset("HBM2")->config.channels);
  EXPECT_EQ(a.dram.bus_width_bits, 128);
  EXPECT_DOUBLE_EQ(a.dram.energy_pj_per_bit, 3.9);
}

TEST(ArchLoader, ExplicitDramFieldBeatsThePreset) {
  const ArchConfig a =
      loadArch(resolveArchPath("compass-sram-m", kArchDir), {parseOverride("dram.channels=4")});
  EXPECT_EQ(a.dram.channels, 4);
  EXPECT_EQ(a.dram.tck_ns, 1.25) << "the rest from the preset, LPDDR3-1600";
  // Four channels stream four times what one does (rows interleave across channels).
  const ArchConfig one = loadArch(resolveArchPath("compass-sram-m", kArchDir));
  EXPECT_NEAR(a.dramBandwidthGbPerS(), 4 * one.dramBandwidthGbPerS(),
              0.01 * a.dramBandwidthGbPerS());
}

TEST(ArchLoader, NonidealitiesAreOptionalAndSavedOnlyWhenSet) {
  // An ideal chip's config has no numerics section, so presets, their saved copies and the
  // programs' arch fingerprints are what they were before the keys existed.
  const ArchConfig ideal = loadArch(resolveArchPath("compass-sram-m", kArchDir));
  EXPECT_TRUE(ideal.numerics.ideal());
  EXPECT_EQ(saveArch(ideal).find("numerics"), std::string::npos);
  const ArchConfig noisy = loadArch(
      resolveArchPath("compass-sram-m", kArchDir),
      {parseOverride("numerics.stuck_at_zero_rate=0.01"), parseOverride("numerics.seed=7")});
  EXPECT_FALSE(noisy.numerics.ideal());
  EXPECT_DOUBLE_EQ(noisy.numerics.stuck_at_zero_rate, 0.01);
  EXPECT_EQ(noisy.numerics.seed, 7);
  EXPECT_EQ(loadArchFromString(saveArch(noisy), "saved", kArchDir), noisy);
}

TEST(ArchLoader, DifferentialSignDoublesColumnsPerWeight) {
  const ArchConfig a = loadArch(resolveArchPath("edge-small", kArchDir));
  // 8-bit weights on 2-bit cells = 4 slices, x2 for differential.
  EXPECT_EQ(a.columnsPerWeight(), 8);
}

TEST(ArchSchema, EveryKeyHasADescriptionAndUnitsAppearInKeyNames) {
  for (const FieldSpec& f : archSchema()) {
    EXPECT_FALSE(f.doc.empty()) << f.path;
    // docs/design.md §3: every quantity carries its unit in its key.
    if (f.unit == "ns") {
      EXPECT_TRUE(f.path.ends_with("_ns")) << f.path;
    }
    if (f.unit == "mW") {
      EXPECT_TRUE(f.path.ends_with("_mw")) << f.path;
    }
    if (f.unit == "GB/s") {
      EXPECT_TRUE(f.path.ends_with("_gb_per_s")) << f.path;
    }
  }
  EXPECT_NE(schemaMarkdown().find("`crossbar.adc_bits`"), std::string::npos);
}

}  // namespace
}  // namespace xbar::arch

namespace xbar::arch {
namespace {

TEST(ArchSchema, DocumentedSchemaMatchesTheCode) {
  // arch-configs/README.md embeds `xbar arch schema`; regenerate it when a key changes.
  std::ifstream in(std::string(XBAR_ARCH_DIR) + "/README.md");
  const std::string readme{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(readme.find(schemaMarkdown()), std::string::npos)
      << "arch-configs/README.md is out of date; paste the output of `xbar arch schema`";
}

}  // namespace
}  // namespace xbar::arch

namespace xbar::arch {
namespace {

TEST(Interconnect, RouteEndsAreTheEndsOfTheXyRoute) {
  // The cost model prices transfers on a route's first and last links; they must be exactly
  // the links the simulator's XY route starts and ends with.
  ArchConfig a;
  a.chip.cores = 12;
  a.chip.interconnect.topology = Topology::Mesh;
  a.chip.interconnect.mesh_rows = 3;
  a.chip.interconnect.mesh_cols = 4;
  std::vector<int32_t> path;
  for (int32_t src = 0; src < 12; ++src)
    for (int32_t dst = 0; dst < 12; ++dst) {
      a.route(src, dst, path);
      const ArchConfig::RouteEnds ends = a.routeEnds(src, dst);
      ASSERT_EQ(static_cast<size_t>(ends.hops), path.size()) << src << " -> " << dst;
      if (path.empty()) continue;
      EXPECT_EQ(ends.first, path.front()) << src << " -> " << dst;
      EXPECT_EQ(ends.last, path.back()) << src << " -> " << dst;
      for (int32_t link : path) EXPECT_LT(link, a.linkCount());
    }
}

}  // namespace
}  // namespace xbar::arch
