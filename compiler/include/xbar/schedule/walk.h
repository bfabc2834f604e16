// The one walk of a partition (docs/design.md §5): every step the partition takes, in the
// order the program takes them. The cost model prices a partition by visiting one sample's
// walk; the code generator emits the program by visiting every sample's. A change to what a
// partition does is made here once, and both see it.
//
// Replace phase: the core of each unit's first copy loads the unit's weights and sends them
// once to every other core holding copies; each core writes the copies it holds; a barrier.
// Reuse phase, per sample and layer: the leader (the layer's first core) loads the DRAM inputs
// it is the first in the partition to read (and forwards them to later readers), receives the
// rest, and hands the input to the layer's other cores; every core runs its copies and sends
// what they make of boxes other cores finish (PartitionSchedule::runs); the finishing cores
// load what earlier partitions summed of theirs, do the vector work, store their boxes of what
// leaves for DRAM and post their boxes of what later layers read to those layers' leaders.
// Every step names its boxes (box.h); its bytes follow from them. A layer whose working set
// does not fit local memory does all this per tile (PartitionSchedule::tiles): the program
// walks it tile by tile, the pricer whole (Tiling), with the same totals.
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
  int32_t copy = 0;
  for (size_t i = 0; i < placement.size(); ++i) {
    const Placement& pl = placement[i];
    const UnitProfile& unit = groups.unit(pl.unit);
    const auto crossbars = static_cast<int32_t>(unit.crossbars);
    if (i == 0 || placement[i - 1].unit != pl.unit) {
      primary = pl.core;
      copy = 0;
      visit(LoadWeights{pl.core, pl.unit, unit.weightBytes, pl.firstCrossbar, crossbars});
    } else if (pl.core != primary) {
      visit(CopyWeights{primary, pl.core, pl.unit, wholeBytes(unit.weightBytes)});
    }
    visit(WriteCrossbars{pl.core, pl.unit, pl.firstCrossbar, copy, pl.copies, unit});
    copy += pl.copies;
  }
}

namespace detail {

inline int32_t tilesOf(const PartitionSchedule& s, Tiling tiling) {
  return tiling == Tiling::PerTile ? s.tiles() : 1;
}

template <class Visitor>
void post(Inbox& inbox, Visitor& visit, const Message& m) {
  if (m.bytes <= 0 && m.box.empty()) return;
  visit(Post{inbox.post(m)});
}

// Boxes a later layer reads, cut into that layer's tiles: piece j goes once the source has
// `done` of `of` of them (loaded, or made), so a tiled consumer starts on its first piece.
// Posted across all streams of a layer in order of the fraction they end at, so that every
// layer moves through a sample in the same direction (no thread waits on a piece that waits
// on it: deadlock freedom with per-pair credits).
struct Stream {
  int32_t from;
  int32_t to;
  ir::ValueId value;
  Box box;
  int64_t bits;
  size_t consumer;
  int32_t parts;
  int32_t producer;
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
         {0, first->from, first->to, tileBytes(first->box, first->next, first->parts, first->bits),
          first->consumer, first->producer, first->value,
          tileOf(first->box, first->next, first->parts), first->next});
    ++first->next;
  }
}

// A DRAM value the layer is the first here to read: loaded piece by piece by the leader and
// forwarded to later readers here.
struct DramInput {
  ir::ValueId value;
  Extent extent;
  Streams forwards;
};

// A box leaving for DRAM, stored piece by piece.
struct Leaving {
  int32_t core;
  DramTensor tensor;
  ir::ValueId value;
  Extent extent;
  Box box;
  int64_t bits;
};

// The cores holding a value a complete layer's group makes, and their boxes in channel order:
// each core finishing a run of the matrix output's channels holds what the group's ops make of
// them; the leader holds the rest (a concatenated input's channels) and, in a gathered group or
// for a value no run reaches, all of it.
// The positions of a value of the group that a run's core holds: all of them where it finishes
// all the vectors, else the positions its vectors make (the group keeps positions apart).
inline std::pair<int64_t, int64_t> heldPositions(const LayerGroup& g, const ChannelRun& r,
                                                 const Extent& e) {
  if (r.firstVector == 0 && r.endVector == g.vectorsPerSample) return {0, e.positions};
  return {r.firstVector, r.endVector};
}

// A value of extent `e` whose channels follow the matrix output's through `m`: each run's core
// gets its channels at the positions it holds (none for a replica without the vector), the
// leader the channels before and after them.
template <class F>
void forEachChannelRun(const PartitionSchedule& s, size_t li, const LayerGroup& g,
                       const ChannelMap& m, const Extent& e, F&& f) {
  if (m.offset > 0) f(s.leader(li), Box::channels(0, m.offset, e));
  for (const ChannelRun& r : s.runs(li)) {
    const auto [first, end] = heldPositions(g, r, e);
    f(r.core,
      Box{m.offset + r.firstChannel * m.scale, m.offset + r.endChannel * m.scale, first, end});
  }
  if (const int64_t end = m.offset + g.channels * m.scale; end < e.channels)
    f(s.leader(li), Box::channels(end, e.channels, e));
}

template <class F>
void forEachHolder(const PartitionSchedule& s, size_t li, const LayerGroup& g,
                   const LayerGroup::Output& out, F&& f) {
  if (g.gathered || !out.flow.known) {
    f(s.leader(li), Box::whole(out.extent));
    return;
  }
  forEachChannelRun(s, li, g, out.flow.map, out.extent, f);
}

// Each core's vector work of vectors [before, done) of `vectors`: whole element ops, cut so
// that the pieces add up to the layer's. The partial-sum additions where `sums`, the group's
// ops where `ops` (a layer that spills its map does them after the matrix op, in drain()).
template <class Visitor>
void vectorWork(size_t li, const LayerStart& at, const std::vector<LayerOnCore>& here,
                int64_t before, int64_t done, int64_t vectors, int64_t tiles, bool sums, bool ops,
                Visitor& visit) {
  for (const LayerOnCore& h : here) {
    auto work = [&](bool reduction, ir::OpKind kind, double elements) {
      const int64_t total = wholeBytes(elements);
      const int64_t piece =
          proportionalCut(total, done, vectors) - proportionalCut(total, before, vectors);
      if (total > 0 && (tiles == 1 || piece > 0))
        visit(VectorWork{li, h.core, reduction, kind, static_cast<double>(piece)});
    };
    if (sums && h.reductionOps > 0) work(true, ir::OpKind::Add, h.reductionOps);
    if (!ops || !at.complete) continue;
    for (const auto& [kind, n] : at.group.vectorOps) work(false, kind, n * h.outputShare);
  }
}

// Outputs: the tile's piece of every box; a box of one position (a Gemm's output vector) once
// its vector is made, in the last tile.
// Pieces go by tile, not by the vectors made so far: with the partition's layers in the same
// tiles, every layer posts round t after its tile t, so a chain of layers adds no lag
// (rounding vectors down would delay a piece by a tile per layer, and a long enough chain
// beside a residual would outrun the join's credits).
template <class Visitor>
void finishTile(const llvm::SmallVector<Leaving, 16>& stores, Streams& posts, int64_t t,
                int64_t tiles, Inbox& inbox, Visitor& visit) {
  for (const Leaving& st : stores) {
    const bool whole = st.box.positionCount() == 1;
    if (whole && t + 1 < tiles) continue;
    const Box piece = whole ? st.box : tileOf(st.box, t, tiles);
    if (const int64_t bytes =
            whole ? tileBytes(st.box, 0, 1, st.bits) : tileBytes(st.box, t, tiles, st.bits);
        !piece.empty())
      visit(Store{st.core, st.tensor, st.value, piece, boxOffset(st.extent, piece, bytes, st.bits),
                  bytes});
  }
  postReady(posts, t + 1, tiles, inbox, visit);
}

// The cores that read a spilled map back, and their boxes: as the leader would have handed
// them out (each core finishing channels the map's matching channels, read whole where the
// group reads it whole), the leader the rest; in a gathered group the leader all of it.
template <class F>
void forEachReloader(const PartitionSchedule& s, size_t li, const LayerGroup& g,
                     const LayerGroup::Input& in, F&& f) {
  const Extent& e = in.extent;
  const int32_t leader = s.leader(li);
  if (g.gathered || (in.use != InputUse::Aligned && in.use != InputUse::Whole)) {
    f(leader, Box::whole(e));
    return;
  }
  if (in.use == InputUse::Whole) {
    llvm::SmallVector<int32_t, 8> cores{leader};
    for (const ChannelRun& r : s.runs(li))
      if (std::find(cores.begin(), cores.end(), r.core) == cores.end()) cores.push_back(r.core);
    for (int32_t core : cores) f(core, Box::whole(e));
    return;
  }
  forEachChannelRun(s, li, g, in.map, e, f);
}

// After the matrix op of a layer that spills its map, piece by piece: the cores finishing it
// load the piece back, do its share of the vector work, and store and post what it makes.
template <class Visitor>
void drain(const PartitionSchedule& s, const LayerStart& at, ir::ValueId spilled,
           const llvm::SmallVector<Leaving, 16>& stores, Streams& posts, int64_t tiles,
           Inbox& inbox, Visitor& visit) {
  const LayerGroup& g = at.group;
  const int64_t actBits = s.arch().precision.activation_bits;
  const LayerGroup::Input& in = g.inputs[static_cast<size_t>(g.spillableInput)];
  for (int64_t t = 0; t < tiles; ++t) {
    visit(Drain{at.li, static_cast<int32_t>(t), static_cast<int32_t>(tiles)});
    forEachReloader(s, at.li, g, in, [&](int32_t core, const Box& box) {
      const Box piece = tileOf(box, t, tiles);
      if (const int64_t bytes = tileBytes(box, t, tiles, actBits); !piece.empty()) {
        visit(Reload{at.li, core, spilled, piece, boxOffset(in.extent, piece, bytes, actBits),
                     bytes});
      }
    });
    vectorWork(at.li, at, s.cores(at.li), t, t + 1, tiles, tiles, false, true, visit);
    finishTile(stores, posts, t, tiles, inbox, visit);
  }
}

// One sample through layer li, tile by tile. Per tile: the leader loads its piece of the DRAM
// inputs it is the first in the partition to read (forwarding the pieces later readers need);
// cores finishing channels an earlier partition began load those partial sums; the leader
// receives the pieces posted to this tile and hands the matrix input to the layer's other
// cores, and to each core finishing channels what they read of other values; every core runs
// its copies over the tile's vectors and sends what they make of channels another core
// finishes; the finishing cores do the vector work; then every core stores the tile's piece
// of its boxes that leave for DRAM and posts the pieces later layers here can now take. With
// one tile this is the whole layer.
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
  const int64_t actBits = s.arch().precision.activation_bits;
  const int64_t sumBits = g.partialSumBits;
  const Extent sums{g.channels, g.vectorsPerSample};  // the matrix output, as partial sums
  const DramTensor partial = DramTensor::partialOutputs(at.layer);

  const ir::ValueId spilled = s.spilledValue(li);  // loaded back after the matrix op
  llvm::SmallVector<DramInput, 4> loads, pastSpill;
  for (const LayerGroup::Input& in : g.inputs) {
    if (in.value == spilled || !s.readsInput(li, in)) continue;
    if (s.readsPastSpill(li, in.producer)) {
      pastSpill.push_back({in.value, in.extent, {}});
      continue;
    }
    if (groups.completesWithin(in.producer, s.start(), s.end())) continue;
    const auto readers = groups.readersOf(in.value);
    auto first = std::lower_bound(readers.begin(), readers.end(), s.firstLayer());
    while (*first != at.layer && !s.readsValue(*first, in.value)) ++first;
    if (*first != at.layer) continue;  // an earlier layer here loads it and posts it on
    DramInput d{in.value, in.extent, {}};
    for (auto r = first + 1; r != readers.end() && *r <= lastLayer; ++r) {
      const auto later = static_cast<size_t>(*r - s.firstLayer());
      // A layer past a spill loads the value itself.
      if (!s.readsValue(*r, in.value) || s.readsPastSpill(later, in.producer)) continue;
      d.forwards.push_back({leader, s.leader(later), in.value, Box::whole(in.extent), actBits,
                            later, tilesOf(s, tiling), -1});
    }
    loads.push_back(std::move(d));
  }

  // What leaves: the boxes each core stores, and posts to later layers.
  llvm::SmallVector<Leaving, 16> stores;
  Streams posts;
  if (!at.complete) {
    for (const ChannelRun& r : s.runs(li))
      stores.push_back({r.core,
                        partial,
                        ir::kNoValue,
                        sums,
                        {r.firstChannel, r.endChannel, r.firstVector, r.endVector},
                        sumBits});
  } else {
    // A map a later layer here spills waits in DRAM too, as does what a layer past the spill
    // reads.
    const auto storedForPastSpill = [&](ir::ValueId v) {
      for (const LayerGroup::Consumer& c : g.consumers)
        if (c.value == v && c.layer <= lastLayer &&
            s.readsPastSpill(static_cast<size_t>(c.layer - s.firstLayer()), at.layer))
          return true;
      return false;
    };
    for (const LayerGroup::Output& out : g.outputs)
      if (groups.leavesPartition(out, s.end()) || s.spillsValue(out.value) ||
          storedForPastSpill(out.value))
        forEachHolder(s, li, g, out, [&](int32_t core, const Box& box) {
          stores.push_back(
              {core, DramTensor::value(out.value), out.value, out.extent, box, actBits});
        });
    for (const LayerGroup::Consumer& c : g.consumers) {
      if (c.layer > lastLayer) break;
      const auto later = static_cast<size_t>(c.layer - s.firstLayer());
      if (s.spilledValue(later) == c.value || s.readsPastSpill(later, at.layer) ||
          !s.readsValue(c.layer, c.value))
        continue;
      for (const LayerGroup::Output& out : g.outputs)
        if (out.value == c.value)
          forEachHolder(s, li, g, out, [&](int32_t core, const Box& box) {
            posts.push_back({core, s.leader(later), out.value, box, actBits, later,
                             tilesOf(s, tiling), static_cast<int32_t>(li)});
          });
    }
  }

  for (int64_t t = 0; t < tiles; ++t) {
    visit(Tile{li, static_cast<int32_t>(t)});
    // Inputs. A tiled layer skips empty pieces (an input smaller than its tile count). A piece
    // can hold elements yet no byte of its own (sub-byte activations: its elements' bits end in
    // the byte the piece before moved); it still goes, so that every element reaches its reader.
    for (DramInput& d : loads) {
      const Box whole = Box::whole(d.extent);
      const Box piece = tileOf(whole, t, tiles);
      if (const int64_t bytes = tileBytes(whole, t, tiles, actBits); tiles == 1 || !piece.empty()) {
        visit(Load{li, leader, DramTensor::value(d.value), piece,
                   boxOffset(d.extent, piece, bytes, actBits), bytes, d.value});
      }
      postReady(d.forwards, t + 1, tiles, inbox, visit);
    }
    for (const ChannelRun& r : s.runs(li)) {
      if (!r.loaded) continue;
      const Box whole{r.firstChannel, r.endChannel, r.firstVector, r.endVector};
      const Box piece = tileOf(whole, t, tiles);
      if (const int64_t bytes = tileBytes(whole, t, tiles, sumBits); tiles == 1 || !piece.empty()) {
        visit(Load{li, r.core, partial, piece, boxOffset(sums, piece, bytes, sumBits), bytes,
                   ir::kNoValue});
      }
    }
    inbox.forEach(li, t, [&](const Message& m) { visit(Receive{m}); });
    for (const DramInput& d : pastSpill) {
      const Box whole = Box::whole(d.extent);
      const Box piece = tileOf(whole, t, tiles);
      if (const int64_t bytes = tileBytes(whole, t, tiles, actBits); tiles == 1 || !piece.empty()) {
        visit(Load{li, leader, DramTensor::value(d.value), piece,
                   boxOffset(d.extent, piece, bytes, actBits), bytes, d.value});
      }
    }
    // Each core gets the input channels its crossbars read (LayerOnCore).
    for (size_t i = 1; i < here.size(); ++i) {
      const Box input =
          Box::channels(here[i].firstInputChannel, here[i].endInputChannel, g.inputExtent);
      visit(HandOut{leader, here[i].core, g.matrixInput, tileOf(input, t, tiles),
                    tileBytes(input, t, tiles, actBits)});
    }
    if (at.complete && !g.gathered)
      for (size_t k = 0; k < s.runs(li).size(); ++k) {
        const ChannelRun& r = s.runs(li)[k];
        if (r.core == leader) continue;
        // A value read whole goes once to each core, however many runs it finishes.
        const bool firstOnCore =
            std::none_of(s.runs(li).begin(), s.runs(li).begin() + static_cast<ptrdiff_t>(k),
                         [&](const ChannelRun& o) { return o.core == r.core; });
        for (const LayerGroup::Input& in : g.inputs) {
          if (in.use != InputUse::Aligned && (in.use != InputUse::Whole || !firstOnCore)) continue;
          if (in.value == spilled) continue;
          const auto [first, end] = heldPositions(g, r, in.extent);
          const Box box = in.use == InputUse::Whole
                              ? Box::whole(in.extent)
                              : Box{in.map.offset + r.firstChannel * in.map.scale,
                                    in.map.offset + r.endChannel * in.map.scale, first, end};
          if (const Box piece = tileOf(box, t, tiles); !piece.empty())
            visit(HandOut{leader, r.core, in.value, piece, tileBytes(box, t, tiles, actBits)});
        }
      }

    // The tile's vectors: every core's copies, what they send on, vector work.
    const int64_t before = proportionalCut(vectors, t, tiles);
    const int64_t done = proportionalCut(vectors, t + 1, tiles);
    if (done > before)
      for (const LayerOnCore& h : here)
        visit(Compute{li, h.core, h.crossbars, static_cast<int32_t>(t), static_cast<int32_t>(tiles),
                      done - before, g.activeRows, g.activeColumns, g.inputCycles});
    for (const ResultTransfer& r : s.results()) {
      if (r.li != li) continue;
      // One message per placement: each of its copies' boxes of the tile (copyTile).
      const int64_t channels = r.endChannel - r.firstChannel;
      int64_t bytes = 0;
      for (int32_t c = r.firstCopy; c < r.endCopy; ++c) {
        const CopyTile ct = copyTile(g.vectorsPerSample, c, at.replicas, t, tiles);
        bytes += cutBytes(channels * ct.before, channels * ct.done, sumBits);
      }
      if (bytes > 0)
        visit(PartialSums{li, r.from, r.to, r, static_cast<int32_t>(t), static_cast<int32_t>(tiles),
                          bytes});
    }
    if (done > before)
      vectorWork(li, at, here, before, done, vectors, tiles, true, spilled == ir::kNoValue, visit);
    if (spilled == ir::kNoValue) finishTile(stores, posts, t, tiles, inbox, visit);
  }
  if (spilled != ir::kNoValue) drain(s, at, spilled, stores, posts, tiles, inbox, visit);
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
    const LayerStart at{li,
                        r.layer,
                        g,
                        r.replicas,
                        crossbars,
                        s.completes(li),
                        std::ceil(static_cast<double>(g.vectorsPerSample) / r.replicas),
                        s.tiles(),
                        s.cores(li)};
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
