#include "xbar/arch/dram_presets.h"

#include <array>

namespace xbar::arch {
namespace {

DramConfig part(int64_t channels, int64_t ranks, int64_t bankGroups, int64_t banksPerGroup,
                int64_t columns, int64_t busWidthBits, int64_t burstLength, double tckNs,
                std::array<int64_t, 12> t, double pjPerBit) {
  DramConfig d;
  d.channels = channels;
  d.ranks = ranks;
  d.bank_groups = bankGroups;
  d.banks_per_group = banksPerGroup;
  d.columns = columns;
  d.bus_width_bits = busWidthBits;
  d.burst_length = burstLength;
  d.tck_ns = tckNs;
  d.cl_cycles = t[0];
  d.cwl_cycles = t[1];
  d.trcd_cycles = t[2];
  d.trp_cycles = t[3];
  d.tras_cycles = t[4];
  d.tccd_s_cycles = t[5];
  d.tccd_l_cycles = t[6];
  d.trrd_s_cycles = t[7];
  d.trrd_l_cycles = t[8];
  d.tfaw_cycles = t[9];
  d.trefi_cycles = t[10];
  d.trfc_cycles = t[11];
  d.energy_pj_per_bit = pjPerBit;
  return d;
}

// Timings in the order CL, CWL, tRCD, tRP, tRAS, tCCD_S, tCCD_L, tRRD_S, tRRD_L, tFAW, tREFI,
// tRFC, in cycles of tCK. [D3] = DRAMsim3 (github.com/umd-memsys/DRAMsim3 @ 29817593), configs/;
// [R1] = Ramulator (github.com/CMU-SAFARI/ramulator @ 214f6358), src/; rates from JEDEC.
const std::array<DramPreset, 4>& presets() {
  static const std::array kPresets = {
      DramPreset{
          "DDR4-2400",
          part(1, 2, 4, 4, 1024, 64, 8, 1.0 / 1.2, {17, 12, 17, 17, 39, 4, 6, 4, 6, 26, 9360, 420},
               20.0),
          "[D3] DDR4_8Gb_x8_2400.ini: 8 x8 devices on a 64-bit channel, 2 ranks, 4 bank groups of "
          "4 "
          "banks, 1024 columns, BL8, 17-17-17 (CL, tRCD, tRP), tRAS 39, tCCD 4/6, tRRD 4/6, tFAW "
          "26, tREFI 9360, tRFC 420 (8Gb), CWL 12; tCK 1/1.2 GHz for 2400 MT/s (the file rounds it "
          "to 0.83 ns): 19.2 GB/s peak; 20 pJ/bit moved, tens of pJ/bit for DDR3/DDR4 "
          "(docs/design.md §3)"},
      DramPreset{
          "LPDDR3-1600",
          part(1, 1, 1, 8, 1024, 32, 8, 1.25, {12, 9, 15, 15, 34, 4, 4, 8, 8, 40, 3120, 168}, 40.0),
          "[D3] LPDDR3_8Gb_x32_1600.ini timings: 8 banks, 1024 columns, BL8, CL 12, CWL 9, tRCD "
          "15, "
          "tRP 15, tRAS 34, tCCD 4, tRRD 8, tFAW 40, tRFC 168, and tREFI 3120 cycles = 3.9 us "
          "(the file misspells it REFI; [R1] LPDDR3.cpp has 3120); one x32 device: a 32-bit "
          "channel at 1600 MT/s = 6.4 GB/s (JESD209-3; the D3 file pairs two on 64 bits); about "
          "40 pJ/bit, the figure for LPDDR2-class mobile DRAM in Malladi et al., ISCA 2012"},
      DramPreset{
          "LPDDR4-3200",
          part(1, 1, 1, 8, 1024, 16, 16, 0.625, {32, 18, 29, 27, 68, 8, 8, 16, 16, 64, 6247, 288},
               8.0),
          "[R1] LPDDR4.h speed LPDDR4_3200 (tCK 0.625 ns): CL 32, CWL 18, tRCD 29, tRP 27 (per "
          "bank), tRAS 68, tCCD 8, tRRD 16, tFAW 64; LPDDR4.cpp for 8Gb x16: tREFI 6247, tRFC 288; "
          "8 banks, 1024 columns, BL16; one x16 channel at 3200 MT/s = 6.4 GB/s (JESD209-4); "
          "about 8 pJ/bit (docs/design.md §3). DRAMsim3 has no LPDDR4-3200 part"},
      DramPreset{
          "HBM2",
          part(8, 1, 4, 4, 128, 128, 4, 1.0, {14, 4, 14, 14, 34, 1, 2, 4, 6, 30, 3900, 260}, 3.9),
          "[D3] HBM2_8Gb_x128.ini: 8 channels of 128 bits, 4 bank groups of 4 banks, 128 columns "
          "(DRAMsim3 doubles the file's 64 for HBM), BL4, tCK 1 ns (2 Gb/s per pin): one stack, "
          "256 GB/s; CL 14, CWL 4, tRCD 14 (tRCDRD), tRP 14, tRAS 34, tCCD 1/2, tRRD 4/6, tFAW 30, "
          "tREFI 3900, tRFC 260; 3.9 pJ/bit (O'Connor et al., MICRO 2017)"},
  };
  return kPresets;
}

}  // namespace

std::span<const DramPreset> dramPresets() {
  return presets();
}

std::optional<DramPreset> findDramPreset(std::string_view name) {
  for (const DramPreset& p : presets())
    if (p.name == name) return p;
  return std::nullopt;
}

}  // namespace xbar::arch
