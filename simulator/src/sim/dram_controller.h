// DRAM behind one controller: requests of all cores contend for its bandwidth through a
// next-free time; latency is added per request. A TLM-2.0 target (b_transport). It counts the
// bytes it moves and reports them as the "dram" statistics group. Private to the simulator.
#pragma once

#include <cstdint>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

#include "xbar/arch/arch_config.h"
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
  void report(StatsGroup& dram) const;

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  double bytesPerNs_;
  sc_core::sc_time latency_;
  sc_core::sc_time nextFree_ = sc_core::SC_ZERO_TIME;
  int64_t weightSegmentBytes_;
  double weightBytesRead_ = 0, activationBytesRead_ = 0, activationBytesWritten_ = 0;
};

}  // namespace xbar::sim
