// The analytic cost model of DESIGN.md §5: one partition (a contiguous run of partition
// units) running a batch of B samples. The partitioners call it for every candidate
// partition, so everything that does not depend on the partition is precomputed here once.
#pragma once

#include <cstdint>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/cost/objective.h"
#include "xbar/cost/partition_cost.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"

namespace xbar::cost {

// A matrix layer with the non-matrix ops that follow it (DESIGN.md §4): the unit of
// activation traffic between partitions.
struct LayerProfile {
  double mvmNs = 0;  // one input vector through one crossbar of the layer
  int64_t vectorsPerSample = 0;
  int64_t inputCycles = 0;           // ceil(activation bits / DAC bits)
  int64_t activeRows = 0;            // rows driven per crossbar
  int64_t activeColumns = 0;         // columns converted per crossbar
  double vectorOpsPerSample = 0;     // element ops of the attached non-matrix ops
  double reductionOpsPerSample = 0;  // digital partial-sum additions (row-split layers)
  double outputBytesPerSample = 0;   // the matrix op's own output
  double inputBytesPerSample = 0;    // the matrix op's activation input
  double localMemoryBytesPerSample = 0;
  int32_t firstUnit = 0;
  int32_t endUnit = 0;
  // Activations this layer's group reads from other groups (producer -1: a graph input),
  // one entry per value.
  struct Input {
    ir::ValueId value;
    double bytes;  // per sample
    int32_t producer;
  };
  std::vector<Input> inputs;
  // Values this group produces for later groups or as graph outputs (last consumer
  // kGraphOutput): they leave the partition through DRAM when a consumer lies beyond it.
  struct Output {
    ir::ValueId value;
    double bytes;  // per sample
    int32_t lastConsumer;
  };
  std::vector<Output> outputs;
  // The non-matrix ops of the group, in graph order: op and element operations per sample.
  std::vector<std::pair<ir::OpKind, double>> vectorOps;
};

inline constexpr int32_t kGraphOutput = 0x7fffffff;

// Copies of one partition unit side by side on one core, from crossbar `firstCrossbar`.
struct Placement {
  int32_t unit = 0;
  int32_t core = 0;
  int32_t firstCrossbar = 0;
  int32_t copies = 0;
};

// A layer's presence on one core within a partition: the crossbars its copies take there and
// the share of the layer's outputs they produce (replicas split the vectors, so a copy of a
// unit produces the unit's fraction / replicas).
struct LayerOnCore {
  int32_t core = 0;
  double crossbars = 0;
  double outputShare = 0;
};

// Of a layer's outputs, the share its units in a partition make and the share units in earlier
// partitions made (a layer split across partitions).
struct OutputSplit {
  double here = 0;
  double before = 0;
};

// Per core holding a layer (in `cores` order), the share of the layer's bytes it holds. Of a
// complete layer's group outputs: what each core made, the leader (first) also holding what
// earlier partitions made (it loads that from DRAM). Of a layer that continues in a later
// partition: the partial outputs made here. The cost model prices and the code generator
// emits exactly these slices.
std::vector<double> completeShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split);
std::vector<double> partialShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split);

// Splits `total` bytes into consecutive slices in proportion to `shares` (summing to 1), so
// the slices add up to exactly `total`: the byte counts both the model and the program use.
std::vector<int64_t> sliceBytes(int64_t total, const std::vector<double>& shares);

// Bytes rounded up to whole bytes, as the program moves them.
int64_t wholeBytes(double bytes);

struct UnitProfile {
  int32_t layer = 0;
  int64_t crossbars = 0;
  double weightBytes = 0;     // at the arch's weight bits
  int64_t cells = 0;          // cells programmed
  int64_t rowWrites = 0;      // rows programmed over its crossbars
  double outputFraction = 0;  // share of the layer's outputs (of its row chunk)
};

class CostModel {
 public:
  // Throws InputError when batch < 1 or a unit is larger than a core.
  CostModel(const ir::Graph& graph, const mapping::Mapping& mapping, const arch::ArchConfig& arch,
            int64_t batch);

  int32_t unitCount() const { return static_cast<int32_t>(units_.size()); }
  int32_t layerCount() const { return static_cast<int32_t>(layers_.size()); }
  int64_t batch() const { return batch_; }
  const arch::ArchConfig& arch() const { return arch_; }
  const std::vector<UnitProfile>& units() const { return units_; }
  const std::vector<LayerProfile>& layers() const { return layers_; }

  // The validity map: [start, end) fits on the chip iff start < end <= maxEnd(start).
  int32_t maxEnd(int32_t start) const { return maxEnd_[static_cast<size_t>(start)]; }

  // Whether layer `producer` (-1: a graph input) finishes inside units [start, end), so its
  // outputs are on chip there.
  bool completesWithin(int32_t producer, int32_t start, int32_t end) const {
    if (producer < 0) return false;
    const int32_t e = layers_[static_cast<size_t>(producer)].endUnit;
    return e > start && e <= end;
  }
  // Whether an output of a layer completing in a partition that ends at `end` goes to DRAM:
  // a graph output, or one that a later partition still reads.
  bool leavesPartition(const LayerProfile::Output& out, int32_t end) const {
    return out.lastConsumer == kGraphOutput ||
           layers_[static_cast<size_t>(out.lastConsumer)].endUnit > end;
  }

  // Cost of units [start, end) with replication chosen for `objective`: spare crossbars go to
  // the pipeline's slowest stage while that lowers the objective. r replicas of a layer run
  // ceil(V / r) of a sample's V vectors each.
  PartitionCost evaluate(int32_t start, int32_t end, Objective objective) const;

  OutputSplit outputSplit(int32_t layer, int32_t start, int32_t end) const;

  // Where the copies of units [start, end) go (best fit, units in order, copies together);
  // the replication must fit (replicasFit / the plan guarantee it).
  std::vector<Placement> place(int32_t start, int32_t end,
                               const std::vector<LayerReplication>& replication) const;
  // Per layer of the range, the cores holding it, in placement order: the first is the
  // layer's leader, which receives its input and hands it to the others.
  std::vector<std::vector<LayerOnCore>> layersOnCores(
      int32_t start, int32_t end, const std::vector<LayerReplication>& replication,
      const std::vector<Placement>& placement) const;

  // For the schedule of early replacement, per core: when it is done with the reuse phase of
  // [start, end) (from its start; 0 for a core without layers): the last sample leaves its
  // last layer, and a layer's cores finish in the order its leader hands them the input.
  std::vector<double> coreDoneNs(int32_t start, int32_t end, const PartitionCost& cost) const;
  // Per core: the weight bytes it loads in the replace phase (the core of each unit's first
  // copy loads the unit).
  std::vector<double> weightBytesLoadedBy(int32_t start, int32_t end,
                                          const PartitionCost& cost) const;

  // Cost with the given replicas per layer (one entry per layer with units in the range).
  PartitionCost evaluateWith(int32_t start, int32_t end,
                             const std::vector<LayerReplication>& replication) const;

 private:
  bool replicasFit(int32_t start, int32_t end,
                   const std::vector<LayerReplication>& replication) const;

  arch::ArchConfig arch_;
  int64_t batch_;
  std::vector<LayerProfile> layers_;
  std::vector<UnitProfile> units_;
  std::vector<int32_t> maxEnd_;
  double dramBytesPerNs_ = 0;
};

// The number the partitioners compare for one partition under an additive objective.
double additiveScore(const PartitionCost& cost, Objective objective);

}  // namespace xbar::cost
