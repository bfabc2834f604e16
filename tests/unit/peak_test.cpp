// `xbar arch peak` against the papers the presets come from (arch/peak.h). Figures: ISAAC,
// Shafiee et al., ISCA 2016, the corrected version of October 2016 (Table I powers, Table IV
// efficiency); PUMA, Ankit et al., ASPLOS 2019 (the MVMU's 2304 ns from the authors' simulator
// wiki, "PUMA Core": (16 + 2) x 128 cycles; 43.97 nJ per MVMU MVM). Within 10 %, with every
// assumption that differs named where the figure is checked.
#include <gtest/gtest.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/arch/peak.h"

namespace xbar::arch {
namespace {

ArchConfig preset(const std::string& name, const std::vector<Override>& overrides = {}) {
  return loadArch(resolveArchPath(name, XBAR_ARCH_DIR), overrides);
}

double mw(const PeakReport& p, Action a) {
  return p.powerMw[static_cast<size_t>(a)];
}

void expectWithin(double value, double published, double tolerance, const char* what) {
  EXPECT_NEAR(value / published, 1.0, tolerance) << what << ": " << value << " vs " << published;
}

TEST(Peak, IsaacMatchesTablesOneAndFour) {
  const ArchConfig a = preset("isaac-reram");
  const PeakReport p = peakOf(a);
  // 16,128 arrays x 128 rows x 16 weights every 16 cycles of 100 ns, 2 ops per MAC: 41.29 TOPS
  // (Table IV's PE x chip power: 627.5 GOPS/W x 65.8 W).
  expectWithin(p.opsPerS, 627.5e9 * 65.8, 0.10, "peak ops");
  // Table I, per IMA: ADCs 16 mW (8 at 1.2 GS/s; xbar converts 128 columns per 100 ns cycle,
  // 1.28 GS/s, so it runs 7 % above), DACs 4 mW, arrays 2.4 mW; 12 IMAs per tile, 168 tiles.
  const double imas = 168.0 * 12;
  expectWithin(mw(p, Action::AdcConversion), imas * 16, 0.10, "ADC power");
  expectWithin(mw(p, Action::DacDrive), imas * 4, 0.10, "DAC power");
  expectWithin(mw(p, Action::CrossbarReadCycle), imas * 2.4, 0.10, "array power");
  // Tile 330 mW, 168 tiles 55.4 W (xbar's tile adds assumed static power and counts links and
  // eDRAM at their peak use, not the paper's components one by one).
  expectWithin(p.corePowerMw, 330.0, 0.10, "tile power");
  expectWithin(p.chipPowerMw, 55.4e3, 0.10, "168-tile power");
  // Table IV, ISAAC-CE: 627.5 GOPS/W with HyperTransport (10.4 W, Table I), which xbar's chip
  // does not have (its off-chip memory is DRAM, charged per bit moved): added here.
  expectWithin(p.opsPerS / 1e9 / ((p.chipPowerMw + 10.4e3) / 1e3), 627.5, 0.10,
               "peak efficiency with HyperTransport");
}

TEST(Peak, PumaMvmuMatchesItsTimeAndEnergyWhenPipelinedAsPumaIs) {
  // PUMA pipelines its MVMU. The preset converts serially for now (its comment and the README
  // say why: the estimate is 17 % optimistic on one fidelity point when it does not), so the
  // paper's MVMU is the preset with pipelined conversion.
  const ArchConfig a = preset("puma-reram", {{"crossbar.conversion", "pipelined"}});
  const PeakReport p = peakOf(a);
  // An MVMU: 8 crossbars of 128 x 128 2-bit cells, 16-bit weights: 16,384 MACs per vector.
  EXPECT_EQ(a.crossbar.rows * (a.crossbar.cols / a.columnsPerWeight()) * 8, 16384);
  // 2304 ns: PUMA pipelines 16 input cycles of 128 one-ns conversions with 2 more stages;
  // xbar's pipelined crossbar takes 16 x 128 + one 100 ns read = 2148 ns.
  expectWithin(p.mvmNs, 2304.0, 0.10, "MVMU time");
  // 43.97 nJ: xbar's ADC, DAC, array and local-memory energy plus the core's static share.
  expectWithin(p.mvmEnergyPj(a, 8), 43.97e3, 0.10, "MVMU energy");
}

TEST(Peak, PumaEfficiencyDiffersForAReasonNamedHere) {
  // PUMA's abstract gives 837 GOPS/s/W. It is not reproduced, and this test keeps the reason
  // true: the paper's peak ops (52.31 TOPS for the node, Table 6) exceed what its own MVMU
  // figures give at 2 ops per MAC (2208 MVMUs x 16,384 MACs x 2 per 2304 ns = 31.4 TOPS), so
  // the paper counts ops another way; and xbar's links and static power are assumptions ([A]).
  // (Pipelined as PUMA is: the preset's serial conversion halves its peak again.)
  const ArchConfig a = preset("puma-reram", {{"crossbar.conversion", "pipelined"}});
  const PeakReport p = peakOf(a);
  const double mvmuOps = 2208.0 * 16384 * 2 / 2304e-9;
  EXPECT_LT(mvmuOps, 0.65 * 52.31e12);
  expectWithin(p.opsPerS, mvmuOps, 0.15, "xbar's peak ops follow the MVMU figures");
  EXPECT_LT(p.gopsPerW, 0.9 * 837.0) << "if this holds within 10 % now, say so in the README";
}

}  // namespace
}  // namespace xbar::arch
