// Posted messages wait in the receiving core's local memory until a thread takes them: the
// bytes each core holds, now and at most. Reports the "local_memory" statistics group.
// Private to the simulator.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "xbar/sim/stats_tree.h"

namespace xbar::sim {

class Inboxes {
 public:
  explicit Inboxes(int32_t cores) : bytes_(static_cast<size_t>(cores), 0), peak_(bytes_) {}
  void post(int32_t core, int64_t bytes) {
    const auto c = static_cast<size_t>(core);
    bytes_[c] += static_cast<double>(bytes);
    peak_[c] = std::max(peak_[c], bytes_[c]);
  }
  void take(int32_t core, int64_t bytes) {
    bytes_[static_cast<size_t>(core)] -= static_cast<double>(bytes);
  }
  double peak(int32_t core) const { return peak_[static_cast<size_t>(core)]; }
  void report(StatsGroup& localMemory, double capacityBytes) const;

 private:
  std::vector<double> bytes_, peak_;
};

}  // namespace xbar::sim
