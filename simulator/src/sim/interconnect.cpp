#include "interconnect.h"

#include <algorithm>

namespace xbar::sim {

using sc_core::sc_time;

Interconnect::Interconnect(const arch::ArchConfig& arch)
    : arch_(arch),
      linkFree_(static_cast<size_t>(arch.linkCount()), sc_core::SC_ZERO_TIME),
      linkBusyNs_(static_cast<size_t>(arch.linkCount()), 0.0) {}

sc_time Interconnect::transfer(int32_t src, int32_t dst, int64_t count, sc_time start) {
  const auto& ic = arch_.chip.interconnect;
  arch_.route(src, dst, path_);
  const double busyNs = static_cast<double>(count) / ic.link_bandwidth_gb_per_s;
  const sc_time busy(busyNs, sc_core::SC_NS), hop(ic.hop_latency_ns, sc_core::SC_NS);
  // Cut-through: the message's head reaches each link a hop after the previous one, or when
  // the link frees up; it then holds the link for its length. A link waits only for its own
  // traffic, so links are never held idle for a busy link further on.
  sc_time head = start;
  for (size_t i = 0; i < path_.size(); ++i) {
    const auto link = static_cast<size_t>(path_[i]);
    head = std::max(i == 0 ? head : head + hop, linkFree_[link]);
    linkFree_[link] = head + busy;
    linkBusyNs_[link] += busyNs;
  }
  bytes_ += static_cast<double>(count);
  byteHops_ += static_cast<double>(count) * static_cast<double>(path_.size());
  return head + busy + hop;
}

void Interconnect::report(StatsGroup& ic) const {
  ic.set({"bytes", "B", "bytes SEND put on the network (weight copies, hand-outs, messages)"},
         bytes_);
  ic.set({"byte_hops", "B*hop", "bytes times the links each crossed"}, byteHops_);
  ic.set({"busiest_link_busy", "ns", "time the busiest link carried data"},
         *std::max_element(linkBusyNs_.begin(), linkBusyNs_.end()));
}

}  // namespace xbar::sim
