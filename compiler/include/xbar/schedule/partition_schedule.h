// One partition laid out on the chip: its units' copies placed on cores, the cores each layer
// occupies, and which core finishes which box of each layer's outputs. The walk (walk.h)
// reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <llvm/ADT/DenseMap.h>
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

// A box of a layer's matrix output (channels by vectors) that one core finishes in the
// partition (docs/design.md §5, "Who holds which outputs"): it takes the results other cores'
// copies make of it, adds row chunks' partial sums, and where the partition completes the
// layer runs the group's vector ops on it and stores and posts what they make. Each copy of a
// unit finishes its own vectors; where an op reads across positions, each core holding copies
// finishes a slice of the unit's channels over all vectors; in a gathered group, the leader
// finishes everything.
struct ChannelRun {
  int32_t core = 0;
  int64_t firstChannel = 0;
  int64_t endChannel = 0;
  int64_t firstVector = 0;
  int64_t endVector = 0;
  // An earlier partition stored (some of) their sums: the core loads them first (at partial
  // sum bits) and adds what it makes here.
  bool loaded = false;
  bool madeHere = true;  // false: the leader's run of channels made wholly before
  int64_t elements() const { return (endChannel - firstChannel) * (endVector - firstVector); }
};

// What one placement's copies make of channels another core finishes: a row chunk's partial
// sums or a replica's outputs, at partial-sum bits. Copies [firstCopy, endCopy) of the layer's
// replicas run their share of each tile's vectors (copyTile). A core finishing results from
// other cores does so in a thread of its own, and its own copies' results go to that thread
// too (from == to: no network).
struct ResultTransfer {
  size_t li = 0;
  int32_t from = 0;
  int32_t to = 0;
  int64_t firstChannel = 0;
  int64_t endChannel = 0;
  int32_t firstCopy = 0;
  int32_t endCopy = 0;
};

// What copy `copy` of `replicas` runs of a sample's `vectors` in tile `tile` of `tiles`: each
// copy runs its share [cut(V, copy, R), cut(V, copy + 1, R)) at the pace of the largest share
// (ceil(V / R), which the program's MVMs repeat), so a tile runs no copy's vectors unless it
// runs the largest copy's. Vectors [first, end), and [before, done) counted within the copy.
struct CopyTile {
  int64_t first = 0;
  int64_t end = 0;
  int64_t before = 0;
  int64_t done = 0;
};
CopyTile copyTile(int64_t vectors, int32_t copy, int32_t replicas, int64_t tile, int64_t tiles);

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
  // Whether the partition holds layer li's last unit.
  bool completes(size_t li) const;
  // Layer li's channels by the core finishing them, ascending; a complete layer's cover all.
  const llvm::SmallVector<ChannelRun, 4>& runs(size_t li) const { return runs_[li]; }
  // Every result transfer of the partition, in placement order (filter by li).
  // Whether `core` finishes results of layer li that other cores send it.
  bool finishes(size_t li, int32_t core) const;
  const llvm::SmallVector<ResultTransfer, 8>& results() const { return results_; }
  // How many tiles every layer of the partition streams a sample in: its inputs arrive, and its
  // vectors run, in this many chunks, so that each layer's working set fits each core's share
  // of local memory (1: whole). One count for all layers, so that they move in step.
  int32_t tiles() const { return tiles_; }
  // Tiles' worth of messages layer li's threads let producers post ahead of what they take:
  // 2 (double buffering) where local memory holds that, else 1. Credits follow from it.
  int32_t bufferedRounds(size_t li) const { return rounds_[li]; }
  // Whether layer li spills the map its group scales (LayerGroup::spillableInput): its
  // producer stores the map to DRAM instead of posting it, and after the matrix op the cores
  // finishing the layer load it back tile by tile, scale it and send each piece on (walk.h).
  bool spills(size_t li) const { return spills_[li] != 0; }
  // The map layer li spills, or ir::kNoValue.
  ir::ValueId spilledValue(size_t li) const;
  // Whether layer li reads input `in` here: a layer the partition does not complete runs only
  // its matrix op, and reads nothing only its finishing ops read (a residual, a gate).
  bool readsInput(size_t li, const LayerGroup::Input& in) const {
    return completes(li) || (in.use != InputUse::Aligned && in.use != InputUse::Whole);
  }
  // Whether layer `layer` of the partition reads `value` here.
  bool readsValue(int32_t layer, ir::ValueId value) const;
  // Whether some layer of the partition spills `value`.
  bool spillsValue(ir::ValueId value) const;
  // Whether layer li reads a value made by layer `producer` (-1: a graph input) from DRAM
  // itself, after its other inputs of each tile are in: a layer spilling its map lies between
  // them here, in layer order. A spilling layer is a barrier for the sample (its gate needs all
  // of the map), so what crosses it must wait somewhere: posted, it would outrun li's credits
  // while the barrier holds li back, and stall the layers the barrier waits for (a residual
  // around a squeeze-and-excitation). Posting only to the layers that read a spill's outputs,
  // directly or not, still deadlocked lraspp_mobilenet_v3_large (greedy, compass-sram-m).
  // The program orders the producer's stores before li's load only where the producer is
  // upstream of the spill and li downstream of it; elsewhere the simulator times the load where
  // it is issued (docs/design.md §5).
  bool readsPastSpill(size_t li, int32_t producer) const;
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
  llvm::SmallVector<llvm::SmallVector<ChannelRun, 4>, 16> runs_;
  llvm::SmallVector<ResultTransfer, 8> results_;
  int32_t tiles_ = 1;
  llvm::SmallVector<int32_t, 32> rounds_;
  llvm::SmallVector<uint8_t, 32> spills_;
  llvm::SmallVector<int32_t, 32> lastSpillBefore_;  // per layer, -1 for none (chooseTiles)
  std::optional<LocalMemoryShortfall> shortfall_;

  // The cores finishing one column block: channels [first, end) of the vectors of copies
  // [firstCopy, endCopy).
  struct Finisher {
    int32_t core;
    int64_t first, end;
    int32_t firstCopy, endCopy;
  };
  using Finishers = llvm::SmallVector<Finisher, 16>;
  using Additions = llvm::SmallDenseMap<std::pair<size_t, int32_t>, double, 16>;  // (li, core)

  void assignOwners();
  void addRun(size_t li, const ChannelRun& run);
  void finishBlock(size_t first, size_t end, size_t li, bool loaded, Finishers& finishers);
  void sendResults(size_t first, size_t end, size_t li, const Finishers& finishers,
                   Additions& additions);
  void tallyCores(const Additions& additions);
  void chooseTiles();
  void chooseTilesOnce();
};

}  // namespace xbar::schedule
