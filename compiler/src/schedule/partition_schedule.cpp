#include "xbar/schedule/partition_schedule.h"

#include <algorithm>
#include <cmath>

#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/DenseSet.h>
#include <llvm/ADT/STLExtras.h>

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
  assignOwners();
  chooseTiles();
}

namespace {

// The most tiles a layer is cut into: beyond this a working set that still does not fit is
// refused (it would take more instructions per sample than any real buffer saves) [A]. A
// MatMul or Gemm over more vectors (tokens) may take one per tile, up to kMaxTokenTiles: an SD
// UNet's GEGLU projection makes 2560 channels for each of 4096 tokens, and 512 tiles left 78
// KiB per tile. Not for Convs: with 4096, plans cut resnet18_bnn's stem into 2588 tiles on
// isaac-reram, which the estimate priced 23 % faster than the simulation ran them.
constexpr int64_t kMaxTiles = 512;
constexpr int64_t kMaxTokenTiles = 4096;

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
  double state = 0;      // neuron state kept over the sample, whatever the tiles
  int64_t vectors = 1;   // per copy and sample
  int64_t maxTiles = 1;  // a Conv's tile is at least one of its vectors
  double rounds = 2;     // tiles' worth of messages that may wait untaken

  double bytes(int64_t tiles) const {
    const double perTile =
        static_cast<double>((vectors + tiles - 1) / tiles) / static_cast<double>(vectors);
    return (rounds + 1) * input / static_cast<double>(tiles) + (tiles > 1 ? halo : 0.0) +
           (outputs + (rounds + 1) * partials) * perTile + state;
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
// together, none is tiled; otherwise the core's capacity is shared in proportion to them. A
// layer that cannot fit even so and can spill its map (LayerGroup::spillableInput) spills it,
// and the tiles are chosen again. The first layer that cannot fit is recorded; the partition
// then cannot run.
void PartitionSchedule::chooseTiles() {
  spills_.assign(onCores_.size(), 0);
  while (true) {
    shortfall_.reset();
    chooseTilesOnce();
    if (!shortfall_) break;
    const size_t li = shortfall_->li;
    if (spills_[li] || !completes(li) || groups_.layer(replication_[li].layer).spillableInput < 0)
      break;
    spills_[li] = 1;
  }
  // Per layer, the latest spilling layer before it (-1: none).
  lastSpillBefore_.assign(onCores_.size(), -1);
  for (size_t li = 1; li < lastSpillBefore_.size(); ++li)
    lastSpillBefore_[li] =
        spills_[li - 1] ? static_cast<int32_t>(li - 1) : lastSpillBefore_[li - 1];
}

ir::ValueId PartitionSchedule::spilledValue(size_t li) const {
  if (!spills_[li]) return ir::kNoValue;
  const LayerGroup& g = groups_.layer(replication_[li].layer);
  return g.inputs[static_cast<size_t>(g.spillableInput)].value;
}

bool PartitionSchedule::spillsValue(ir::ValueId value) const {
  for (size_t li = 0; li < spills_.size(); ++li)
    if (spills_[li] && spilledValue(li) == value) return true;
  return false;
}

bool PartitionSchedule::readsValue(int32_t layer, ir::ValueId value) const {
  const auto li = static_cast<size_t>(layer - firstLayer_);
  for (const LayerGroup::Input& in : groups_.layer(layer).inputs)
    if (in.value == value) return readsInput(li, in);
  return false;
}

bool PartitionSchedule::readsPastSpill(size_t li, int32_t producer) const {
  const int32_t spill = lastSpillBefore_[li];
  if (spill < 0) return false;
  return !groups_.completesWithin(producer, start_, end_) || producer - firstLayer_ < spill;
}

void PartitionSchedule::chooseTilesOnce() {
  const double capacity = static_cast<double>(arch_.core.local_memory.size_kib) * 1024.0;
  struct Need {
    size_t li;
    int32_t core;
    WorkingSet set;
    double untiled;  // bytes(1), double buffered
  };
  llvm::SmallVector<Need, 64> needs;
  llvm::SmallDenseMap<int32_t, std::pair<double, int32_t>, 32> untiled;  // core -> (sum, layers)
  // Per (layer, core), in one pass each: the partial sums it loads to add to (channels, of an
  // earlier partition) and the results other copies send it (channels x copies / replicas).
  llvm::SmallDenseMap<std::pair<size_t, int32_t>, std::pair<double, double>, 32> incoming;
  for (size_t li = 0; li < runs_.size(); ++li)
    for (const ChannelRun& r : runs_[li])
      if (r.loaded)
        incoming[{li, r.core}].first += static_cast<double>(r.endChannel - r.firstChannel);
  for (const ResultTransfer& t : results_)
    incoming[{t.li, t.to}].second += static_cast<double>(t.endChannel - t.firstChannel) *
                                     (t.endCopy - t.firstCopy) / replication_[t.li].replicas;
  for (size_t li = 0; li < onCores_.size(); ++li) {
    const LayerGroup& g = groups_.layer(replication_[li].layer);
    const bool complete = completes(li);
    double leaderInput = 0;
    for (const LayerGroup::Input& in : g.inputs)
      if (readsInput(li, in)) leaderInput += in.bytes;
    double groupOutput = g.outputBytesPerSample;
    if (complete) {
      double sum = 0;
      for (const LayerGroup::Output& out : g.outputs) sum += out.bytes;
      groupOutput = std::max(groupOutput, sum);
    }
    const auto vectors = std::max<int64_t>(
        1, static_cast<int64_t>(
               std::ceil(static_cast<double>(g.vectorsPerSample) / replication_[li].replicas)));
    const double sumBytes = static_cast<double>(g.vectorsPerSample * g.partialSumBits) / 8.0;
    for (size_t k = 0; k < onCores_[li].size(); ++k) {
      const LayerOnCore& h = onCores_[li][k];
      WorkingSet w;
      const auto in = incoming.find({li, h.core});
      const double loaded = in == incoming.end() ? 0.0 : in->second.first * sumBytes;
      // The leader takes every input; another core the matrix input and what the leader
      // hands it of the values its channels read (a residual's matching channels).
      double handed = 0;
      if (complete && !g.gathered)
        for (const LayerGroup::Input& in : g.inputs)
          handed += in.use == InputUse::Aligned ? in.bytes * h.outputShare
                    : in.use == InputUse::Whole ? in.bytes
                                                : 0.0;
      // The leader receives the whole matrix input; each core keeps the halo rows of the
      // input channels its crossbars read, and another core receives only those.
      const double read = static_cast<double>(h.endInputChannel - h.firstInputChannel) /
                          static_cast<double>(std::max<int64_t>(1, g.inputExtent.channels));
      w.input = k == 0 ? std::max(leaderInput + loaded, g.inputBytesPerSample)
                       : g.inputBytesPerSample * read + handed + loaded;
      w.halo = g.haloBytesPerSample * read;
      w.outputs = groupOutput * h.outputShare;
      w.partials = in == incoming.end() ? 0.0 : in->second.second * sumBytes;
      // I and V per neuron of its share, at activation bits each [A].
      w.state = static_cast<double>(2 * g.stateNeurons * arch_.precision.activation_bits) / 8.0 *
                h.outputShare;
      w.vectors = vectors;
      // Every core gets each tile's chunk of the whole input and runs its copies' share of the
      // tile's vectors, so a Conv's tile is at least one of the layer's vectors; a Gemm's input
      // vector may be cut finer (its chunks latch into the crossbars' input registers).
      w.maxTiles = g.rowVectors > 0
                       ? std::min(kMaxTiles, g.vectorsPerSample)
                       : std::max(kMaxTiles, std::min(kMaxTokenTiles, g.vectorsPerSample));
      // A spilled map comes back, and its scaled copy leaves, one tile's piece at a time.
      if (spills_[li]) {
        const int64_t positions = g.inputs[static_cast<size_t>(g.spillableInput)].extent.positions;
        w.vectors = positions;
        w.maxTiles = std::min(kMaxTiles, positions);
      }
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

bool PartitionSchedule::completes(size_t li) const {
  return groups_.layer(replication_[li].layer).endUnit <= end_;
}

CopyTile copyTile(int64_t vectors, int32_t copy, int32_t replicas, int64_t tile, int64_t tiles) {
  const int64_t first = proportionalCut(vectors, copy, replicas);
  const int64_t n = proportionalCut(vectors, copy + 1, replicas) - first;
  const int64_t pace = (vectors + replicas - 1) / replicas;
  const int64_t before = std::min(n, proportionalCut(pace, tile, tiles));
  const int64_t done = std::min(n, proportionalCut(pace, tile + 1, tiles));
  return {first + before, first + done, before, done};
}

bool PartitionSchedule::finishes(size_t li, int32_t core) const {
  return llvm::any_of(results_,
                      [&](const ResultTransfer& t) { return t.li == li && t.to == core; });
}

// Who finishes which box of each layer's matrix output (ChannelRun). A column block's first
// unit here makes its channels; each of its copies finishes its own vectors, or, where an op
// of the group reads across positions, each core holding its copies finishes a slice of the
// channels over all vectors (in a gathered group completing here, the leader finishes all).
// A later row chunk's copies send their partial sums to the cores finishing the same box. Channels
// an earlier partition made wholly are the leader's (it loads them); a block whose first chunks
// were earlier is loaded by its finishers here.
void PartitionSchedule::assignOwners() {
  runs_.assign(replication_.size(), {});
  results_.clear();
  Additions additions;
  Finishers finishers;
  size_t currentLayer = replication_.size();
  for (size_t i = 0; i < placement_.size();) {
    // The placements of one unit are consecutive: [i, next).
    size_t next = i + 1;
    while (next < placement_.size() && placement_[next].unit == placement_[i].unit) ++next;
    const int32_t u = placement_[i].unit;
    const UnitProfile& unit = groups_.unit(u);
    const auto li = static_cast<size_t>(unit.layer - firstLayer_);
    if (li != currentLayer) {
      currentLayer = li;
      // Channels made wholly before are the leader's; it loads their sums.
      const LayerGroup& g = groups_.layer(unit.layer);
      const int64_t firstHere = groups_.unit(std::max(start_, g.firstUnit)).firstChannel;
      if (completes(li) && firstHere > 0)
        addRun(li, {leader(li), 0, firstHere, 0, g.vectorsPerSample, true, false});
    }
    // A unit begins a block unless it is a later row chunk of one begun here.
    if (unit.reducer == u || u == start_)
      finishBlock(i, next, li, u == start_ && unit.reducer != u, finishers);
    sendResults(i, next, li, finishers, additions);
    i = next;
  }
  // A core that takes results from other cores finishes them in a thread of its own (the
  // program's), so its own copies hand theirs to that thread too; elsewhere a core's own
  // results need no transfer.
  llvm::SmallDenseSet<std::pair<size_t, int32_t>, 16> receivers;
  for (const ResultTransfer& t : results_)
    if (t.from != t.to) receivers.insert({t.li, t.to});
  llvm::erase_if(results_, [&](const ResultTransfer& t) {
    return t.from == t.to && !receivers.contains({t.li, t.to});
  });
  tallyCores(additions);
}

void PartitionSchedule::addRun(size_t li, const ChannelRun& run) {
  auto& runs = runs_[li];
  if (!runs.empty()) {
    ChannelRun& last = runs.back();
    if (last.core == run.core && last.endChannel == run.firstChannel &&
        last.firstVector == run.firstVector && last.endVector == run.endVector && !last.loaded &&
        !run.loaded && last.madeHere && run.madeHere) {
      last.endChannel = run.endChannel;
      return;
    }
  }
  runs.push_back(run);
}

// The finishers of the block whose first unit here has placements [first, end).
void PartitionSchedule::finishBlock(size_t first, size_t end, size_t li, bool loaded,
                                    Finishers& finishers) {
  const UnitProfile& unit = groups_.unit(placement_[first].unit);
  const LayerGroup& g = groups_.layer(unit.layer);
  const int32_t replicas = replication_[li].replicas;
  const int64_t vectors = g.vectorsPerSample;
  const int64_t channels = unit.endChannel - unit.firstChannel;
  finishers.clear();
  if (completes(li) && g.gathered) {
    finishers.push_back({leader(li), unit.firstChannel, unit.endChannel, 0, replicas});
    addRun(li, {leader(li), unit.firstChannel, unit.endChannel, 0, vectors, loaded});
    return;
  }
  const bool slices = completes(li) && g.allPositions;
  const auto cores = static_cast<int64_t>(end - first);
  int32_t copies = 0;
  for (size_t k = first; k < end; ++k) {
    const Placement& p = placement_[k];
    if (!slices) {  // each copy finishes its own vectors
      finishers.push_back({p.core, unit.firstChannel, unit.endChannel, copies, copies + p.copies});
      addRun(li, {p.core, unit.firstChannel, unit.endChannel,
                  proportionalCut(vectors, copies, replicas),
                  proportionalCut(vectors, copies + p.copies, replicas), loaded});
    } else {
      // An op reads across positions: each core holding copies finishes a slice of the
      // channels over all vectors, so the work and the traffic spread over them.
      const auto n = static_cast<int64_t>(k - first);
      const int64_t from = unit.firstChannel + proportionalCut(channels, n, cores);
      const int64_t to = unit.firstChannel + proportionalCut(channels, n + 1, cores);
      if (from < to) {
        finishers.push_back({p.core, from, to, 0, replicas});
        addRun(li, {p.core, from, to, 0, vectors, loaded});
      }
    }
    copies += p.copies;
  }
}

// Every placement [first, end) of a unit of the block sends each finisher what its copies make
// of the finisher's box (copies on the finisher itself hand over locally, where needed).
void PartitionSchedule::sendResults(size_t first, size_t end, size_t li, const Finishers& finishers,
                                    Additions& additions) {
  const UnitProfile& unit = groups_.unit(placement_[first].unit);
  const int32_t replicas = replication_[li].replicas;
  const int64_t vectors = groups_.layer(unit.layer).vectorsPerSample;
  int32_t copies = 0;
  for (size_t k = first; k < end; ++k) {
    const Placement& p = placement_[k];
    for (const Finisher& f : finishers) {
      const int32_t c0 = std::max(copies, f.firstCopy);
      const int32_t c1 = std::min(copies + p.copies, f.endCopy);
      if (c0 >= c1) continue;
      results_.push_back({li, p.core, f.core, f.first, f.end, c0, c1});
      additions[{li, f.core}] += static_cast<double>(
          unit.rowTiles * (f.end - f.first) *
          (proportionalCut(vectors, c1, replicas) - proportionalCut(vectors, c0, replicas)));
    }
    copies += p.copies;
  }
}

// Each core's share of the outputs and its partial-sum additions: every column sum of its
// units' crossbars but the first of each element, and one more per element loaded to add to.
void PartitionSchedule::tallyCores(const Additions& additions) {
  llvm::SmallDenseMap<int32_t, std::pair<double, double>, 16> perCore;  // share, elements
  for (size_t li = 0; li < runs_.size(); ++li) {
    const LayerGroup& g = groups_.layer(replication_[li].layer);
    const double whole = static_cast<double>(g.channels * g.vectorsPerSample);
    perCore.clear();
    for (const ChannelRun& r : runs_[li]) {
      auto& [share, counted] = perCore[r.core];
      share += static_cast<double>(r.elements()) / whole;
      if (r.madeHere && !r.loaded) counted += static_cast<double>(r.elements());
    }
    for (LayerOnCore& h : onCores_[li]) {
      const auto it = perCore.find(h.core);
      const auto added = additions.find({li, h.core});
      h.outputShare = it == perCore.end() ? 0.0 : it->second.first;
      h.reductionOps = (added == additions.end() ? 0.0 : added->second) -
                       (it == perCore.end() ? 0.0 : it->second.second);
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
