#include "xbar/arch/peak.h"

#include <algorithm>

#include <fmt/format.h>

namespace xbar::arch {
namespace {

// The columns of a crossbar that hold whole weights.
int64_t weightColumns(const ArchConfig& a) {
  return a.crossbar.cols / a.columnsPerWeight() * a.columnsPerWeight();
}

}  // namespace

PeakReport peakOf(const ArchConfig& a) {
  const auto& xb = a.crossbar;
  PeakReport p;
  const int64_t cycles = a.inputCycles();
  const int64_t outputs = xb.cols / a.columnsPerWeight();
  const int64_t cols = weightColumns(a);
  // Steady state: vector after vector, a pipelined crossbar overlaps every conversion with the
  // next read (the last one with the next vector's first), so a cycle takes the longer.
  const double read = xb.read_latency_ns, convert = a.conversionNs(cols);
  const double compute =
      static_cast<double>(cycles) *
      (xb.conversion == Conversion::Pipelined ? std::max(read, convert) : read + convert);
  const auto crossbarsPerCore = static_cast<double>(a.core.crossbars);
  const double staging =
      a.mvmLocalBytes(crossbarsPerCore, xb.rows, cols) / a.core.local_memory.bandwidth_gb_per_s;
  p.vectorNs = std::max(compute, staging);
  const auto crossbars = static_cast<double>(a.totalCrossbars());
  const double vectorsPerNs = crossbars / p.vectorNs;  // chip-wide
  p.macsPerS = vectorsPerNs * 1e9 * static_cast<double>(xb.rows * outputs);
  p.opsPerS = 2.0 * p.macsPerS;

  // Actions per ns at peak; pJ per ns = mW.
  ActionCounts perNs;
  const double cyclesPerNs = vectorsPerNs * static_cast<double>(cycles);
  perNs[Action::AdcConversion] = cyclesPerNs * static_cast<double>(cols);
  perNs[Action::DacDrive] = cyclesPerNs * static_cast<double>(xb.rows);
  perNs[Action::CrossbarReadCycle] = cyclesPerNs;
  perNs[Action::LocalMemoryByte] = vectorsPerNs * a.mvmLocalBytes(1, xb.rows, cols);
  perNs[Action::VectorOp] = static_cast<double>(a.chip.cores) * a.vectorOpsPerNs();
  perNs[Action::InterconnectByteHop] =
      static_cast<double>(a.linkCount()) * a.chip.interconnect.link_bandwidth_gb_per_s;
  perNs[Action::StaticNs] = 1.0;
  const EnergyBreakdown e = energyOf(perNs, a);
  p.powerMw = e.pj;
  p.chipPowerMw = e.total();
  p.dramPowerMw = a.dramBandwidthGbPerS() * 8.0 * a.dram.energy_pj_per_bit;
  p.gopsPerW = p.opsPerS / 1e9 / (p.chipPowerMw / 1e3);
  p.corePowerMw = p.chipPowerMw / static_cast<double>(a.chip.cores);
  p.mvmNs = a.vectorTimeNs(cycles, cols);
  return p;
}

double PeakReport::mvmEnergyPj(const ArchConfig& a, int64_t crossbars) const {
  const auto& xb = a.crossbar;
  const int64_t cycles = a.inputCycles();
  const int64_t cols = weightColumns(a);
  const auto n = static_cast<double>(crossbars);
  ActionCounts counts;
  counts[Action::AdcConversion] = n * static_cast<double>(cycles * cols);
  counts[Action::DacDrive] = n * static_cast<double>(cycles * xb.rows);
  counts[Action::CrossbarReadCycle] = n * static_cast<double>(cycles);
  counts[Action::LocalMemoryByte] = a.mvmLocalBytes(n, xb.rows, cols);
  double pj = energyOf(counts, a).total();
  // The core's static power over the MVM, for the share of its crossbars this MVM uses.
  const double share = n / static_cast<double>(a.core.crossbars);
  pj += (a.core.static_power_mw * share + a.crossbar.static_power_mw * n) * mvmNs;
  return pj;
}

std::string formatPeak(const ArchConfig& a, const PeakReport& p) {
  std::string out = fmt::format(
      "{} at peak: every crossbar computing, every vector lane and link busy\n"
      "  one input vector through a crossbar: {:.1f} ns (steady state; {:.1f} ns from idle)\n"
      "  peak: {:.4g} MAC/s = {:.4g} GOPS (2 ops per MAC, {}-bit weights and inputs)\n",
      a.name, p.vectorNs, p.mvmNs, p.macsPerS, p.opsPerS / 1e9, a.precision.weight_bits);
  out += "  power by component:\n";
  for (const ActionInfo& info : kActions) {
    const double mw = p.powerMw[static_cast<size_t>(info.action)];
    if (info.action == Action::DramBit) continue;
    out += fmt::format("    {:<14} {:>12.4g} mW  ({:.1f} %)\n", info.energy, mw,
                       100.0 * mw / p.chipPowerMw);
  }
  out += fmt::format("    {:<14} {:>12.4g} mW  ({:.4g} mW per core)\n", "chip", p.chipPowerMw,
                     p.corePowerMw);
  out += fmt::format("  DRAM streaming at {:.4g} GB/s: {:.4g} mW more (not in the chip's power)\n",
                     a.dramBandwidthGbPerS(), p.dramPowerMw);
  out += fmt::format("  peak efficiency: {:.4g} GOPS/W\n", p.gopsPerW);
  return out;
}

}  // namespace xbar::arch
