// Where the copies of a partition's units go on the chip: best fit, units in order, the copies
// of a unit together (mapping::CorePlacer), and which cores each layer occupies.
#pragma once

#include <cstdint>
#include <vector>

#include "xbar/schedule/layer_groups.h"
#include "xbar/schedule/shares.h"

namespace xbar::schedule {

struct LayerReplication {
  int32_t layer = 0;
  int32_t replicas = 1;
};

// A layer's presence on one core within a partition: the crossbars its copies take there, the
// share of the layer's matrix output channels it finishes (PartitionSchedule::runs) and the
// partial-sum additions that takes per sample.
struct LayerOnCore {
  int32_t core = 0;
  double crossbars = 0;
  double outputShare = 0;
  double reductionOps = 0;
  // The matrix input's channels the core's crossbars read (LayerGroup::rowsPerInputChannel):
  // the hull of its units' rows, or the whole input.
  int64_t firstInputChannel = 0;
  int64_t endInputChannel = 0;
};

// Copies of one partition unit side by side on one core, from crossbar `firstCrossbar`.
struct Placement {
  int32_t unit = 0;
  int32_t core = 0;
  int32_t firstCrossbar = 0;
  int32_t copies = 0;
};

// Whether units [start, end) with `replication` (one entry per layer in the range, in order)
// fit the chip.
bool replicasFit(const LayerGroups& groups, const arch::ArchConfig& arch, int32_t start,
                 int32_t end, const std::vector<LayerReplication>& replication);

// The placement of units [start, end); throws std::logic_error when it does not fit
// (replicasFit and the partitioners guarantee it does).
std::vector<Placement> placeUnits(const LayerGroups& groups, const arch::ArchConfig& arch,
                                  int32_t start, int32_t end,
                                  const std::vector<LayerReplication>& replication);

// Per layer of the range, the cores holding it, in placement order: the first is the layer's
// leader, which receives its input and hands it to the others.
std::vector<std::vector<LayerOnCore>> layersOnCores(
    const LayerGroups& groups, const arch::ArchConfig& arch, int32_t start,
    const std::vector<LayerReplication>& replication, const std::vector<Placement>& placement);

}  // namespace xbar::schedule
