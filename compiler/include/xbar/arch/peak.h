// A chip at peak (`xbar arch peak`): every crossbar runs full-size MVMs back to back, every
// vector lane and link is busy, and each action of the table (actions.h) draws its energy at
// that rate. The figures the source papers give (ISAAC Table I and IV, PUMA's abstract) are
// peak figures of this kind, so this is where a preset is calibrated against its paper.
#pragma once

#include <array>
#include <string>

#include "xbar/arch/actions.h"
#include "xbar/arch/arch_config.h"

namespace xbar::arch {

struct PeakReport {
  double vectorNs = 0;  // one input vector through a crossbar, steady state
  double macsPerS = 0;  // the chip's multiply-accumulates per second
  double opsPerS = 0;   // two per MAC (a multiply and an add), as ISAAC and PUMA count
  std::array<double, kActionCount> powerMw{};  // per action at peak; StaticNs: static power
  double chipPowerMw = 0;                      // the actions' sum, DRAM excluded (dramPowerMw)
  double dramPowerMw = 0;                      // DRAM streaming at its bandwidth, for reference
  double gopsPerW = 0;                         // opsPerS / chipPowerMw
  double corePowerMw = 0;                      // chipPowerMw / cores
  // One MVM of `crossbars` crossbars (a PUMA MVMU: 8) on one vector, from idle: its time and
  // its energy, the core's static energy over that time included in proportion.
  double mvmNs = 0;
  double mvmEnergyPj(const ArchConfig& arch, int64_t crossbars) const;
};

PeakReport peakOf(const ArchConfig& arch);

// The report as text: peak throughput, power by component, efficiency.
std::string formatPeak(const ArchConfig& arch, const PeakReport& peak);

}  // namespace xbar::arch
