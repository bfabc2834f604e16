// DRAM as banks and rows (docs/design.md §3): channels of ranks of bank groups of banks, each
// bank with one open row (open-page policy). A request is a run of bursts at consecutive
// addresses; each burst is decoded to its channel, rank, bank group, bank and row, and timed
// from the JEDEC constraints: a row hit needs only its column command; a closed bank first
// activates (tRCD); an open other row first precharges (tRP, not before tRAS after its
// activate); activates keep tRRD apart and four to a tFAW window per rank; column commands
// keep tCCD_S apart on a channel and tCCD_L within a rank's bank group; each burst holds its
// channel's data bus for BL/2 cycles, CL (reads) or CWL (writes) after its command. Every rank
// refreshes every tREFI for tRFC, closing its rows. Scheduling is FR-FCFS on the data bus: a burst
// whose bank is ready takes the earliest bus slot free of older requests' bursts, so a newer
// request's row hits fill the gaps an older one leaves while it activates; older requests are never
// delayed by newer ones. Bank state (open rows, activates) changes in request order. A channel's
// controller sees kQueueBursts bursts ahead: a burst enters its queue when the burst that many
// places before it on the channel has issued (DRAMsim3's trans_queue_size = 32, as in its
// DDR4_8Gb_x8_2400 config), so a long request does not activate banks far ahead of its data.
// Nothing is an event: one call times a whole request.
//
// Address mapping, from the least significant bits: bank group (burst-interleaved, so a stream
// alternates bank groups and tCCD_S applies), column, channel, bank, rank, row.
#pragma once

#include <cstdint>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/arch/busy_timeline.h"

namespace xbar::arch {

class DramBanks {
 public:
  explicit DramBanks(const DramConfig& config);

  // Times a request arriving at `arriveNs`: returns when its last burst's data is through.
  // Requests are given in arrival order; one arriving more than kHistoryNs before the latest
  // is taken as arriving then (the bus history before it is forgotten).
  double access(double arriveNs, uint64_t address, int64_t bytes, bool write);
  // Refreshes the ranks owed up to `endNs` (for the count; they cost no request time).
  void finish(double endNs);

  int64_t burstBytes() const { return burstBytes_; }
  struct Counts {
    int64_t requests = 0, readBursts = 0, writeBursts = 0;
    int64_t rowHits = 0, rowMisses = 0, rowConflicts = 0;  // miss: bank closed; conflict: other row
    int64_t activates = 0, refreshes = 0;
  };
  const Counts& counts() const { return counts_; }

 private:
  struct Bank {
    int64_t openRow = -1;
    double columnReady = 0;     // earliest next column command
    double prechargeReady = 0;  // earliest precharge: tRAS after the activate, its data out
  };
  struct Rank {
    double nextRefresh = 0;
    double refreshEnd = 0;
    double lastActivate = -1e300;
    int64_t lastActivateGroup = -1;
    double activates[4] = {-1e300, -1e300, -1e300, -1e300};  // the last four, for tFAW
    int oldest = 0;
  };
  static constexpr double kHistoryNs = 1000;
  static constexpr int kQueueBursts = 32;
  struct Queue {
    double issued[kQueueBursts] = {};  // column commands of the last kQueueBursts, in call order
    int oldest = 0;
    double lastEntry = 0;  // entries are in call order
  };
  void refreshUpTo(size_t rank, double t);
  double activate(size_t rank, int64_t group, double ready);
  // Times one burst of a request that arrived at `arriveNs`: returns when its data is through.
  double serveBurst(int64_t burst, double arriveNs, bool write);
  void forgetBefore(double t);

  DramConfig c_;
  int64_t burstBytes_, burstsPerRow_;
  double burstNs_;
  std::vector<Bank> banks_;            // [channel][rank][bank][group]
  std::vector<Rank> ranks_;            // [channel][rank]
  std::vector<Queue> queues_;          // [channel]
  std::vector<double> progress_;       // [channel]: the current request's last data there
  std::vector<BusyTimeline> buses_;    // [channel]: data transfers, each at least tCCD_S long
  std::vector<BusyTimeline> columns_;  // [channel][rank][group]: column commands, tCCD_L apart
  double latestArrival_ = 0, forgotten_ = 0;
  Counts counts_;
};

// A long sequential read on an idle DRAM (refresh included), and the latency to the first data
// of a request to a closed bank (activate, read): what the loader stores as
// dram.stream_gb_per_s and dram.access_latency_ns.
struct DramStream {
  double gbPerS = 0;
  double latencyNs = 0;
};
DramStream measureDramStream(const DramConfig& config);

}  // namespace xbar::arch
