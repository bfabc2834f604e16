#include "crossbar_writes.h"

#include <algorithm>

namespace xbar::sim {

using sc_core::sc_time;

CrossbarWrites::CrossbarWrites(const arch::ArchConfig& arch, int32_t cores)
    : arch_(arch),
      slots_(
          static_cast<size_t>(arch.chip.crossbar_write_scope == arch::WriteScope::Core ? cores : 1),
          std::vector<sc_time>(static_cast<size_t>(arch.chip.max_parallel_crossbar_writes),
                               sc_core::SC_ZERO_TIME)),
      rowWrites_(static_cast<size_t>(cores),
                 std::vector<std::vector<uint32_t>>(static_cast<size_t>(arch.core.crossbars))),
      crossbarFree_(static_cast<size_t>(cores),
                    std::vector<sc_time>(static_cast<size_t>(arch.core.crossbars))) {}

sc_time CrossbarWrites::write(int32_t core, int32_t first, int32_t count, int64_t rows,
                              sc_time start) {
  sc_time end = start;
  for (int32_t k = 0; k < count; ++k) {
    auto& pool = slots_.size() == 1 ? slots_.front() : slots_[static_cast<size_t>(core)];
    auto slot = std::min_element(pool.begin(), pool.end());
    sc_time& crossbarFree =
        crossbarFree_[static_cast<size_t>(core)][static_cast<size_t>(first + k)];
    const sc_time begin = std::max({start, *slot, crossbarFree});
    *slot = begin + sc_time(static_cast<double>(rows) * arch_.crossbar.row_write_latency_ns,
                            sc_core::SC_NS);
    crossbarFree = *slot;
    end = std::max(end, *slot);
    auto& written = rowWrites_[static_cast<size_t>(core)][static_cast<size_t>(first + k)];
    if (written.size() < static_cast<size_t>(rows)) written.resize(static_cast<size_t>(rows), 0);
    for (int64_t r = 0; r < rows; ++r) ++written[static_cast<size_t>(r)];
  }
  return end;
}

void CrossbarWrites::report(StatsGroup& endurance, double cellsWritten, double totalNs) const {
  uint32_t maxWrites = 0;
  for (const auto& core : rowWrites_)
    for (const auto& crossbar : core)
      for (uint32_t w : crossbar) maxWrites = std::max(maxWrites, w);
  const double cycles = arch_.crossbar.endurance_cycles;
  endurance.set({"cells_written", "count", "crossbar cells programmed (WR_XB rows x columns)"},
                cellsWritten);
  endurance.set({"max_writes_per_cell", "count", "the most writes any crossbar row took"},
                maxWrites);
  endurance.set({"endurance", "writes", "writes a cell survives (crossbar.endurance_cycles)"},
                cycles);
  // Running this program back to back, the most-written cell reaches its endurance after:
  const double lifetime = maxWrites > 0 ? cycles / maxWrites * totalNs * 1e-9 : 0;
  endurance.set(
      {"lifetime", "s", "running the program back to back, until the most-written cell wears out"},
      lifetime);
}

}  // namespace xbar::sim
