#include "dram_controller.h"

#include <algorithm>

namespace xbar::sim {

using sc_core::sc_time;

DramController::DramController(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                               int64_t weightSegmentBytes)
    : sc_module(name),
      socket("socket"),
      bytesPerNs_(arch.dramBandwidthGbPerS()),
      latency_(sc_time(arch.dram.latency_ns, sc_core::SC_NS)),
      weightSegmentBytes_(weightSegmentBytes) {
  socket.register_b_transport(this, &DramController::b_transport);
}

void DramController::b_transport(int /*initiator*/, tlm::tlm_generic_payload& trans,
                                 sc_time& delay) {
  const double bytes = static_cast<double>(trans.get_data_length());
  const sc_time requested = sc_core::sc_time_stamp() + delay;
  const sc_time start = std::max(requested, nextFree_);
  const sc_time busy = sc_time(bytes / bytesPerNs_, sc_core::SC_NS);
  nextFree_ = start + busy;
  delay += (start - requested) + busy + latency_;
  if (trans.is_write())
    activationBytesWritten_ += bytes;
  else if (static_cast<int64_t>(trans.get_address()) < weightSegmentBytes_)
    weightBytesRead_ += bytes;
  else
    activationBytesRead_ += bytes;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void DramController::report(StatsGroup& dram) const {
  dram.set({"weight_bytes_read", "B", "bytes LD_W read from the weight segment"}, weightBytesRead_);
  dram.set({"activation_bytes_read", "B", "bytes LD read from the activation segment"},
           activationBytesRead_);
  dram.set({"activation_bytes_written", "B", "bytes ST wrote"}, activationBytesWritten_);
}

}  // namespace xbar::sim
