// The analytic cost model (docs/design.md §5): one partition (a contiguous run of partition
// units) running a batch of B samples, priced by visiting the partition's walk
// (schedule/walk.h) for one sample. The partitioners call it for every candidate partition,
// so everything that does not depend on the partition is precomputed here once.
#pragma once

#include <cstdint>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/cost/objective.h"
#include "xbar/cost/partition_cost.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/schedule/layer_groups.h"
#include "xbar/schedule/partition_schedule.h"
#include "xbar/schedule/placement.h"

namespace xbar::cost {

// The largest batch: the program holds every sample's instructions (ResNet-18 at 4096 is
// about 3.6 million), so a batch of 10^9 once ran out of memory instead of failing.
inline constexpr int64_t kMaxBatch = 4096;

class CostModel {
 public:
  // Throws InputError when the batch is not 1 to kMaxBatch, the model has no crossbar layer,
  // a unit is larger than a core, or a unit alone cannot be tiled to fit local memory.
  CostModel(const ir::Graph& graph, const mapping::Mapping& mapping, const arch::ArchConfig& arch,
            int64_t batch);

  int32_t unitCount() const { return groups_.unitCount(); }
  int32_t layerCount() const { return groups_.layerCount(); }
  int64_t batch() const { return batch_; }
  const arch::ArchConfig& arch() const { return arch_; }
  const schedule::LayerGroups& groups() const { return groups_; }
  const std::vector<schedule::UnitProfile>& units() const { return groups_.units(); }
  const std::vector<schedule::LayerGroup>& layers() const { return groups_.layers(); }

  // The validity map: [start, end) fits on the chip iff start < end <= maxEnd(start).
  int32_t maxEnd(int32_t start) const { return maxEnd_[static_cast<size_t>(start)]; }
  // Whether every layer of [start, end), one copy each, can be tiled to fit its share of its
  // cores' local memory (docs/design.md §5). A single unit always can (the constructor
  // refuses a model where it cannot).
  bool fitsLocalMemory(int32_t start, int32_t end) const;

  // Cost of units [start, end) with the replication that serves `objective` best: spare
  // crossbars go to the pipeline's slowest stage while that lowers the objective. r replicas
  // of a layer run ceil(V / r) of a sample's V vectors each.
  PartitionCost evaluateBestReplication(int32_t start, int32_t end, Objective objective) const;

  // Cost with the given replicas per layer (one entry per layer with units in the range).
  PartitionCost evaluateFixedReplication(int32_t start, int32_t end,
                                         const std::vector<LayerReplication>& replication) const;

  // For the schedule of early replacement, per core: when it is done with the reuse phase of
  // [start, end) (from its start; 0 for a core without layers): the last sample leaves its
  // last layer, and a layer's cores finish in the order its leader hands them the input.
  std::vector<double> coreDoneNs(int32_t start, int32_t end, const PartitionCost& cost) const;
  // Per core: the weight bytes it loads in the replace phase (the core of each unit's first
  // copy loads the unit).
  std::vector<double> weightBytesLoadedBy(int32_t start, int32_t end,
                                          const PartitionCost& cost) const;

 private:
  arch::ArchConfig arch_;
  int64_t batch_;
  schedule::LayerGroups groups_;
  std::vector<int32_t> maxEnd_;
};

// The number the partitioners compare for one partition: its time, its energy, or for EDP the
// partition-local proxy energy x time (not additive over partitions).
double partitionScore(const PartitionCost& cost, Objective objective);

// Refuses a partition whose layer cannot be tiled to fit local memory, with one line naming the
// layer and the sizes.
[[noreturn]] void failLocalMemory(const schedule::PartitionSchedule& s,
                                  const schedule::LocalMemoryShortfall& shortfall);

}  // namespace xbar::cost
