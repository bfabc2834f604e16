// What each core did when: per partition and core, the replace and reuse spans and their busy
// time; when each partition's barrier released; and, when tracing, every busy instruction.
// Reports the "partitions" statistics group. Private to the simulator.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "xbar/codegen/program.h"
#include "xbar/sim/simulator.h"
#include "xbar/sim/stats_tree.h"

namespace xbar::sim {

struct TraceSpan {
  int32_t thread;
  codegen::Opcode op;
  double startNs;
  double durationNs;
};

class Timeline {
 public:
  Timeline(int32_t partitions, int32_t cores, bool tracing);
  void busy(int32_t partition, int32_t core, PhaseSpan::Phase phase, double startNs,
            double durationNs);
  void barrierReleased(int32_t partition, double ns) {
    barrierReleaseNs_[static_cast<size_t>(partition)] = ns;
  }
  bool tracing() const { return tracing_; }
  void trace(int32_t thread, codegen::Opcode op, double startNs, double durationNs) {
    if (tracing_ && durationNs > 0) trace_.push_back({thread, op, startNs, durationNs});
  }

  // Partition p runs from the release of barrier p (its reuse phase begins) to the release of
  // barrier p + 1 (or the end); the replace phase of p + 1 overlaps its tail.
  void report(StatsGroup& partitions, double totalNs) const;
  std::vector<PhaseSpan> spans() const;  // the spans that saw work
  const std::vector<TraceSpan>& traceSpans() const { return trace_; }

 private:
  bool tracing_;
  std::vector<double> barrierReleaseNs_;
  std::vector<std::vector<std::array<PhaseSpan, 2>>> phases_;  // [partition][core][phase]
  std::vector<TraceSpan> trace_;
};

}  // namespace xbar::sim
