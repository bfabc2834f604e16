// DRAM behind one controller: each request of a core is timed by the bank model
// (arch/dram_banks.h: banks, rows, refresh, the channels' buses), in the order the cores'
// threads issue them. A TLM-2.0 target (b_transport): one call per request, no event per
// burst. It counts the bytes it moves and the banks' activity, and reports them as the "dram"
// statistics group. Private to the simulator.
//
// Demand before prefetch: activations (LD, ST), which a core waits on, go before weight loads
// (LD_W), which early replacement issues for the next partition while the current one runs.
// A demand request is timed on the banks as only demand requests left them (it overtakes
// queued weight bursts); a weight load on the banks as every request left them. An assumption
// ([A]: a priority scheduler; the analytic model prices a partition's activations without the
// next partition's weights in their way). First come, first served, a tiled layer's many small
// loads waited behind milliseconds of the next partition's weights.
#pragma once

#include <cstdint>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

#include "xbar/arch/arch_config.h"
#include "xbar/arch/dram_banks.h"
#include "xbar/sim/stats_tree.h"

namespace xbar::sim {

class DramController : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<DramController> socket;  // every core binds to it
  DramController(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                 int64_t weightSegmentBytes);

  // Bytes read and written, weights and activations.
  double bytesMoved() const {
    return weightBytesRead_ + activationBytesRead_ + activationBytesWritten_;
  }
  // The banks' state at the end of the run (refreshes owed up to `endNs` counted).
  void report(StatsGroup& dram, double endNs);

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  arch::DramBanks banks_;   // every request: weight loads are timed here, statistics come from here
  arch::DramBanks demand_;  // activation requests only: they are timed here
  int64_t weightSegmentBytes_;
  double weightBytesRead_ = 0, activationBytesRead_ = 0, activationBytesWritten_ = 0;
};

}  // namespace xbar::sim
