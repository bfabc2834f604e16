#include "dram_controller.h"

namespace xbar::sim {

using sc_core::sc_time;

DramController::DramController(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                               int64_t weightSegmentBytes)
    : sc_module(name),
      socket("socket"),
      banks_(arch.dram),
      demand_(arch.dram),
      weightSegmentBytes_(weightSegmentBytes) {
  socket.register_b_transport(this, &DramController::b_transport);
}

void DramController::b_transport(int /*initiator*/, tlm::tlm_generic_payload& trans,
                                 sc_time& delay) {
  const auto bytes = static_cast<int64_t>(trans.get_data_length());
  const double requested = (sc_core::sc_time_stamp() + delay).to_seconds() * 1e9;
  const bool weights =
      !trans.is_write() && static_cast<int64_t>(trans.get_address()) < weightSegmentBytes_;
  double done = banks_.access(requested, trans.get_address(), bytes, trans.is_write());
  if (!weights) done = demand_.access(requested, trans.get_address(), bytes, trans.is_write());
  delay += sc_time(done - requested, sc_core::SC_NS);
  const auto moved = static_cast<double>(bytes);
  if (trans.is_write())
    activationBytesWritten_ += moved;
  else if (static_cast<int64_t>(trans.get_address()) < weightSegmentBytes_)
    weightBytesRead_ += moved;
  else
    activationBytesRead_ += moved;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void DramController::report(StatsGroup& dram, double endNs) {
  dram.set({"weight_bytes_read", "B", "bytes LD_W read from the weight segment"}, weightBytesRead_);
  dram.set({"activation_bytes_read", "B", "bytes LD read from the activation segment"},
           activationBytesRead_);
  dram.set({"activation_bytes_written", "B", "bytes ST wrote"}, activationBytesWritten_);
  banks_.finish(endNs);
  const arch::DramBanks::Counts& n = banks_.counts();
  const auto set = [&](const char* name, const char* unit, const char* what, int64_t v) {
    dram.set({name, unit, what}, static_cast<double>(v));
  };
  set("requests", "count", "LD_W, LD and ST requests", n.requests);
  set("read_bursts", "count", "bursts read (dram.bus_width_bits x dram.burst_length each)",
      n.readBursts);
  set("write_bursts", "count", "bursts written", n.writeBursts);
  set("row_hits", "count", "bursts to a bank's open row", n.rowHits);
  set("row_misses", "count", "bursts that activated a closed bank", n.rowMisses);
  set("row_conflicts", "count", "bursts that closed a bank's other row first", n.rowConflicts);
  set("activates", "count", "rows opened", n.activates);
  set("refreshes", "count", "rank refreshes over the run", n.refreshes);
}

}  // namespace xbar::sim
