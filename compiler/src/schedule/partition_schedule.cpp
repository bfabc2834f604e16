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
