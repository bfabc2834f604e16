#include "xbar/arch/component_laws.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace xbar::arch {
namespace {

// Energy per conversion of a 1.2 GS/s SAR ADC in 32 nm at 4..10 bits, pJ: the ISAAC component
// table of Accelergy's examples (the table ISAAC's own 8-bit figure is taken from). The law
// uses only the ratios: a preset's energy at its own resolution stays what its source says.
constexpr int64_t kTableFirstBits = 4;
constexpr std::array<double, 7> kSarEnergyPj = {0.79, 0.99, 1.20, 1.42, 1.67, 1.97, 2.38};

// Outside 4..10 bits the table's mean growth per bit, (2.38 / 0.79)^(1/6) = 1.202, continues
// geometrically: an assumption (xbar's), marked as such in the schema's description.
double sarEnergy(int64_t bits) {
  const int64_t last = kTableFirstBits + static_cast<int64_t>(kSarEnergyPj.size()) - 1;
  const double perBit = std::pow(kSarEnergyPj.back() / kSarEnergyPj.front(),
                                 1.0 / static_cast<double>(kSarEnergyPj.size() - 1));
  if (bits < kTableFirstBits)
    return kSarEnergyPj.front() * std::pow(perBit, static_cast<double>(bits - kTableFirstBits));
  if (bits > last) return kSarEnergyPj.back() * std::pow(perBit, static_cast<double>(bits - last));
  return kSarEnergyPj[static_cast<size_t>(bits - kTableFirstBits)];
}

// Sources: docs/design.md §3's device ranges, which presets cite as [D].
constexpr std::array kDevices = {
    DeviceDefaults{Device::Sram, 1.0, 0.01, 1e16,
                   "SRAM rows are written like memory, one per 1 GHz cycle (Jia et al., ISSCC "
                   "2021); about 10 fJ per bit cell written [A]; endurance effectively unlimited"},
    DeviceDefaults{Device::Reram, 50.0, 1.0, 1e8,
                   "ReRAM: 10-50 ns per pulse, the slow end; 0.6-1.4 pJ per cell, the middle; "
                   "endurance 1e6-1e12, 1e8 as ISAAC-class designs assume"},
    DeviceDefaults{Device::Pcm, 150.0, 10.0, 1e9,
                   "PCM: 50-500 ns per write and 2-25 pJ per bit, values inside the ranges [A]; "
                   "endurance about 1e9"},
};

}  // namespace

double adcEnergyScale(int64_t bits, int64_t referenceBits) {
  return sarEnergy(bits) / sarEnergy(referenceBits);
}

// A SAR ADC resolves one bit per comparison cycle, so a conversion takes time in proportion to
// its bits (the PUMA simulator's constants: 12.5 ns per bit).
double adcLatencyScale(int64_t bits, int64_t referenceBits) {
  return static_cast<double>(bits) / static_cast<double>(referenceBits);
}

int64_t adcBitsNeeded(int64_t rows, int64_t cellBits, int64_t dacBits) {
  const auto levels = static_cast<uint64_t>(rows) * ((uint64_t{1} << cellBits) - 1) *
                      ((uint64_t{1} << dacBits) - 1);
  return static_cast<int64_t>(std::bit_width(levels));
}

int64_t adcBitsNeeded(int64_t rows, int64_t cellBits, int64_t weightBits, int64_t dacBits,
                      int64_t activationBits) {
  return adcBitsNeeded(rows, std::min(cellBits, weightBits), std::min(dacBits, activationBits));
}

const DeviceDefaults& deviceDefaults(Device device) {
  for (const DeviceDefaults& d : kDevices)
    if (d.device == device) return d;
  return kDevices[0];  // unreachable: every Device has a row
}

}  // namespace xbar::arch
