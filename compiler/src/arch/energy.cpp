#include "xbar/arch/energy.h"

namespace xbar::arch {

EnergyBreakdown& EnergyBreakdown::operator+=(const EnergyBreakdown& o) {
  adc += o.adc;
  dac += o.dac;
  crossbarRead += o.crossbarRead;
  crossbarWrite += o.crossbarWrite;
  localMemory += o.localMemory;
  interconnect += o.interconnect;
  dram += o.dram;
  vector += o.vector;
  staticEnergy += o.staticEnergy;
  return *this;
}

EnergyBreakdown energyOf(const ActivityCounts& n, const ArchConfig& arch) {
  EnergyBreakdown e;
  e.adc = n.adcConversions * arch.crossbar.adc_energy_pj;
  e.dac = n.dacDrives * arch.crossbar.dac_energy_pj;
  e.crossbarRead = n.crossbarCycles * arch.crossbar.read_energy_pj;
  e.crossbarWrite = n.cellsWritten * arch.crossbar.write_energy_pj_per_cell;
  e.localMemory = n.localMemoryBytes * arch.core.local_memory.energy_pj_per_byte;
  e.interconnect = n.interconnectByteHops * arch.chip.interconnect.energy_pj_per_byte_hop;
  e.dram = n.dramBytes * 8.0 * arch.dram.energy_pj_per_bit;
  e.vector = n.vectorOps * arch.core.vector.energy_pj_per_op;
  e.staticEnergy = arch.staticPowerMw() * n.timeNs;  // mW x ns = pJ
  return e;
}

}  // namespace xbar::arch
