// The typed steps of a partition's walk (walk.h). Every visitor sees the same steps in the
// same order: the cost model prices them, the code generator turns them into instructions.
// A new kind of work is a new step, and each visitor says what it means.
#pragma once

#include <cstdint>
#include <vector>

#include "xbar/ir/op_kind.h"
#include "xbar/ir/value.h"
#include "xbar/schedule/layer_groups.h"
#include "xbar/schedule/shares.h"

namespace xbar::schedule {

// A tensor in DRAM: a graph value, or the partial outputs of a layer split across partitions.
struct DramTensor {
  int64_t key = 0;  // the value id, or -(layer + 1) for a layer's partial outputs
  static DramTensor value(ir::ValueId v) { return {static_cast<int64_t>(v)}; }
  static DramTensor partialOutputs(int32_t layer) { return {-(static_cast<int64_t>(layer) + 1)}; }
};

// --- Replace phase ---------------------------------------------------------------------
// The core of a unit's first copy loads its weights from DRAM.
struct LoadWeights {
  int32_t core;
  int32_t unit;
  double bytes;  // at the arch's weight bits; the program moves wholeBytes(bytes)
  int32_t firstCrossbar;
  int32_t crossbars;  // of one copy
};
// ... and sends them once to each other core holding copies.
struct CopyWeights {
  int32_t from;
  int32_t to;
  int64_t bytes;
};
// A core programs the crossbars of the copies it holds.
struct WriteCrossbars {
  int32_t core;
  int32_t unit;
  int32_t firstCrossbar;
  int32_t copies;
  const UnitProfile& profile;
};
// Every thread of every core meets: the reuse phase starts.
struct Barrier {
  int32_t partition;
};

// --- Reuse phase, per sample -----------------------------------------------------------
struct SampleStart {
  int64_t sample;
};
// What layer li of the partition does for one sample, in total.
struct LayerStart {
  size_t li;
  int32_t layer;
  const LayerGroup& group;
  int32_t replicas;
  double crossbars;  // of the layer's units here, one copy each
  OutputSplit split;
  bool complete;          // the layer's last unit is in this partition
  double vectorsPerCopy;  // ceil(vectors / replicas): each copy runs these
  int32_t tiles;          // a sample streams through the layer in this many tiles
  const std::vector<LayerOnCore>& cores;
};
// A tiled layer's tile `tile` begins (every layer has tile 0).
struct Tile {
  size_t li;
  int32_t tile;
};
// The leader loads activations from DRAM (a tiled layer: one chunk per tile).
struct Load {
  size_t li;
  int32_t core;
  DramTensor tensor;
  int64_t offset;  // within the sample's slot
  int64_t bytes;
  ir::ValueId value;  // ir::kNoValue for a layer's partial outputs
};
// A message from one core (or thread) to a later layer's leader: posted by the producer (or
// the core that loaded the value), received by the consumer.
struct Message {
  int32_t id;  // in posting order within the sample
  int32_t from;
  int32_t to;
  int64_t bytes;
  size_t consumer;    // layer index of the receiver
  int32_t producer;   // layer index of the producing layer, -1 for a value loaded from DRAM
  ir::ValueId value;  // the value forwarded from DRAM (producer -1)
  int32_t piece;      // the receiver takes it for its tile `piece`
};
struct Post {
  const Message& message;
};
struct Receive {
  const Message& message;
};
// The leader hands the layer's input to another core holding the layer.
struct HandOut {
  int32_t from;
  int32_t to;
  int64_t bytes;
};
// A core runs the copies it holds: `vectors` vectors through its crossbars (a tile's share).
struct Compute {
  size_t li;
  int32_t core;
  double crossbars;
  int64_t vectors;
  int64_t rows;
  int64_t cols;
  int64_t cycles;
};
// A row chunk's partial sums to the core reducing its column block (PartialSumTransfer).
struct PartialSums {
  int32_t from;
  int32_t to;
  int64_t bytes;
};
// A core's share of a digital vector op: partial-sum additions (reduction) or a group op.
struct VectorWork {
  int32_t core;
  bool reduction;
  ir::OpKind kind;  // when not a reduction
  double elements;
};
// A core stores a slice of what leaves for DRAM.
struct Store {
  int32_t core;
  DramTensor tensor;
  int64_t offset;  // within the sample's slot
  int64_t bytes;
};
struct LayerEnd {
  size_t li;
};
// The partition's reuse phase is over.
struct PartitionEnd {
  int32_t partition;
};

}  // namespace xbar::schedule
