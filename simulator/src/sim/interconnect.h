// The network between cores: a bus (one shared channel) or a 2-D mesh with XY routing (each
// link its own channel). A transfer holds each link on its path for its length. It counts the
// bytes and byte-hops it carries and each link's busy time, and reports them as the
// "interconnect" statistics group. Private to the simulator.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "xbar/arch/arch_config.h"
#include "xbar/sim/stats_tree.h"

namespace xbar::sim {

class Interconnect {
 public:
  explicit Interconnect(const arch::ArchConfig& arch);
  // When a transfer of `bytes` from `src` to `dst` that may start at `start` ends.
  sc_core::sc_time transfer(int32_t src, int32_t dst, int64_t bytes, sc_core::sc_time start);
  double byteHops() const { return byteHops_; }
  void report(StatsGroup& interconnect) const;

 private:
  const arch::ArchConfig& arch_;
  std::vector<sc_core::sc_time> linkFree_;
  std::vector<double> linkBusyNs_;  // time each link carried data
  std::vector<int32_t> path_;
  double bytes_ = 0;
  double byteHops_ = 0;
};

}  // namespace xbar::sim
