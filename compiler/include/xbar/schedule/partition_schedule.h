// One partition laid out on the chip: its units' copies placed on cores, the cores each layer
// occupies, and each layer's share of its outputs made here. The walk (walk.h) reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <llvm/ADT/SmallVector.h>

#include "xbar/arch/arch_config.h"
#include "xbar/schedule/layer_groups.h"
#include "xbar/schedule/placement.h"

namespace xbar::schedule {

// The units [start, end) of a plan and their replication (one entry per layer in the range).
struct PartitionRange {
  int32_t firstUnit = 0;
  int32_t endUnit = 0;
  std::vector<LayerReplication> replication;
};

// Partial sums of a row chunk's copies moving to the core that reduces its column block (the
// block's first chunk in the partition): `columnShare` of the layer's outputs, as partial sums.
struct PartialSumTransfer {
  size_t li = 0;
  int32_t from = 0;
  int32_t to = 0;
  double columnShare = 0;
};

// A layer whose working set does not fit its share of a core's local memory even in the
// smallest tiles: the partition cannot run (docs/design.md §5, "Local memory").
struct LocalMemoryShortfall {
  size_t li = 0;
  int32_t core = 0;
  double needBytes = 0;    // the smallest tile's working set
  double budgetBytes = 0;  // the layer's share of the core's local memory
  int32_t layersOnCore = 0;
};

// A run of consecutive crossbars [first, end) of one core.
struct CrossbarSpan {
  int32_t first = 0;
  int32_t end = 0;
};

class PartitionSchedule {
 public:
  // `replication` must outlive the schedule.
  PartitionSchedule(const LayerGroups& groups, const arch::ArchConfig& arch, int32_t start,
                    int32_t end, const std::vector<LayerReplication>& replication);

  const LayerGroups& groups() const { return groups_; }
  const arch::ArchConfig& arch() const { return arch_; }
  int32_t start() const { return start_; }
  int32_t end() const { return end_; }
  int32_t firstLayer() const { return firstLayer_; }
  // Layers of the partition; layer index li is layer firstLayer() + li.
  size_t layerCount() const { return replication_.size(); }
  const std::vector<LayerReplication>& replication() const { return replication_; }
  const std::vector<Placement>& placement() const { return placement_; }
  const std::vector<std::vector<LayerOnCore>>& layersOnCores() const { return onCores_; }
  const std::vector<LayerOnCore>& cores(size_t li) const { return onCores_[li]; }
  int32_t leader(size_t li) const { return onCores_[li].front().core; }
  const OutputSplit& split(size_t li) const { return splits_[li]; }
  // Every partial-sum transfer of the partition, in placement order (filter by li).
  const llvm::SmallVector<PartialSumTransfer, 8>& partialSums() const { return partialSums_; }
  // How many tiles every layer of the partition streams a sample in: its inputs arrive, and its
  // vectors run, in this many chunks, so that each layer's working set fits each core's share
  // of local memory (1: whole). One count for all layers, so that they move in step.
  int32_t tiles() const { return tiles_; }
  // Tiles' worth of messages layer li's threads let producers post ahead of what they take:
  // 2 (double buffering) where local memory holds that, else 1. Credits follow from it.
  int32_t bufferedRounds(size_t li) const { return rounds_[li]; }
  // The first layer that cannot be tiled to fit, if any.
  const std::optional<LocalMemoryShortfall>& shortfall() const { return shortfall_; }
  // The crossbars of layer li on `core`: one span per contiguous run of its copies there.
  llvm::SmallVector<CrossbarSpan, 4> crossbarSpans(size_t li, int32_t core) const;

 private:
  const LayerGroups& groups_;
  const arch::ArchConfig& arch_;
  int32_t start_;
  int32_t end_;
  int32_t firstLayer_;
  const std::vector<LayerReplication>& replication_;
  std::vector<Placement> placement_;
  std::vector<std::vector<LayerOnCore>> onCores_;
  llvm::SmallVector<OutputSplit, 32> splits_;
  llvm::SmallVector<PartialSumTransfer, 8> partialSums_;
  int32_t tiles_ = 1;
  llvm::SmallVector<int32_t, 32> rounds_;
  std::optional<LocalMemoryShortfall> shortfall_;

  void routePartialSums();
  void chooseTiles();
};

}  // namespace xbar::schedule
