#include "xbar/schedule/partition_schedule.h"

#include <algorithm>
#include <cmath>

#include <llvm/ADT/DenseMap.h>

namespace xbar::schedule {

PartitionSchedule::PartitionSchedule(const LayerGroups& groups, const arch::ArchConfig& arch,
                                     int32_t start, int32_t end,
                                     const std::vector<LayerReplication>& replication)
    : groups_(groups),
      arch_(arch),
      start_(start),
      end_(end),
      firstLayer_(groups.unit(start).layer),
      replication_(replication),
      placement_(placeUnits(groups, arch, start, end, replication)),
      onCores_(schedule::layersOnCores(groups, arch, start, replication, placement_)) {
  for (const LayerReplication& r : replication)
    splits_.push_back(groups.outputSplit(r.layer, start, end));
  routePartialSums();
  chooseTiles();
}

namespace {

// The most tiles a layer is cut into: beyond this a working set that still does not fit is
// refused (it would take more instructions per sample than any real buffer saves).
constexpr int64_t kMaxTiles = 512;

// A core's working set for one layer when a sample streams in `tiles` tiles: the input chunk
// it works on and `rounds` more that credits let producers post ahead (2: double buffering;
// 1 where that does not fit), the line buffer's halo rows, and the share of outputs and incoming
// partial sums its largest tile makes (outputs appear with vectors; a layer with fewer vectors than
// tiles, a Gemm, latches its input chunks into the crossbars' input registers and runs at the end).
struct WorkingSet {
  double input = 0;      // per sample
  double halo = 0;       // per sample
  double outputs = 0;    // per sample, this core's share
  double partials = 0;   // partial sums reduced here, per sample
  int64_t vectors = 1;   // per copy and sample
  int64_t maxTiles = 1;  // a Conv's tile is at least one of its vectors
  double rounds = 2;     // tiles' worth of messages that may wait untaken

  double bytes(int64_t tiles) const {
    const double perTile =
        static_cast<double>((vectors + tiles - 1) / tiles) / static_cast<double>(vectors);
    return (rounds + 1) * input / static_cast<double>(tiles) + (tiles > 1 ? halo : 0.0) +
           (outputs + (rounds + 1) * partials) * perTile;
  }
  // The fewest tiles that fit `budget`, or 0 when even the most do not. Beyond one tile (no
  // halo) the working set only falls as tiles grow: a binary search.
  int64_t fewestTiles(double budget) const {
    if (bytes(1) <= budget) return 1;
    if (maxTiles < 2 || bytes(maxTiles) > budget) return 0;
    int64_t low = 2, high = maxTiles;  // bytes(high) fits
    while (low < high) {
      const int64_t mid = low + (high - low) / 2;
      if (bytes(mid) <= budget)
        high = mid;
      else
        low = mid + 1;
    }
    return high;
  }
};

}  // namespace

// Each layer streams a sample in as few tiles as let every core holding it keep its working
// set in its share of local memory. Where the untiled working sets of a core's layers fit
// together, none is tiled; otherwise the core's capacity is shared in proportion to them. The
// first layer that cannot fit is recorded; the partition then cannot run.
void PartitionSchedule::chooseTiles() {
  const double capacity = static_cast<double>(arch_.core.local_memory.size_kib) * 1024.0;
  struct Need {
    size_t li;
    int32_t core;
    WorkingSet set;
    double untiled;  // bytes(1), double buffered
  };
  llvm::SmallVector<Need, 64> needs;
  llvm::SmallDenseMap<int32_t, std::pair<double, int32_t>, 32> untiled;  // core -> (sum, layers)
  for (size_t li = 0; li < onCores_.size(); ++li) {
    const LayerGroup& g = groups_.layer(replication_[li].layer);
    const bool complete = g.endUnit <= end_;
    double leaderInput = 0;
    for (const LayerGroup::Input& in : g.inputs) leaderInput += in.bytes;
    if (complete) leaderInput += splits_[li].before * g.outputBytesPerSample;
    double groupOutput = g.outputBytesPerSample;
    if (complete) {
      double sum = 0;
      for (const LayerGroup::Output& out : g.outputs) sum += out.bytes;
      groupOutput = std::max(groupOutput, sum);
    }
    const auto vectors = std::max<int64_t>(
        1, static_cast<int64_t>(
               std::ceil(static_cast<double>(g.vectorsPerSample) / replication_[li].replicas)));
    for (size_t k = 0; k < onCores_[li].size(); ++k) {
      const LayerOnCore& h = onCores_[li][k];
      WorkingSet w;
      w.input = std::max(k == 0 ? leaderInput : 0.0, g.inputBytesPerSample);
      w.halo = g.haloBytesPerSample;
      w.outputs = groupOutput * std::max(0.0, h.outputShare);
      for (const PartialSumTransfer& t : partialSums_)
        if (t.li == li && t.to == h.core) w.partials += t.columnShare * g.partialSumBytesPerSample;
      w.vectors = vectors;
      // Every core gets each tile's chunk of the whole input and runs its copies' share of the
      // tile's vectors, so a Conv's tile is at least one of the layer's vectors; a Gemm's input
      // vector may be cut finer (its chunks latch into the crossbars' input registers).
      w.maxTiles = g.rowVectors > 0 ? std::min(kMaxTiles, g.vectorsPerSample) : kMaxTiles;
      auto& [sum, layers] = untiled[h.core];
      sum += w.bytes(1);
      ++layers;
      needs.push_back({li, h.core, w, w.bytes(1)});
    }
  }
  llvm::SmallVector<int32_t, 32> tiles(onCores_.size(), 1);
  rounds_.assign(onCores_.size(), 2);
  // Double buffering where every core of the layer can tile to it, else single buffering.
  for (int32_t rounds : {2, 1})
    for (Need& n : needs) {
      if (rounds_[n.li] != rounds) continue;
      const auto& [sum, layers] = untiled[n.core];
      if (sum <= capacity) continue;
      const double budget = capacity * n.untiled / sum;
      n.set.rounds = rounds;
      const int64_t fewest = n.set.fewestTiles(budget);
      if (fewest > 0) {
        tiles[n.li] = std::max(tiles[n.li], static_cast<int32_t>(fewest));
      } else if (rounds == 2) {
        rounds_[n.li] = 1;
        tiles[n.li] = 1;  // chosen again for one round
      } else if (!shortfall_) {
        shortfall_ =
            LocalMemoryShortfall{n.li, n.core, n.set.bytes(n.set.maxTiles), budget, layers};
      }
    }
  // Every layer of the partition streams a sample in the same tiles, so that all move through
  // it in step: a layer that joins two paths from one producer (a residual add) gets round t
  // of both while the producer is at most its buffered rounds ahead. With tiles chosen per
  // layer, a producer feeding a finely tiled join and a coarsely tiled branch to it runs out
  // of credits on the join before the branch has what it needs: a deadlock (seen on resnet50).
  // More tiles only shrink a working set (the halo is at most the input), so all still fit.
  tiles_ = *std::max_element(tiles.begin(), tiles.end());
}

// A row chunk's copies send their partial sums to the core of their column block's first chunk
// here, which reduces them and so holds the block's outputs: the chunk's share of the layer's
// outputs moves to that core.
void PartitionSchedule::routePartialSums() {
  for (size_t i = 0; i < placement_.size(); ++i) {
    const Placement& p = placement_[i];
    const UnitProfile& unit = groups_.unit(p.unit);
    const int32_t reducer = std::max(unit.reducer, start_);
    if (reducer == p.unit) continue;
    size_t r = i;
    while (placement_[r].unit != reducer) --r;  // placements run in unit order
    while (r > 0 && placement_[r - 1].unit == reducer) --r;
    const int32_t to = placement_[r].core;
    const auto li = static_cast<size_t>(unit.layer - firstLayer_);
    const double copies = static_cast<double>(p.copies) / replication_[li].replicas;
    if (to == p.core) continue;
    partialSums_.push_back({li, p.core, to, unit.columnFraction * copies});
    for (LayerOnCore& h : onCores_[li]) {
      if (h.core == p.core) h.outputShare -= unit.outputFraction * copies;
      if (h.core == to) h.outputShare += unit.outputFraction * copies;
    }
  }
}

llvm::SmallVector<CrossbarSpan, 4> PartitionSchedule::crossbarSpans(size_t li, int32_t core) const {
  const int32_t layer = replication_[li].layer;
  llvm::SmallVector<CrossbarSpan, 4> spans;
  for (const Placement& pl : placement_) {
    const UnitProfile& unit = groups_.unit(pl.unit);
    if (pl.core != core || unit.layer != layer) continue;
    const int32_t end = pl.firstCrossbar + pl.copies * static_cast<int32_t>(unit.crossbars);
    if (!spans.empty() && spans.back().end == pl.firstCrossbar)
      spans.back().end = end;
    else
      spans.push_back({pl.firstCrossbar, end});
  }
  return spans;
}

}  // namespace xbar::schedule
