#include "xbar/schedule/partition_schedule.h"

namespace xbar::schedule {

PartitionSchedule::PartitionSchedule(const LayerGroups& groups, const arch::ArchConfig& arch,
                                     int32_t start, int32_t end,
                                     const std::vector<LayerReplication>& replication)
    : groups_(groups),
      arch_(arch),
      start_(start),
      end_(end),
      firstLayer_(groups.unit(start).layer),
      replication_(replication),
      placement_(placeUnits(groups, arch, start, end, replication)),
      onCores_(schedule::layersOnCores(groups, arch, start, replication, placement_)) {
  for (const LayerReplication& r : replication)
    splits_.push_back(groups.outputSplit(r.layer, start, end));
  routePartialSums();
}

// A row chunk's copies send their partial sums to the core of their column block's first chunk
// here, which reduces them and so holds the block's outputs: the chunk's share of the layer's
// outputs moves to that core.
void PartitionSchedule::routePartialSums() {
  for (size_t i = 0; i < placement_.size(); ++i) {
    const Placement& p = placement_[i];
    const UnitProfile& unit = groups_.unit(p.unit);
    const int32_t reducer = std::max(unit.reducer, start_);
    if (reducer == p.unit) continue;
    size_t r = i;
    while (placement_[r].unit != reducer) --r;  // placements run in unit order
    while (r > 0 && placement_[r - 1].unit == reducer) --r;
    const int32_t to = placement_[r].core;
    const auto li = static_cast<size_t>(unit.layer - firstLayer_);
    const double copies = static_cast<double>(p.copies) / replication_[li].replicas;
    if (to == p.core) continue;
    partialSums_.push_back({li, p.core, to, unit.columnFraction * copies});
    for (LayerOnCore& h : onCores_[li]) {
      if (h.core == p.core) h.outputShare -= unit.outputFraction * copies;
      if (h.core == to) h.outputShare += unit.outputFraction * copies;
    }
  }
}

llvm::SmallVector<CrossbarSpan, 4> PartitionSchedule::crossbarSpans(size_t li, int32_t core) const {
  const int32_t layer = replication_[li].layer;
  llvm::SmallVector<CrossbarSpan, 4> spans;
  for (const Placement& pl : placement_) {
    const UnitProfile& unit = groups_.unit(pl.unit);
    if (pl.core != core || unit.layer != layer) continue;
    const int32_t end = pl.firstCrossbar + pl.copies * static_cast<int32_t>(unit.crossbars);
    if (!spans.empty() && spans.back().end == pl.firstCrossbar)
      spans.back().end = end;
    else
      spans.push_back({pl.firstCrossbar, end});
  }
  return spans;
}

}  // namespace xbar::schedule
