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
// later layers read to their leaders.
//
// A visitor is any callable with an overload per step type (steps.h). Templates, not virtual
// calls: the partitioners price millions of partitions, and the walk allocates nothing once
// its inbox has grown.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "xbar/schedule/partition_schedule.h"
#include "xbar/schedule/steps.h"

namespace xbar::schedule {

// Messages posted to later layers of the sample, received in posting order: one list per
// receiving layer, threaded through one array so that posting allocates nothing once grown.
class Inbox {
 public:
  void reset(size_t layers) {
    entries_.clear();
    head_.assign(layers, -1);
    tail_.assign(layers, -1);
  }
  const Message& post(const Message& m) {
    const auto id = static_cast<int32_t>(entries_.size());
    entries_.push_back({m, -1});
    Entry& e = entries_.back();
    e.message.id = id;
    int32_t& tail = tail_[m.consumer];
    (tail < 0 ? head_[m.consumer] : entries_[static_cast<size_t>(tail)].next) = id;
    tail = id;
    return e.message;
  }
  template <class F>
  void forEach(size_t consumer, F&& f) const {
    for (int32_t i = head_[consumer]; i >= 0; i = entries_[static_cast<size_t>(i)].next)
      f(entries_[static_cast<size_t>(i)].message);
  }

 private:
  struct Entry {
    Message message;
    int32_t next;
  };
  std::vector<Entry> entries_;
  std::vector<int32_t> head_, tail_;
};

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

template <class Visitor>
void post(Inbox& inbox, Visitor& visit, const Message& m) {
  if (m.bytes <= 0) return;
  visit(Post{inbox.post(m)});
}

// The layer's inputs: DRAM loads it is the first reader of (forwarded to later readers), the
// earlier partitions' share of a split layer, the messages posted to it, the hand-out.
template <class Visitor>
void walkLayerInputs(const PartitionSchedule& s, size_t li, const LayerStart& at, Inbox& inbox,
                     Visitor& visit) {
  const LayerGroups& groups = s.groups();
  const LayerGroup& g = at.group;
  const int32_t leader = s.leader(li);
  const int32_t lastLayer = s.firstLayer() + static_cast<int32_t>(s.layerCount()) - 1;
  for (const LayerGroup::Input& in : g.inputs) {
    if (groups.completesWithin(in.producer, s.start(), s.end())) continue;
    const auto readers = groups.readersOf(in.value);
    const auto first = std::lower_bound(readers.begin(), readers.end(), s.firstLayer());
    if (*first != at.layer) continue;  // an earlier layer here loads it and posts it on
    const int64_t bytes = wholeBytes(in.bytes);
    visit(Load{li, leader, DramTensor::value(in.value), 0, bytes, in.value});
    for (auto r = first + 1; r != readers.end() && *r <= lastLayer; ++r) {
      const auto later = static_cast<size_t>(*r - s.firstLayer());
      post(inbox, visit, {0, leader, s.leader(later), bytes, later, -1, in.value});
    }
  }
  if (at.complete && at.split.before > 0)
    visit(Load{li, leader, DramTensor::partialOutputs(at.layer), 0,
               wholeBytes(at.split.before * g.outputBytesPerSample), ir::kNoValue});
  inbox.forEach(li, [&](const Message& m) { visit(Receive{m}); });
  const std::vector<LayerOnCore>& here = s.cores(li);
  for (size_t i = 1; i < here.size(); ++i)
    visit(HandOut{leader, here[i].core, wholeBytes(g.inputBytesPerSample)});
}

// Every core's copies and its share of the vector work.
template <class Visitor>
void walkLayerCompute(const PartitionSchedule& s, size_t li, const LayerStart& at, Visitor& visit) {
  const LayerGroup& g = at.group;
  const double held = at.crossbars * at.replicas;
  for (const LayerOnCore& h : s.cores(li))
    visit(Compute{li, h.core, h.crossbars, static_cast<int64_t>(at.vectorsPerCopy), g.activeRows,
                  g.activeColumns, g.inputCycles});
  for (const PartialSumTransfer& t : s.partialSums())
    if (t.li == li)
      visit(PartialSums{t.from, t.to, wholeBytes(t.columnShare * g.partialSumBytesPerSample)});
  for (const LayerOnCore& h : s.cores(li)) {
    const double share = h.crossbars / held;
    // A core adds the partial sums of the outputs it holds: its own units' row tiles, and the
    // row chunks it reduces (PartitionSchedule moved their outputs to it).
    if (g.reductionOpsPerSample > 0)
      visit(VectorWork{h.core, true, ir::OpKind::Add,
                       g.reductionOpsPerSample * std::max(0.0, h.outputShare)});
    if (!at.complete) continue;
    for (const auto& [kind, ops] : g.vectorOps) visit(VectorWork{h.core, false, kind, ops * share});
  }
}

// Every core's slices for DRAM, and for the later layers here.
template <class Visitor>
void walkLayerOutputs(const PartitionSchedule& s, size_t li, const LayerStart& at, Inbox& inbox,
                      Visitor& visit) {
  const LayerGroups& groups = s.groups();
  const LayerGroup& g = at.group;
  const std::vector<LayerOnCore>& here = s.cores(li);
  auto store = [&](DramTensor tensor, int64_t offset, int64_t total, const Shares& shares) {
    const Slices slices = sliceBytes(total, shares);
    for (size_t i = 0; i < slices.size(); ++i) {
      if (slices[i] > 0) visit(Store{here[i].core, tensor, offset, slices[i]});
      offset += slices[i];
    }
  };
  if (!at.complete) {
    store(DramTensor::partialOutputs(at.layer),
          wholeBytes(at.split.before * g.outputBytesPerSample),
          wholeBytes(at.split.here * g.outputBytesPerSample), partialShares(here, at.split));
    return;
  }
  const int32_t lastLayer = s.firstLayer() + static_cast<int32_t>(s.layerCount()) - 1;
  const bool posts = !g.consumers.empty() && g.consumers.front().layer <= lastLayer;
  const bool stores = std::any_of(
      g.outputs.begin(), g.outputs.end(),
      [&](const LayerGroup::Output& out) { return groups.leavesPartition(out, s.end()); });
  if (!posts && !stores) return;
  const Shares shares = completeShares(here, at.split);
  for (const LayerGroup::Output& out : g.outputs)
    if (groups.leavesPartition(out, s.end()))
      store(DramTensor::value(out.value), 0, wholeBytes(out.bytes), shares);
  for (const LayerGroup::Consumer& c : g.consumers) {
    if (c.layer > lastLayer) break;
    const auto later = static_cast<size_t>(c.layer - s.firstLayer());
    const Slices slices = sliceBytes(wholeBytes(c.bytes), shares);
    for (size_t i = 0; i < slices.size(); ++i)
      post(inbox, visit,
           {0, here[i].core, s.leader(later), slices[i], later, static_cast<int32_t>(li),
            ir::kNoValue});
  }
}

}  // namespace detail

// One sample through the partition's layers.
template <class Visitor>
void walkSample(const PartitionSchedule& s, int64_t sample, Inbox& inbox, Visitor& visit) {
  const LayerGroups& groups = s.groups();
  visit(SampleStart{sample});
  inbox.reset(s.layerCount());
  for (size_t li = 0; li < s.layerCount(); ++li) {
    const LayerReplication& r = s.replication()[li];
    const LayerGroup& g = groups.layer(r.layer);
    double crossbars = 0;
    for (int32_t u = std::max(s.start(), g.firstUnit); u < std::min(s.end(), g.endUnit); ++u)
      crossbars += static_cast<double>(groups.unit(u).crossbars);
    const OutputSplit& split = s.split(li);
    const bool complete = g.endUnit <= s.end();
    const LayerStart at{li,         r.layer,
                        g,          r.replicas,
                        crossbars,  split,
                        complete,   std::ceil(static_cast<double>(g.vectorsPerSample) / r.replicas),
                        s.cores(li)};
    visit(at);
    detail::walkLayerInputs(s, li, at, inbox, visit);
    detail::walkLayerCompute(s, li, at, visit);
    detail::walkLayerOutputs(s, li, at, inbox, visit);
    visit(LayerEnd{li});
  }
}

// The whole partition: replace, barrier, `samples` samples, end.
template <class Visitor>
void walkPartition(const PartitionSchedule& s, int32_t partition, int64_t samples, Visitor& visit) {
  walkReplace(s, visit);
  visit(Barrier{partition});
  thread_local Inbox inbox;
  for (int64_t b = 0; b < samples; ++b) walkSample(s, b, inbox, visit);
  visit(PartitionEnd{partition});
}

}  // namespace xbar::schedule
