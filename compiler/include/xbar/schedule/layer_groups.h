// The network as the schedule sees it (docs/design.md §4): layer groups, each a matrix layer
// with the non-matrix ops that follow it, and partition units, each with its per-sample
// quantities at the arch's precision. Built once per (model, arch); every partition's walk,
// its price and its code read it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <llvm/ADT/SmallVector.h>

#include "xbar/arch/arch_config.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/schedule/channel_flow.h"
#include "xbar/schedule/shares.h"

namespace xbar::schedule {

// The last consumer of a value that leaves through a graph output.
inline constexpr int32_t kGraphOutput = 0x7fffffff;

// A matrix layer with the non-matrix ops that follow it: the unit of activation traffic
// between partitions.
struct LayerGroup {
  std::string name;  // the matrix op's node, for messages
  double mvmNs = 0;  // one input vector through one crossbar of the layer
  int64_t vectorsPerSample = 0;
  int64_t inputCycles = 0;          // ceil(the layer's activation bits / DAC bits)
  int64_t partialSumBits = 0;       // of its row chunks' and split layers' sums
  int64_t activeRows = 0;           // rows driven per crossbar
  int64_t activeColumns = 0;        // columns converted per crossbar
  double outputBytesPerSample = 0;  // the matrix op's own output
  double inputBytesPerSample = 0;   // the matrix op's activation input
  // A Conv whose kernel is taller than its stride: the input rows two consecutive row bands
  // of its outputs share (kernel - stride rows, dilation included). A tiled layer keeps them
  // from one tile to the next (a line buffer); 0 for other matrix ops.
  double haloBytesPerSample = 0;
  // Vectors in one row of a Conv's outputs (its output width): the smallest tile of a
  // spatially tiled layer. 0 for other matrix ops, whose tiles cut the input vector instead.
  int64_t rowVectors = 0;
  // A Conv of one group: the lowered weight rows of each input channel (its kernel's size;
  // rows are channel-major), so that a core holding rows [a, b) reads input channels
  // [a / k, ceil(b / k)) and only those are handed to it. 0: every core reads the whole input.
  int64_t rowsPerInputChannel = 0;
  int32_t firstUnit = 0;
  int32_t endUnit = 0;
  int64_t channels = 0;   // the matrix op's output channels (its vectors: vectorsPerSample)
  bool gathered = false;  // an op mixes channels: the leader finishes the group (channel_flow.h)
  bool allPositions = false;  // an op reads other positions of a channel (channel_flow.h)
  ir::ValueId matrixInput = ir::kNoValue;
  Extent inputExtent;  // of matrixInput
  // Activations this group reads from other groups (producer -1: a graph input), one entry
  // per value.
  struct Input {
    ir::ValueId value;
    double bytes;  // per sample
    int32_t producer;
    Extent extent;
    InputUse use = InputUse::Leader;
    ChannelMap map;  // InputUse::Aligned
  };
  std::vector<Input> inputs;
  // Values this group produces for later groups or as graph outputs (last consumer
  // kGraphOutput): they leave the partition through DRAM when a consumer lies beyond it.
  struct Output {
    ir::ValueId value;
    double bytes;  // per sample
    int32_t lastConsumer;
    Extent extent;
    ValueFlow flow;  // how the matrix output's channels reach it
  };
  std::vector<Output> outputs;
  // Later groups reading this group's values: by consumer, then in the consumer's input order.
  struct Consumer {
    int32_t layer;
    double bytes;  // per sample
    ir::ValueId value;
  };
  std::vector<Consumer> consumers;
  // The non-matrix ops of the group, in graph order: op and element operations per sample.
  std::vector<std::pair<ir::OpKind, double>> vectorOps;
  // Neurons whose state (a LIF's I and V) the cores finishing the group keep in local memory
  // over a sample's time steps (docs/design.md §9b).
  int64_t stateNeurons = 0;
  // A group of one vector whose ops scale a map it alone reads (squeeze-and-excitation: the
  // gate times the block's feature map): the map's index in `inputs`, -1 for any other group.
  // Where the map does not fit local memory the partition spills it (PartitionSchedule::spills):
  // it waits in DRAM while the gate is computed and is read back piece by piece.
  int32_t spillableInput = -1;
};

// Crossbars of a unit that are written alike: `crossbars` of them, each `rows` rows of
// `cols` columns. A unit has at most four: full and last row tile by full and last column
// block (or full and last block-diagonal block).
struct CrossbarShape {
  int64_t crossbars = 0;
  int64_t rows = 0;
  int64_t cols = 0;
};

struct UnitProfile {
  int32_t layer = 0;
  int64_t crossbars = 0;
  double weightBytes = 0;                      // at the arch's weight bits
  llvm::SmallVector<CrossbarShape, 4> shapes;  // in the order of its crossbars' writes
  int64_t cells = 0;                           // cells programmed: sum of shapes
  int64_t rowWrites = 0;                       // rows programmed over its crossbars
  // The matrix output channels it makes (partial sums of them for a row chunk) and the rows
  // of the lowered weight matrix it holds, within its block.
  int64_t firstChannel = 0;
  int64_t endChannel = 0;
  int64_t firstRow = 0;
  int64_t endRow = 0;
  int64_t rowTiles = 0;  // crossbars along its rows per column block
  // A unit holding one row chunk of a column block (rows split over units) makes partial
  // sums of the block's channels; they are reduced where the block's first chunk is (its
  // index here). Otherwise `reducer` is the unit itself.
  int32_t reducer = 0;
};

class LayerGroups {
 public:
  // Throws InputError when a unit is larger than a core or its vectors do not fit a core's
  // local memory.
  LayerGroups(const ir::Graph& graph, const mapping::Mapping& mapping,
              const arch::ArchConfig& arch);

  const std::string& model() const { return model_; }
  int32_t unitCount() const { return static_cast<int32_t>(units_.size()); }
  int32_t layerCount() const { return static_cast<int32_t>(layers_.size()); }
  const std::vector<LayerGroup>& layers() const { return layers_; }
  const std::vector<UnitProfile>& units() const { return units_; }
  const LayerGroup& layer(int32_t l) const { return layers_[static_cast<size_t>(l)]; }
  const UnitProfile& unit(int32_t u) const { return units_[static_cast<size_t>(u)]; }

  // Whether layer `producer` (-1: a graph input) finishes inside units [start, end), so its
  // outputs are on chip there.
  bool completesWithin(int32_t producer, int32_t start, int32_t end) const {
    if (producer < 0) return false;
    const int32_t e = layers_[static_cast<size_t>(producer)].endUnit;
    return e > start && e <= end;
  }
  // Whether an output of a layer completing in a partition that ends at `end` goes to DRAM:
  // a graph output, or one that a later partition still reads.
  bool leavesPartition(const LayerGroup::Output& out, int32_t end) const {
    return out.lastConsumer == kGraphOutput ||
           layers_[static_cast<size_t>(out.lastConsumer)].endUnit > end;
  }
  // The groups reading `value` from another group, ascending.
  std::span<const int32_t> readersOf(ir::ValueId value) const {
    return readers_[static_cast<size_t>(value)];
  }
  // One sample of a value, as the schedule cuts it into boxes.
  const Extent& extent(ir::ValueId value) const { return extents_[static_cast<size_t>(value)]; }
  // The group a node belongs to: its own matrix layer's, or for another op the latest group it
  // depends on (group 0 for an op on graph inputs only).
  int32_t groupOf(ir::NodeId node) const { return groupOfNode_[static_cast<size_t>(node)]; }

 private:
  void profileLayers(const ir::Graph& graph, const mapping::Mapping& mapping,
                     const arch::ArchConfig& arch, int64_t samples);
  void profileUnits(const mapping::Mapping& mapping, const arch::ArchConfig& arch);
  int32_t spillableInput(const LayerGroup& g) const;
  void describeFlows(const ir::Graph& graph, const mapping::Mapping& mapping,
                     const std::vector<int32_t>& groupOfNode, int64_t samples);

  std::string model_;
  std::vector<LayerGroup> layers_;
  std::vector<UnitProfile> units_;
  std::vector<std::vector<int32_t>> readers_;  // per value
  std::vector<Extent> extents_;                // per value
  std::vector<int32_t> groupOfNode_;           // per node
};

}  // namespace xbar::schedule
