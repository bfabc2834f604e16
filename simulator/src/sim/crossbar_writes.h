// Programming crossbars: the write-power limit (so many crossbars written at once across the
// chip or in each core, each slot free from its time) and the writes each crossbar row takes, for
// endurance. It reports the "endurance" statistics group. Private to the simulator.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "xbar/arch/arch_config.h"
#include "xbar/sim/stats_tree.h"

namespace xbar::sim {

class CrossbarWrites {
 public:
  CrossbarWrites(const arch::ArchConfig& arch, int32_t cores);
  // Writes `rows` rows of crossbars [first, first + count) of `core`, from `start`: each
  // crossbar takes a write slot for rows x the row-write latency, once the slot and the
  // crossbar are free. When the last is written.
  sc_core::sc_time write(int32_t core, int32_t first, int32_t count, int64_t rows,
                         sc_core::sc_time start);
  // `cellsWritten` and the run's time come from the cores' counts.
  void report(StatsGroup& endurance, double cellsWritten, double totalNs) const;

 private:
  const arch::ArchConfig& arch_;
  std::vector<std::vector<sc_core::sc_time>> slots_;           // one pool, or one per core
  std::vector<std::vector<std::vector<uint32_t>>> rowWrites_;  // [core][crossbar][row]
  std::vector<std::vector<sc_core::sc_time>> crossbarFree_;    // [core][crossbar]: a crossbar
                                                               // takes one write at a time
};

}  // namespace xbar::sim
