// What one partition costs over a batch: time by phase, energy by component, DRAM traffic.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "xbar/arch/actions.h"
#include "xbar/schedule/partition_schedule.h"
#include "xbar/schedule/placement.h"

namespace xbar::cost {

using schedule::LayerReplication;

struct PartitionCost {
  // Replace phase: weights from DRAM, then into the crossbars.
  double weightLoadNs = 0;
  double weightWriteNs = 0;
  // The two overlapped: each loading core writes its units while others still load, so the
  // phase takes max(L + W/n, W + L/n) over n loading cores (L + W for one).
  double replaceNs = 0;
  // Reuse phase: the layer pipeline over the batch (fill + (B-1) x slowest stage).
  double pipelineFillNs = 0;
  double bottleneckStageNs = 0;
  double reuseNs = 0;
  double totalNs = 0;

  arch::ActionCounts actions;  // over the batch
  arch::EnergyBreakdown energyPj;
  double dramWeightBytes = 0;
  double dramActivationReadBytes = 0;
  double dramActivationWriteBytes = 0;
  double interconnectBytes = 0;
  int64_t cellsWritten = 0;
  int64_t crossbarsUsed = 0;                  // replicas included
  std::vector<LayerReplication> replication;  // layers with units in the partition
  // Per layer (as `replication`): when the first sample's outputs are ready, from the start of
  // the reuse phase, and how long the layer's hand-out to its cores takes.
  std::vector<double> layerDoneNs;
  std::vector<double> layerHandOutNs;
  int32_t tiles = 1;  // tiles a sample streams through every layer in (PartitionSchedule)
  // Per layer of the partition: whether it spills the map its group scales to DRAM
  // (PartitionSchedule::spills).
  std::vector<uint8_t> spills;
  // Set when some layer's working set does not fit its share of a core's local memory even
  // in the smallest tiles: the partition cannot run, and its score is infinite.
  std::optional<schedule::LocalMemoryShortfall> localMemoryShortfall;
};

}  // namespace xbar::cost
