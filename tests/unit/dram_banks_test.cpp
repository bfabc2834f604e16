// The DRAM bank model (arch/dram_banks.h) against hand calculations from its timings: a row miss,
// a row hit, a bank conflict, refresh, the bank-group and activate-window limits, FR-FCFS and
// its queue depth, and a long stream reaching the bandwidth the timings imply.
#include <gtest/gtest.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/arch/dram_banks.h"
#include "xbar/arch/dram_presets.h"

namespace xbar::arch {
namespace {

// A small part with round numbers: tCK 1 ns; 64-bit bus, BL8 (64-byte bursts taking 4 ns);
// rows of 16 columns = 2 bursts; 2 banks, one bank group, one rank, one channel.
// Address 0 and 64: bank 0 row 0; 128 and 192: bank 1 row 0; 256: bank 0 row 1.
DramConfig smallPart() {
  DramConfig d;
  d.channels = 1;
  d.ranks = 1;
  d.bank_groups = 1;
  d.banks_per_group = 2;
  d.columns = 16;
  d.bus_width_bits = 64;
  d.burst_length = 8;
  d.tck_ns = 1.0;
  d.cl_cycles = 10;
  d.cwl_cycles = 8;
  d.trcd_cycles = 10;
  d.trp_cycles = 10;
  d.tras_cycles = 25;
  d.tccd_s_cycles = 4;
  d.tccd_l_cycles = 4;
  d.trrd_s_cycles = 5;
  d.trrd_l_cycles = 5;
  d.tfaw_cycles = 40;
  d.trefi_cycles = 1000;
  d.trfc_cycles = 100;
  return d;
}

TEST(DramBanks, RowMissHitAndConflict) {
  DramBanks banks(smallPart());
  // Miss: activate at 0, read at tRCD 10, data from 10 + CL 10 = 20 for 4 ns.
  EXPECT_DOUBLE_EQ(banks.access(0, 0, 64, false), 24.0);
  // Hit on the open row at 100: read at 100, data 110..114.
  EXPECT_DOUBLE_EQ(banks.access(100, 64, 64, false), 114.0);
  // Conflict at 200 (bank 0, row 1): precharge at 200 (tRAS and the last data are past),
  // activate at 200 + tRP = 210, read at 220, data 230..234.
  EXPECT_DOUBLE_EQ(banks.access(200, 256, 64, false), 234.0);
  // A write miss on bank 1 at 300: activate 300, write at 310, data CWL 8 later, 318..322.
  EXPECT_DOUBLE_EQ(banks.access(300, 128, 64, true), 322.0);
  const DramBanks::Counts& n = banks.counts();
  EXPECT_EQ(n.rowMisses, 2);
  EXPECT_EQ(n.rowHits, 1);
  EXPECT_EQ(n.rowConflicts, 1);
  EXPECT_EQ(n.activates, 3);
  EXPECT_EQ(n.readBursts, 3);
  EXPECT_EQ(n.writeBursts, 1);
}

TEST(DramBanks, AConflictWaitsForTrasAfterItsActivate) {
  DramBanks banks(smallPart());
  banks.access(0, 0, 64, false);  // activate at 0: no precharge before tRAS = 25
  // Row 1 of bank 0 at 5: precharge at 25, activate 35, read 45, data 55..59.
  EXPECT_DOUBLE_EQ(banks.access(5, 256, 64, false), 59.0);
}

TEST(DramBanks, BackToBackBurstsKeepTccdAndTheBus) {
  DramBanks banks(smallPart());
  // Two bursts of one row: reads at 10 and 14 (tCCD 4 = the burst), data 20..28.
  EXPECT_DOUBLE_EQ(banks.access(0, 0, 128, false), 28.0);
  // A second bank's row in the same request stream: activate at tRRD 5 after the first,
  // read at 15 -> but the bus is busy until 28 and the last read was at 14: read at 18,
  // data 28..32.
  EXPECT_DOUBLE_EQ(banks.access(0, 128, 64, false), 32.0);
}

TEST(DramBanks, RefreshClosesRowsAndBlocksTheRank) {
  DramBanks banks(smallPart());
  banks.access(0, 0, 64, false);
  // tREFI 1000: the rank refreshes at 1000 for tRFC 100, closing row 0 of bank 0. A read of
  // it at 1000 activates at 1100: data 1120..1124.
  EXPECT_DOUBLE_EQ(banks.access(1000, 0, 64, false), 1124.0);
  EXPECT_EQ(banks.counts().refreshes, 1);
  EXPECT_EQ(banks.counts().rowMisses, 2);
  // Three more intervals pass idle: the refreshes are counted, and cost the next request
  // nothing once they are over.
  banks.finish(4050);
  EXPECT_EQ(banks.counts().refreshes, 4);
  EXPECT_DOUBLE_EQ(banks.access(4500, 0, 64, false), 4524.0);
}

TEST(DramBanks, FourActivatesPerFawWindow) {
  DramConfig d = smallPart();
  d.banks_per_group = 8;
  d.tfaw_cycles = 50;
  DramBanks banks(d);
  // Eight banks' first bursts (every 128 bytes a new bank) at once: activates at 0, 5, 10,
  // 15 (tRRD), the fifth waits for the window: 0 + 50.
  for (int b = 0; b < 4; ++b) banks.access(0, static_cast<uint64_t>(b) * 128, 64, false);
  // Fifth activate at 50, read at 60, data 70..74 (the bus is long free).
  EXPECT_DOUBLE_EQ(banks.access(0, 4 * 128, 64, false), 74.0);
}

// FR-FCFS: a newer request whose bank is ready is served in the bus time an older request
// leaves while it activates, and the older request is not delayed by it.
TEST(DramBanks, ARowHitFillsTheGapOfAnOlderRowMiss) {
  DramBanks banks(smallPart());
  EXPECT_DOUBLE_EQ(banks.access(0, 0, 64, false), 24.0);  // opens bank 0 row 0
  // Older, at 100: bank 1 is closed: activate 100, read 110, data 120..124.
  EXPECT_DOUBLE_EQ(banks.access(100, 128, 64, false), 124.0);
  // Newer, at 100: a hit on bank 0's open row reads at 100, data 110..114. First come,
  // first served it would read after the older one (114 + ... data 124..128).
  EXPECT_DOUBLE_EQ(banks.access(100, 64, 64, false), 114.0);
  // A third, at 100, another hit on bank 0: tCCD after the hit (104), data 114..118.
  EXPECT_DOUBLE_EQ(banks.access(100, 0, 64, false), 118.0);
  EXPECT_EQ(banks.counts().rowHits, 2);
}

// The controller sees 32 bursts ahead (DRAMsim3's trans_queue_size): hits queued behind a long
// conflict fill its gap only while they are within 32 bursts of it.
TEST(DramBanks, TheQueueHoldsThirtyTwoBursts) {
  DramConfig d = smallPart();
  d.trp_cycles = 200;
  DramBanks banks(d);
  banks.access(0, 0, 64, false);                            // bank 0 row 0: read at 10
  EXPECT_DOUBLE_EQ(banks.access(0, 128, 64, false), 29.0);  // bank 1 row 0: activate 5, read 15
  // Bank 0 row 1 at 100: precharge 100, activate 300, read 310, data 320..324.
  EXPECT_DOUBLE_EQ(banks.access(100, 256, 64, false), 324.0);
  // Hits on bank 1 at 100: the first 31 read at 100, 104, ..., 220 (data to 234).
  double end = 0;
  for (int i = 0; i < 31; ++i) end = banks.access(100, 128, 64, false);
  EXPECT_DOUBLE_EQ(end, 234.0);
  // The 32nd enters the queue when the conflict's read issues (310): tCCD after it, 314,
  // data 324..328, though the bus is free from 234 to 320.
  EXPECT_DOUBLE_EQ(banks.access(100, 128, 64, false), 328.0);
}

// A long sequential read on each preset: bursts alternate bank groups, so the bus is busy
// back to back (tCCD_S <= the burst); what it loses is refresh. With one rank in use at a time,
// each tREFI costs tRFC plus reopening the row (tRCD + CL before data flows again).
TEST(DramBanks, AStreamReachesThePeakLessRefresh) {
  for (const DramPreset& p : dramPresets()) {
    const DramConfig& d = p.config;
    const double peak = static_cast<double>(d.channels * d.bus_width_bits) / 8.0 * 2.0 / d.tck_ns;
    const DramStream s = measureDramStream(d);
    const double refreshLoss = static_cast<double>(d.trfc_cycles + d.trcd_cycles + d.cl_cycles) /
                               static_cast<double>(d.trefi_cycles);
    EXPECT_NEAR(s.gbPerS / peak, 1.0 - refreshLoss, 0.01)
        << p.name << ": " << s.gbPerS << " of " << peak << " GB/s";
    EXPECT_DOUBLE_EQ(s.latencyNs, static_cast<double>(d.trcd_cycles + d.cl_cycles) * d.tck_ns)
        << p.name;
  }
}

}  // namespace
}  // namespace xbar::arch
