// The one walk of a partition (docs/design.md §5): every step the partition takes, in the
// order the program takes them. The cost model prices a partition by visiting one sample's
// walk; the code generator emits the program by visiting every sample's. A change to what a
// partition does is made here once, and both see it.
//
// Replace phase: the core of each unit's first copy loads the unit's weights and sends them
// once to every other core holding copies; each core writes the copies it holds; a barrier.
// Reuse phase, per sample and layer: the leader (the layer's first core) loads the DRAM inputs
// it is the first in the partition to read (and forwards them to later readers), loads what
// earlier partitions made of a layer split across partitions, receives the rest, and hands
// the input to the layer's other cores; every core runs its copies and its share of the
// vector work; every core stores its slice of what leaves for DRAM and posts its slice of what
// later layers read to their leaders. A layer whose working set does not fit local memory
// does all this per tile (PartitionSchedule::tiles): the program walks it tile by tile, the
// pricer whole (Tiling), with the same totals.
//
// A visitor is any callable with an overload per step type (steps.h). Templates, not virtual
// calls: the partitioners price millions of partitions, and the walk allocates nothing once
// its inbox has grown.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <llvm/ADT/SmallVector.h>

#include "xbar/schedule/partition_schedule.h"
#include "xbar/schedule/steps.h"

namespace xbar::schedule {

// Messages posted to later layers of the sample, received in posting order: one list per
// receiving layer and tile, threaded through one array so that posting allocates nothing once
// grown.
class Inbox {
 public:
  // `layers` layers of `tiles` tiles each.
  void reset(size_t layers, size_t tiles) {
    entries_.clear();
    tiles_ = tiles;
    head_.assign(layers * tiles, -1);
    tail_.assign(layers * tiles, -1);
  }
  const Message& post(const Message& m) {
    const auto id = static_cast<int32_t>(entries_.size());
    entries_.push_back({m, -1});
    Entry& e = entries_.back();
    e.message.id = id;
    const size_t list = m.consumer * tiles_ + static_cast<size_t>(m.piece);
    int32_t& tail = tail_[list];
    (tail < 0 ? head_[list] : entries_[static_cast<size_t>(tail)].next) = id;
    tail = id;
    return e.message;
  }
  // The messages layer `consumer` takes for its tile `piece`, in posting order.
  template <class F>
  void forEach(size_t consumer, int64_t piece, F&& f) const {
    const size_t list = consumer * tiles_ + static_cast<size_t>(piece);
    for (int32_t i = head_[list]; i >= 0; i = entries_[static_cast<size_t>(i)].next)
      f(entries_[static_cast<size_t>(i)].message);
  }

 private:
  struct Entry {
    Message message;
    int32_t next;
  };
  std::vector<Entry> entries_;
  size_t tiles_ = 1;  // lists per layer
  std::vector<int32_t> head_, tail_;
};

// How the walk takes a tiled layer: tile by tile (the program), or as one step of each kind
// with the layer's totals (the pricer, which adds the tiles' per-chunk latencies from
// LayerStart::tiles itself). Every count is the same either way: the tiles' pieces are whole
// cuts of the layer's totals.
enum class Tiling { PerTile, Whole };

template <class Visitor>
void walkReplace(const PartitionSchedule& s, Visitor& visit) {
  const LayerGroups& groups = s.groups();
  const std::vector<Placement>& placement = s.placement();
  int32_t primary = -1;
  for (size_t i = 0; i < placement.size(); ++i) {
    const Placement& pl = placement[i];
    const UnitProfile& unit = groups.unit(pl.unit);
    const auto crossbars = static_cast<int32_t>(unit.crossbars);
    if (i == 0 || placement[i - 1].unit != pl.unit) {
      primary = pl.core;
      visit(LoadWeights{pl.core, pl.unit, unit.weightBytes, pl.firstCrossbar, crossbars});
    } else if (pl.core != primary) {
      visit(CopyWeights{primary, pl.core, wholeBytes(unit.weightBytes)});
    }
    visit(WriteCrossbars{pl.core, pl.unit, pl.firstCrossbar, pl.copies, unit});
  }
}

namespace detail {

inline int32_t tilesOf(const PartitionSchedule& s, Tiling tiling) {
  return tiling == Tiling::PerTile ? s.tiles() : 1;
}

template <class Visitor>
void post(Inbox& inbox, Visitor& visit, const Message& m) {
  if (m.bytes <= 0) return;
  visit(Post{inbox.post(m)});
}

// Bytes of piece i when `total` is cut into `parts` equal pieces.
inline int64_t evenPiece(int64_t total, int64_t i, int64_t parts) {
  return proportionalCut(total, i + 1, parts) - proportionalCut(total, i, parts);
}

// Bytes a later layer reads, cut into that layer's tiles: piece j goes once the source has
// `done` of `of` of them (loaded, or made), so a tiled consumer starts on its first piece.
// Posted across all streams of a layer in order of the fraction they end at, so that every
// layer moves through a sample in the same direction (no thread waits on a piece that waits
// on it: deadlock freedom with per-pair credits).
struct Stream {
  int32_t from;
  int32_t to;
  int64_t total;
  size_t consumer;
  int32_t parts;
  int32_t producer;
  ir::ValueId value;
  int32_t next = 0;
};
using Streams = llvm::SmallVector<Stream, 16>;

template <class Visitor>
void postReady(Streams& streams, int64_t done, int64_t of, Inbox& inbox, Visitor& visit) {
  while (true) {
    Stream* first = nullptr;
    for (Stream& st : streams) {
      if (st.next >= st.parts) continue;
      // piece `next` ends at (next + 1) / parts of the data: ready once that is <= done / of
      if ((st.next + 1) * of > done * st.parts) continue;
      if (!first || (st.next + 1) * static_cast<int64_t>(first->parts) <
                        (first->next + 1) * static_cast<int64_t>(st.parts))
        first = &st;
    }
    if (!first) return;
    post(inbox, visit,
         {0, first->from, first->to, evenPiece(first->total, first->next, first->parts),
          first->consumer, first->producer, first->value, first->next});
    ++first->next;
  }
}

// A DRAM value the layer is the first here to read: loaded chunk by chunk by the leader and
// forwarded to later readers here.
struct DramInput {
  ir::ValueId value;
  int64_t bytes;
  Streams forwards;
};

// One sample through layer li, tile by tile. Per tile: the leader loads its chunk of the DRAM
// inputs it is the first in the partition to read (forwarding the pieces later readers need),
// and of the share earlier partitions stored of a layer split across partitions; it receives
// the pieces posted to this tile and hands the chunk to the layer's other cores; every core
// runs its copies over the tile's vectors, sends their partial sums and does its share of the
// vector work; then every core stores the tile's part of its slice of what leaves for DRAM
// and posts the pieces later layers here can now take. With one tile this is the whole layer.
// Longer than most functions: the streams set up first are what every tile posts from, and
// the tile's steps must reach every visitor in exactly this order.
template <class Visitor>
void walkLayer(const PartitionSchedule& s, const LayerStart& at, Inbox& inbox, Visitor& visit,
               Tiling tiling) {
  const LayerGroups& groups = s.groups();
  const LayerGroup& g = at.group;
  const size_t li = at.li;
  const int32_t leader = s.leader(li);
  const std::vector<LayerOnCore>& here = s.cores(li);
  const int32_t lastLayer = s.firstLayer() + static_cast<int32_t>(s.layerCount()) - 1;
  const int64_t tiles = tiling == Tiling::PerTile ? at.tiles : 1;
  const auto vectors = static_cast<int64_t>(at.vectorsPerCopy);

  llvm::SmallVector<DramInput, 4> loads;
  for (const LayerGroup::Input& in : g.inputs) {
    if (groups.completesWithin(in.producer, s.start(), s.end())) continue;
    const auto readers = groups.readersOf(in.value);
    const auto first = std::lower_bound(readers.begin(), readers.end(), s.firstLayer());
    if (*first != at.layer) continue;  // an earlier layer here loads it and posts it on
    DramInput d{in.value, wholeBytes(in.bytes), {}};
    for (auto r = first + 1; r != readers.end() && *r <= lastLayer; ++r) {
      const auto later = static_cast<size_t>(*r - s.firstLayer());
      d.forwards.push_back(
          {leader, s.leader(later), d.bytes, later, tilesOf(s, tiling), -1, in.value});
    }
    loads.push_back(std::move(d));
  }
  const int64_t splitBytes =
      at.complete && at.split.before > 0 ? wholeBytes(at.split.before * g.outputBytesPerSample) : 0;
  const int64_t handOutBytes = wholeBytes(g.inputBytesPerSample);

  // What leaves: stores of each core's slices, posts of each core's slice to later layers.
  struct Store1 {
    int32_t core;
    DramTensor tensor;
    int64_t offset;
    int64_t bytes;
  };
  llvm::SmallVector<Store1, 16> stores;
  Streams posts;
  auto addStores = [&](DramTensor tensor, int64_t offset, int64_t total, const Shares& shares) {
    const Slices slices = sliceBytes(total, shares);
    for (size_t i = 0; i < slices.size(); ++i) {
      if (slices[i] > 0) stores.push_back({here[i].core, tensor, offset, slices[i]});
      offset += slices[i];
    }
  };
  if (!at.complete) {
    addStores(DramTensor::partialOutputs(at.layer),
              wholeBytes(at.split.before * g.outputBytesPerSample),
              wholeBytes(at.split.here * g.outputBytesPerSample), partialShares(here, at.split));
  } else {
    const bool postsHere = !g.consumers.empty() && g.consumers.front().layer <= lastLayer;
    const bool storesHere = std::any_of(
        g.outputs.begin(), g.outputs.end(),
        [&](const LayerGroup::Output& out) { return groups.leavesPartition(out, s.end()); });
    if (postsHere || storesHere) {
      const Shares shares = completeShares(here, at.split);
      for (const LayerGroup::Output& out : g.outputs)
        if (groups.leavesPartition(out, s.end()))
          addStores(DramTensor::value(out.value), 0, wholeBytes(out.bytes), shares);
      for (const LayerGroup::Consumer& c : g.consumers) {
        if (c.layer > lastLayer) break;
        const auto later = static_cast<size_t>(c.layer - s.firstLayer());
        const Slices slices = sliceBytes(wholeBytes(c.bytes), shares);
        for (size_t i = 0; i < slices.size(); ++i)
          posts.push_back({here[i].core, s.leader(later), slices[i], later, tilesOf(s, tiling),
                           static_cast<int32_t>(li), ir::kNoValue});
      }
    }
  }

  const double held = at.crossbars * at.replicas;
  for (int64_t t = 0; t < tiles; ++t) {
    visit(Tile{li, static_cast<int32_t>(t)});
    // Inputs.
    // A tiled layer skips empty pieces (an input smaller than its tile count).
    for (DramInput& d : loads) {
      if (const int64_t piece = evenPiece(d.bytes, t, tiles); tiles == 1 || piece > 0)
        visit(Load{li, leader, DramTensor::value(d.value), proportionalCut(d.bytes, t, tiles),
                   piece, d.value});
      postReady(d.forwards, t + 1, tiles, inbox, visit);
    }
    if (const int64_t piece = evenPiece(splitBytes, t, tiles); splitBytes > 0 && piece > 0)
      visit(Load{li, leader, DramTensor::partialOutputs(at.layer),
                 proportionalCut(splitBytes, t, tiles), piece, ir::kNoValue});
    inbox.forEach(li, t, [&](const Message& m) { visit(Receive{m}); });
    for (size_t i = 1; i < here.size(); ++i)
      visit(HandOut{leader, here[i].core, evenPiece(handOutBytes, t, tiles)});

    // The tile's vectors: every core's copies, partial sums, vector work.
    const int64_t before = proportionalCut(vectors, t, tiles);
    const int64_t done = proportionalCut(vectors, t + 1, tiles);
    if (done > before) {
      for (const LayerOnCore& h : here)
        visit(Compute{li, h.core, h.crossbars, done - before, g.activeRows, g.activeColumns,
                      g.inputCycles});
      for (const PartialSumTransfer& p : s.partialSums())
        if (p.li == li) {
          const int64_t total = wholeBytes(p.columnShare * g.partialSumBytesPerSample);
          visit(PartialSums{
              p.from, p.to,
              proportionalCut(total, done, vectors) - proportionalCut(total, before, vectors)});
        }
      for (const LayerOnCore& h : here) {
        const double share = h.crossbars / held;
        // A core adds the partial sums of the outputs it holds: its own units' row tiles, and
        // the row chunks it reduces (PartitionSchedule moved their outputs to it).
        // Whole element ops, cut by the tile's vectors so that the tiles add up to the layer.
        auto work = [&](bool reduction, ir::OpKind kind, double elements) {
          const int64_t total = wholeBytes(elements);
          const int64_t piece =
              proportionalCut(total, done, vectors) - proportionalCut(total, before, vectors);
          if (tiles == 1 || piece > 0)
            visit(VectorWork{h.core, reduction, kind, static_cast<double>(piece)});
        };
        if (g.reductionOpsPerSample > 0)
          work(true, ir::OpKind::Add, g.reductionOpsPerSample * std::max(0.0, h.outputShare));
        if (!at.complete) continue;
        for (const auto& [kind, ops] : g.vectorOps) work(false, kind, ops * share);
      }
    }

    // Outputs: the tile's part of every slice.
    for (const Store1& st : stores) {
      const int64_t from = proportionalCut(st.bytes, before, vectors);
      const int64_t bytes = proportionalCut(st.bytes, done, vectors) - from;
      if (bytes > 0) visit(Store{st.core, st.tensor, st.offset + from, bytes});
    }
    // Pieces go by tile, not by the vectors made so far: with the partition's layers in the
    // same tiles, every layer posts round t after its tile t, so a chain of layers adds no lag
    // (rounding vectors down would delay a piece by a tile per layer, and a long enough chain
    // beside a residual would outrun the join's credits).
    postReady(posts, t + 1, tiles, inbox, visit);
  }
}

}  // namespace detail

// One sample through the partition's layers.
template <class Visitor>
void walkSample(const PartitionSchedule& s, int64_t sample, Inbox& inbox, Visitor& visit,
                Tiling tiling = Tiling::PerTile) {
  const LayerGroups& groups = s.groups();
  visit(SampleStart{sample});
  inbox.reset(s.layerCount(), static_cast<size_t>(detail::tilesOf(s, tiling)));
  for (size_t li = 0; li < s.layerCount(); ++li) {
    const LayerReplication& r = s.replication()[li];
    const LayerGroup& g = groups.layer(r.layer);
    double crossbars = 0;
    for (int32_t u = std::max(s.start(), g.firstUnit); u < std::min(s.end(), g.endUnit); ++u)
      crossbars += static_cast<double>(groups.unit(u).crossbars);
    const OutputSplit& split = s.split(li);
    const bool complete = g.endUnit <= s.end();
    const LayerStart at{li,        r.layer,
                        g,         r.replicas,
                        crossbars, split,
                        complete,  std::ceil(static_cast<double>(g.vectorsPerSample) / r.replicas),
                        s.tiles(), s.cores(li)};
    visit(at);
    detail::walkLayer(s, at, inbox, visit, tiling);
    visit(LayerEnd{li});
  }
}

// The whole partition: replace, barrier, `samples` samples, end.
template <class Visitor>
void walkPartition(const PartitionSchedule& s, int32_t partition, int64_t samples, Visitor& visit,
                   Tiling tiling = Tiling::PerTile) {
  walkReplace(s, visit);
  visit(Barrier{partition});
  thread_local Inbox inbox;
  for (int64_t b = 0; b < samples; ++b) walkSample(s, b, inbox, visit, tiling);
  visit(PartitionEnd{partition});
}

}  // namespace xbar::schedule
