#include "xbar/schedule/placement.h"

#include <algorithm>
#include <stdexcept>

#include "xbar/mapping/core_packing.h"

namespace xbar::schedule {

bool replicasFit(const LayerGroups& groups, const arch::ArchConfig& arch, int32_t start,
                 int32_t end, const std::vector<LayerReplication>& replication) {
  mapping::IncrementalPacker packer(arch.chip.cores, arch.core.crossbars);
  size_t r = 0;
  for (int32_t u = start; u < end; ++u) {
    const UnitProfile& unit = groups.unit(u);
    while (replication[r].layer != unit.layer) ++r;
    if (!packer.add(unit.crossbars, replication[r].replicas)) return false;
  }
  return true;
}

std::vector<Placement> placeUnits(const LayerGroups& groups, const arch::ArchConfig& arch,
                                  int32_t start, int32_t end,
                                  const std::vector<LayerReplication>& replication) {
  mapping::CorePlacer placer(arch.chip.cores, arch.core.crossbars);
  std::vector<Placement> placement;
  std::vector<mapping::PlacedRun> runs;
  size_t r = 0;
  for (int32_t u = start; u < end; ++u) {
    const UnitProfile& unit = groups.unit(u);
    while (replication[r].layer != unit.layer) ++r;
    runs.clear();
    if (!placer.add(unit.crossbars, replication[r].replicas, runs))
      throw std::logic_error("schedule::placeUnits: the replication does not fit the chip");
    for (const mapping::PlacedRun& run : runs)
      placement.push_back({u, run.core, run.firstCrossbar, run.copies});
  }
  return placement;
}

std::vector<std::vector<LayerOnCore>> layersOnCores(
    const LayerGroups& groups, const arch::ArchConfig& arch, int32_t start,
    const std::vector<LayerReplication>& replication, const std::vector<Placement>& placement) {
  const int32_t firstLayer = groups.unit(start).layer;
  std::vector<std::vector<LayerOnCore>> onCores(replication.size());
  // Where each core sits in its layer's list; a layer's placements are consecutive.
  thread_local std::vector<int32_t> slot;
  if (slot.size() < static_cast<size_t>(arch.chip.cores))
    slot.resize(static_cast<size_t>(arch.chip.cores), -1);
  size_t current = replication.size();
  for (const Placement& p : placement) {
    const UnitProfile& unit = groups.unit(p.unit);
    const auto li = static_cast<size_t>(unit.layer - firstLayer);
    if (li != current) {
      if (current < onCores.size())
        for (const LayerOnCore& h : onCores[current]) slot[static_cast<size_t>(h.core)] = -1;
      current = li;
    }
    auto& cores = onCores[li];
    const LayerGroup& g = groups.layer(unit.layer);
    int64_t first = 0, end = g.inputExtent.channels;
    if (const int64_t k = g.rowsPerInputChannel; k > 0) {
      first = unit.firstRow / k;
      end = (unit.endRow + k - 1) / k;
    }
    int32_t& at = slot[static_cast<size_t>(p.core)];
    if (at < 0) {
      at = static_cast<int32_t>(cores.size());
      cores.push_back({p.core, 0, 0, 0, first, end});
    }
    LayerOnCore& h = cores[static_cast<size_t>(at)];
    h.crossbars += static_cast<double>(unit.crossbars * p.copies);
    h.firstInputChannel = std::min(h.firstInputChannel, first);
    h.endInputChannel = std::max(h.endInputChannel, end);
  }
  if (current < onCores.size())
    for (const LayerOnCore& h : onCores[current]) slot[static_cast<size_t>(h.core)] = -1;
  return onCores;
}

}  // namespace xbar::schedule
