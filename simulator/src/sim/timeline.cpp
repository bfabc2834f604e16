#include "timeline.h"

#include <algorithm>

#include <fmt/format.h>

namespace xbar::sim {

Timeline::Timeline(int32_t partitions, int32_t cores, bool tracing)
    : tracing_(tracing),
      barrierReleaseNs_(static_cast<size_t>(partitions), -1.0),
      phases_(static_cast<size_t>(partitions),
              std::vector<std::array<PhaseSpan, 2>>(static_cast<size_t>(cores))) {
  for (int32_t p = 0; p < partitions; ++p)
    for (int32_t c = 0; c < cores; ++c)
      for (PhaseSpan::Phase phase : {PhaseSpan::Phase::Replace, PhaseSpan::Phase::Reuse})
        phases_[static_cast<size_t>(p)][static_cast<size_t>(c)][static_cast<size_t>(phase)] = {
            p, c, phase, -1.0, 0.0, 0.0};
}

void Timeline::busy(int32_t partition, int32_t core, PhaseSpan::Phase phase, double startNs,
                    double durationNs) {
  if (phases_.empty()) return;
  PhaseSpan& span = phases_[static_cast<size_t>(partition)][static_cast<size_t>(core)]
                           [static_cast<size_t>(phase)];
  if (span.startNs < 0) span.startNs = startNs;
  span.endNs = std::max(span.endNs, startNs + durationNs);
  span.busyNs += durationNs;
}

void Timeline::report(StatsGroup& partitions, double totalNs) const {
  for (size_t p = 0; p < barrierReleaseNs_.size(); ++p) {
    const double start = barrierReleaseNs_[p];
    const double end = p + 1 < barrierReleaseNs_.size() ? barrierReleaseNs_[p + 1] : totalNs;
    StatsGroup& g = partitions.group(fmt::format("partition{}", p));
    g.set({"reuse_start", "ns", "when the partition's barrier released its reuse phase"}, start);
    g.set({"end", "ns", "when the next partition's barrier released (or the run ended)"}, end);
    g.set({"time", "ns", "end - reuse_start"}, end - start);
  }
}

std::vector<PhaseSpan> Timeline::spans() const {
  std::vector<PhaseSpan> out;
  for (const auto& partition : phases_)
    for (const auto& core : partition)
      for (const PhaseSpan& span : core)
        if (span.startNs >= 0) out.push_back(span);
  return out;
}

}  // namespace xbar::sim
