// The typed steps of a partition's walk (walk.h). Every visitor sees the same steps in the
// same order: the cost model prices them, the code generator turns them into instructions.
// A new kind of work is a new step, and each visitor says what it means.
#pragma once

#include <cstdint>
#include <vector>

#include "xbar/ir/op_kind.h"
#include "xbar/ir/value.h"
#include "xbar/schedule/box.h"
#include "xbar/schedule/layer_groups.h"
#include "xbar/schedule/partition_schedule.h"
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
  double bytes;  // at the layer's weight bits; the program moves wholeBytes(bytes)
  int32_t firstCrossbar;
  int32_t crossbars;  // of one copy
};
// ... and sends them once to each other core holding copies.
struct CopyWeights {
  int32_t from;
  int32_t to;
  int32_t unit;
  int64_t bytes;
};
// A core programs the crossbars of the copies it holds.
struct WriteCrossbars {
  int32_t core;
  int32_t unit;
  int32_t firstCrossbar;
  int32_t firstCopy;  // copies of a unit are numbered across cores, in placement order
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
  double crossbars;       // of the layer's units here, one copy each
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
// A core loads a box of a tensor from DRAM: the leader a value it is the first here to read,
// a core finishing channels the partial sums an earlier partition stored of them (a tiled
// layer: one piece per tile).
struct Load {
  size_t li;
  int32_t core;
  DramTensor tensor;
  Box box;
  int64_t offset;  // within the sample's slot
  int64_t bytes;
  ir::ValueId value;  // ir::kNoValue for a layer's partial outputs
};
// A layer that spills its map (PartitionSchedule::spills) begins piece `piece` of `pieces`
// after its matrix op: its finishing cores load the piece back (Reload), scale it (VectorWork)
// and store and post what it makes.
struct Drain {
  size_t li;
  int32_t piece;
  int32_t pieces;
};
// A core finishing a spilling layer loads back a box of the map it spilled: after the matrix
// op, so its time adds to the layer's.
struct Reload {
  size_t li;
  int32_t core;
  ir::ValueId value;
  Box box;
  int64_t offset;  // within the sample's slot
  int64_t bytes;
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
  ir::ValueId value;  // what it carries a box of
  Box box;
  int32_t piece;  // the receiver takes it for its tile `piece`
};
struct Post {
  const Message& message;
};
struct Receive {
  const Message& message;
};
// The leader hands another core a box of an input: the matrix input to every core holding
// the layer, and to a core finishing channels what its channels read of other values.
struct HandOut {
  int32_t from;
  int32_t to;
  ir::ValueId value;
  Box box;
  int64_t bytes;
};
// A core runs the copies it holds over their vectors of tile `tile` of `tiles` (copyTile):
// each runs at most `vectors` of them.
struct Compute {
  size_t li;
  int32_t core;
  double crossbars;
  int32_t tile;
  int32_t tiles;
  int64_t vectors;
  int64_t rows;
  int64_t cols;
  int64_t cycles;
};
// What a placement's copies make of channels another core finishes (ResultTransfer) in tile
// `tile` of `tiles`: per copy the box of the layer's matrix output (channels by the copy's
// vectors, copyTile) at partial-sum bits.
struct PartialSums {
  size_t li;
  int32_t from;
  int32_t to;
  ResultTransfer transfer;
  int32_t tile;
  int32_t tiles;
  int64_t bytes;
};
// A core's share of a digital vector op: partial-sum additions (reduction) or a group op on
// the channels it finishes.
struct VectorWork {
  size_t li;
  int32_t core;
  bool reduction;
  ir::OpKind kind;  // when not a reduction
  double elements;
};
// A core stores a box of what leaves for DRAM.
struct Store {
  int32_t core;
  DramTensor tensor;
  ir::ValueId value;  // ir::kNoValue for a layer's partial outputs
  Box box;
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
