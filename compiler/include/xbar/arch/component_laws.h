// Sourced laws and defaults that turn one arch key into the numbers other keys depend on:
// how an ADC's energy and latency scale with its resolution, and what a cell technology
// (crossbar.device) supplies when a config leaves its write numbers out. Sources in
// component_laws.cpp and docs/design.md §3.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

// Energy of one SAR conversion at `bits`, relative to one at `referenceBits`.
double adcEnergyScale(int64_t bits, int64_t referenceBits);
// Latency of one SAR conversion at `bits`, relative to one at `referenceBits`.
double adcLatencyScale(int64_t bits, int64_t referenceBits);

// The ADC resolution a column needs to convert its sum exactly: rows x (2^cell_bits - 1) x
// (2^dac_bits - 1) levels above zero, for `rows` rows driven.
int64_t adcBitsNeeded(int64_t rows, int64_t cellBits, int64_t dacBits);
// The same for codes of weightBits on those cells and inputs of activationBits on those DACs:
// a cell holds at most min(cellBits, weightBits) bits of a code (a binary weight's one bit), a
// DAC cycle min(dacBits, activationBits) of an input (a binary input's or a spike's one).
int64_t adcBitsNeeded(int64_t rows, int64_t cellBits, int64_t weightBits, int64_t dacBits,
                      int64_t activationBits);

// What crossbar.device supplies for the write keys a config leaves out.
struct DeviceDefaults {
  Device device;
  double row_write_latency_ns;
  double write_energy_pj_per_cell;
  double endurance_cycles;
  std::string_view source;
};
const DeviceDefaults& deviceDefaults(Device device);

}  // namespace xbar::arch
