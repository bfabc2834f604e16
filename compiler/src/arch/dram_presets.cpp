#include "xbar/arch/dram_presets.h"

#include <array>

namespace xbar::arch {
namespace {

// Bandwidth is the peak of one channel: transfer rate × bus width. Latency is a typical
// closed-page random access (tRCD + CL + burst). Energies are per bit moved, I/O included.
constexpr std::array kPresets = {
    DramPreset{"LPDDR3-1600", 1, 6.4, 60.0, 40.0,
               "1600 MT/s x 32-bit channel = 6.4 GB/s (JEDEC JESD209-3); about 40 pJ/bit, the "
               "figure for LPDDR2-class mobile DRAM in Malladi et al., ISCA 2012"},
    DramPreset{"LPDDR4-3200", 1, 6.4, 55.0, 8.0,
               "3200 MT/s x 16-bit channel = 6.4 GB/s (JEDEC JESD209-4); about 8 pJ/bit "
               "(docs/design.md §3)"},
    DramPreset{"DDR4-2400", 1, 19.2, 45.0, 20.0,
               "2400 MT/s x 64-bit channel = 19.2 GB/s (JEDEC JESD79-4); tens of pJ/bit for "
               "DDR3/DDR4 (docs/design.md §3), 20 taken"},
    DramPreset{"HBM2", 1, 256.0, 50.0, 3.9,
               "one stack: 1024 bits x 2 GT/s = 256 GB/s; 3.9 pJ/bit (O'Connor et al., MICRO "
               "2017)"},
};

}  // namespace

std::span<const DramPreset> dramPresets() {
  return kPresets;
}

std::optional<DramPreset> findDramPreset(std::string_view name) {
  for (const DramPreset& p : kPresets)
    if (p.name == name) return p;
  return std::nullopt;
}

}  // namespace xbar::arch
