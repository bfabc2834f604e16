// Energy = activity counts x the arch's per-action table (Timeloop style): the analytic cost
// model and the simulator count actions, and this one function prices them, so a new
// technology is a new table, not new code.
#pragma once

#include <array>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

// What a run did, counted per action.
struct ActivityCounts {
  double adcConversions = 0;
  double dacDrives = 0;       // rows driven for one input cycle
  double crossbarCycles = 0;  // crossbar input cycles
  double cellsWritten = 0;
  double localMemoryBytes = 0;
  double interconnectByteHops = 0;
  double dramBytes = 0;
  double vectorOps = 0;
  double timeNs = 0;  // for static power
};

// Picojoules per component, as the simulator reports them (docs/design.md §5, §8).
struct EnergyBreakdown {
  double adc = 0;
  double dac = 0;
  double crossbarRead = 0;
  double crossbarWrite = 0;
  double localMemory = 0;
  double interconnect = 0;
  double dram = 0;
  double vector = 0;
  double staticEnergy = 0;

  double total() const {
    return adc + dac + crossbarRead + crossbarWrite + localMemory + interconnect + dram + vector +
           staticEnergy;
  }
  EnergyBreakdown& operator+=(const EnergyBreakdown& o);
};

EnergyBreakdown energyOf(const ActivityCounts& counts, const ArchConfig& arch);

// The components' names in statistics, plans and reports, in EnergyBreakdown's order.
inline constexpr std::array<const char*, 9> kEnergyComponentNames = {
    "adc",          "dac",  "crossbar_read", "crossbar_write", "local_memory",
    "interconnect", "dram", "vector",        "static"};

}  // namespace xbar::arch
