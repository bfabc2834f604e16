// Which elements of a layer group's values each core holds (docs/design.md §5, "Who holds
// which outputs"). A core that owns a run of the matrix op's output channels finishes them:
// it runs the group's vector ops on those channels and stores and posts what they make. That
// works where every op of the group keeps channels apart (activations, pooling, a residual
// add, concatenation, flattening); an op that mixes channels (softmax over them, a transpose)
// makes the group *gathered*: its leader finishes all of it.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "xbar/ir/graph.h"

namespace xbar::schedule {

// One sample of a value as the schedule cuts it: channels (dimension 1) by positions (the
// product of the dimensions after it). A value of rank below 2: channels = its elements per
// sample, one position.
struct Extent {
  int64_t channels = 1;
  int64_t positions = 1;
  // Blocks of positions ahead of the channels in memory: a spiking network's time steps (its
  // values are (T, C, ...) per sample, position p = step x positions/T + the rest); 1 else.
  int64_t steps = 1;
  int64_t elements() const { return channels * positions; }
  // The element of channel c at position p in the value's C-order layout.
  int64_t index(int64_t c, int64_t p) const {
    if (steps == 1) return c * positions + p;
    const int64_t inner = positions / steps;
    return (p / inner) * channels * inner + c * inner + p % inner;
  }
  int64_t channelOf(int64_t i) const {
    return steps == 1 ? i / positions : i / (positions / steps) % channels;
  }
  int64_t positionOf(int64_t i) const {
    if (steps == 1) return i % positions;
    const int64_t inner = positions / steps;
    return i / (channels * inner) * inner + i % inner;
  }
};
Extent extentOf(const ir::Graph& graph, ir::ValueId value, int64_t samples);

// Matrix output channel c of the group makes channels [offset + c x scale, offset + (c + 1)
// x scale) of a value (scale > 1 after a flatten).
struct ChannelMap {
  int64_t offset = 0;
  int64_t scale = 1;
};

// How one value of a group depends on the group's matrix output channels.
struct ValueFlow {
  bool known = false;  // false: some op on the way mixes channels
  bool pre = false;    // made before the matrix op, from outside values (the leader makes it)
  ChannelMap map;
};

// How a group reads a value made outside it (by another group, or a graph input).
enum class InputUse {
  Matrix,   // the matrix op's input: every core holding the layer takes all of it
  Leader,   // only the leader needs it (a concatenated part the leader finishes)
  Aligned,  // read channel by channel with the matrix output (a residual): each owner needs
            // the channels matching its own, through `map`
  Whole,    // read whole by every owner (broadcast along channels)
};

struct GroupFlow {
  bool gathered = false;
  // An op reads other positions of a channel than the one it makes (a pooling window, a
  // global pool, a flatten of many positions): the copies of a unit, which split the
  // positions, hand their results to one core.
  bool allPositions = false;
  std::vector<std::pair<ir::ValueId, ValueFlow>> values;  // values made in the group
  std::vector<std::pair<ir::ValueId, std::pair<InputUse, ChannelMap>>> inputs;
};

// The flow of every group: `groupOfNode` from the group assignment, `matrixNodes` the matrix
// node of each group, `channels` and `vectors` its matrix output's channels and vectors per
// sample.
std::vector<GroupFlow> channelFlows(const ir::Graph& graph, const std::vector<int32_t>& groupOfNode,
                                    const std::vector<ir::NodeId>& matrixNodes,
                                    const std::vector<int64_t>& channels,
                                    const std::vector<int64_t>& vectors, int64_t samples);

}  // namespace xbar::schedule
