// A walk visitor that counts every element the walk's boxes move and make (schedule/box.h),
// and the checks on those counts (tests/unit/schedule_boxes_test.cpp, and the integration test
// on the exported networks).
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "xbar/schedule/walk.h"

namespace xbar::testing {

// The ledger reads the schedule's types throughout.
using namespace xbar::schedule;  // NOLINT(google-build-using-namespace)

// How many times each element of one sample of a tensor was touched.
struct Grid {
  Extent extent;
  std::vector<int64_t> counts;
  explicit Grid(Extent e = {}) : extent(e), counts(static_cast<size_t>(e.elements()), 0) {}
  void add(const Box& b, int64_t times = 1) {
    for (int64_t c = b.firstChannel; c < b.endChannel; ++c)
      for (int64_t p = b.firstPosition; p < b.endPosition; ++p)
        counts[static_cast<size_t>(c * extent.positions + p)] += times;
  }
  // The first element of `b` not counted `times` times, as text; empty when all are.
  std::string check(const Box& b, int64_t times) const {
    for (int64_t c = b.firstChannel; c < b.endChannel; ++c)
      for (int64_t p = b.firstPosition; p < b.endPosition; ++p)
        if (const int64_t n = counts[static_cast<size_t>(c * extent.positions + p)]; n != times)
          return fmt::format("channel {} position {}: {} times, not {}", c, p, n, times);
    return {};
  }
  bool covers(const Box& b) const {
    for (int64_t c = b.firstChannel; c < b.endChannel; ++c)
      for (int64_t p = b.firstPosition; p < b.endPosition; ++p)
        if (counts[static_cast<size_t>(c * extent.positions + p)] == 0) return false;
    return true;
  }
};

class Ledger {
 public:
  Ledger(const LayerGroups& groups, const arch::ArchConfig& arch) : groups_(groups), arch_(arch) {}

  void partition(const PartitionSchedule& s) {
    s_ = &s;
    received_.clear();
    handed_.clear();
  }

  // --- steps ---------------------------------------------------------------------------
  void operator()(const Store& st) {
    const Extent e = extentOf(st.tensor, st.value);
    const int64_t bits =
        st.value == ir::kNoValue
            ? groups_.layer(static_cast<int32_t>(-st.tensor.key - 1)).partialSumBits
            : arch_.precision.activation_bits;
    if (st.offset < 0 || st.offset + st.bytes > slotBytes(e, bits))
      fail("a store runs outside its tensor's slot");
    grid(stored_, st.tensor.key, e).add(st.box);
  }
  void operator()(const Load& st) {
    const Extent e = extentOf(st.tensor, st.value);
    const bool graphInput = st.value != ir::kNoValue && isGraphInput(st.value);
    if (!graphInput && !grid(stored_, st.tensor.key, e).covers(st.box))
      fail(fmt::format("layer {} loads what no partition stored", layer(st.li).name));
    if (st.value != ir::kNoValue) grid(received_, key(st.li, st.value), e).add(st.box);
  }
  // A spilled map read back: the core's box, as the leader would have handed it (or received
  // it, where the leader reads it).
  void operator()(const Reload& st) {
    const Extent e = groups_.extent(st.value);
    if (!grid(stored_, DramTensor::value(st.value).key, e).covers(st.box))
      fail(fmt::format("layer {} reloads what no layer spilled", layer(st.li).name));
    const bool leader = st.core == s_->leader(st.li);
    const auto& inputs = layer(st.li).inputs;
    const bool whole = std::any_of(inputs.begin(), inputs.end(), [&](const LayerGroup::Input& in) {
      return in.value == st.value && in.use == InputUse::Whole;
    });
    if (leader || !whole) grid(received_, key(st.li, st.value), e).add(st.box);
    if (!leader) grid(handed_, {st.li, st.core, st.value}, e).add(st.box);
  }
  void operator()(const Receive& st) {
    const Message& m = st.message;
    grid(received_, key(m.consumer, m.value), groups_.extent(m.value)).add(m.box);
  }
  void operator()(const HandOut& st) {
    grid(handed_, {current_, st.to, st.value}, groups_.extent(st.value)).add(st.box);
  }
  void operator()(const Compute& st) {
    const LayerGroup& g = layer(st.li);
    Grid& rows =
        grid(rows_, {static_cast<size_t>(s_->firstLayer() + static_cast<int32_t>(st.li)), 0, 0},
             {g.channels, g.vectorsPerSample});
    std::map<int32_t, int32_t> copies;  // per unit: copies placed before
    const int32_t replicas = s_->replication()[st.li].replicas;
    for (const Placement& p : s_->placement()) {
      const UnitProfile& u = groups_.unit(p.unit);
      int32_t& before = copies[p.unit];
      if (u.layer == s_->firstLayer() + static_cast<int32_t>(st.li) && p.core == st.core)
        for (int32_t c = before; c < before + p.copies; ++c) {
          const CopyTile ct = copyTile(g.vectorsPerSample, c, replicas, st.tile, st.tiles);
          rows.add({u.firstChannel, u.endChannel, ct.first, ct.end}, u.endRow - u.firstRow);
        }
      before += p.copies;
    }
  }
  void operator()(const LayerStart& st) { current_ = st.li; }
  void operator()(const LayerEnd& st) {
    const LayerGroup& g = layer(st.li);
    const int32_t l = s_->firstLayer() + static_cast<int32_t>(st.li);
    for (const LayerGroup::Input& in : g.inputs) {
      if (!s_->readsInput(st.li, in)) continue;
      const std::string err =
          grid(received_, key(st.li, in.value), in.extent).check(Box::whole(in.extent), 1);
      if (!err.empty())
        fail(fmt::format("{}'s leader receives input {}: {}", g.name, in.value, err));
    }
    // Each other core is handed, once, the input channels its crossbars' rows read (a Conv
    // of one group: rows are channel-major, rowsPerInputChannel each), and no other.
    for (size_t i = 1; i < s_->cores(st.li).size(); ++i) {
      const int32_t core = s_->cores(st.li)[i].core;
      int64_t first = g.inputExtent.channels, end = 0;
      for (const Placement& p : s_->placement()) {
        const UnitProfile& u = groups_.unit(p.unit);
        if (u.layer != l || p.core != core) continue;
        const int64_t k = g.rowsPerInputChannel;
        first = std::min(first, k > 0 ? u.firstRow / k : 0);
        end = std::max(end, k > 0 ? (u.endRow + k - 1) / k : g.inputExtent.channels);
      }
      const Grid& handed = grid(handed_, {st.li, core, g.matrixInput}, g.inputExtent);
      std::string err = handed.check(Box::channels(first, end, g.inputExtent), 1);
      if (err.empty()) err = handed.check(Box::channels(0, first, g.inputExtent), 0);
      if (err.empty())
        err = handed.check(Box::channels(end, g.inputExtent.channels, g.inputExtent), 0);
      if (!err.empty()) fail(fmt::format("{}: core {} is handed its input: {}", g.name, core, err));
    }
    if (!s_->completes(st.li)) return;
    // Every value the group makes is held by exactly one core, element by element.
    for (const LayerGroup::Output& out : g.outputs) {
      Grid held(out.extent);
      detail::forEachHolder(*s_, st.li, g, out, [&](int32_t, const Box& b) { held.add(b); });
      const std::string err = held.check(Box::whole(out.extent), 1);
      if (!err.empty()) fail(fmt::format("{}'s output {} is held: {}", g.name, out.value, err));
    }
    if (!g.gathered)
      for (const ChannelRun& r : s_->runs(st.li)) {
        if (r.core == s_->leader(st.li)) continue;
        for (const LayerGroup::Input& in : g.inputs) {
          if (in.use == InputUse::Whole) {  // once per core, however many runs it finishes
            const std::string err =
                grid(handed_, {st.li, r.core, in.value}, in.extent).check(Box::whole(in.extent), 1);
            if (!err.empty())
              fail(fmt::format("{}: core {} reads input {} whole: {}", g.name, r.core, in.value,
                               err));
            continue;
          }
          if (in.use != InputUse::Aligned) continue;
          // A residual's channels at the vectors the core finishes (all of them where it
          // finishes all).
          const bool all = r.firstVector == 0 && r.endVector == g.vectorsPerSample;
          const Box want{in.map.offset + r.firstChannel * in.map.scale,
                         in.map.offset + r.endChannel * in.map.scale, all ? 0 : r.firstVector,
                         all ? in.extent.positions : r.endVector};
          const std::string err =
              grid(handed_, {st.li, r.core, in.value}, in.extent).check(want, 1);
          if (!err.empty())
            fail(fmt::format("{}: core {} finishing channels [{}, {}) reads input {}: {}", g.name,
                             r.core, r.firstChannel, r.endChannel, in.value, err));
        }
      }
    // Every output element summed over all the rows of its block, exactly once each: the rows
    // of the units making channel 0 (row chunks of the first block) are every block's rows.
    int64_t k = 0;
    for (int32_t u = g.firstUnit; u < g.endUnit; ++u)
      if (groups_.unit(u).firstChannel == 0) k += groups_.unit(u).endRow - groups_.unit(u).firstRow;
    const std::string err =
        grid(rows_, {static_cast<size_t>(l), 0, 0}, {g.channels, g.vectorsPerSample})
            .check({0, g.channels, 0, g.vectorsPerSample}, k);
    if (!err.empty()) fail(fmt::format("{}'s rows: {}", g.name, err));
  }
  template <class Step>
  void operator()(const Step&) {}

  // After the plan: every value leaving through DRAM stored exactly once.
  void finish() {
    for (const LayerGroup& g : groups_.layers())
      for (const LayerGroup::Output& out : g.outputs) {
        auto it = stored_.find(DramTensor::value(out.value).key);
        if (it == stored_.end()) continue;  // it never left a partition
        const std::string err = it->second.check(Box::whole(out.extent), 1);
        if (!err.empty()) fail(fmt::format("{}'s output {} is stored: {}", g.name, out.value, err));
      }
  }
  std::vector<std::string> errors;

 private:
  using Key = std::tuple<size_t, int32_t, ir::ValueId>;
  static Key key(size_t li, ir::ValueId v) { return {li, -1, v}; }
  template <class K>
  Grid& grid(std::map<K, Grid>& m, const K& k, const Extent& e) {
    return m.try_emplace(k, e).first->second;
  }
  Extent extentOf(DramTensor t, ir::ValueId v) const {
    if (v != ir::kNoValue) return groups_.extent(v);
    const LayerGroup& g = groups_.layer(static_cast<int32_t>(-t.key - 1));
    return {g.channels, g.vectorsPerSample};
  }
  bool isGraphInput(ir::ValueId v) const {
    for (const LayerGroup& g : groups_.layers())
      for (const LayerGroup::Input& in : g.inputs)
        if (in.value == v) return in.producer < 0;
    return false;
  }
  const LayerGroup& layer(size_t li) const {
    return groups_.layer(s_->firstLayer() + static_cast<int32_t>(li));
  }
  void fail(std::string what) {
    if (errors.size() < 8) errors.push_back(std::move(what));
  }

  const LayerGroups& groups_;
  const arch::ArchConfig& arch_;
  const PartitionSchedule* s_ = nullptr;
  size_t current_ = 0;
  std::map<int64_t, Grid> stored_;
  std::map<Key, Grid> received_, handed_, rows_;
};

// Walks one sample of every partition of `plan` through a ledger; returns its errors.
template <class Plan>
std::vector<std::string> boxErrors(const LayerGroups& groups, const arch::ArchConfig& arch,
                                   const Plan& plan) {
  Ledger ledger(groups, arch);
  for (const auto& p : plan.partitions) {
    const PartitionSchedule s(groups, arch, p.firstUnit, p.endUnit, p.cost.replication);
    ledger.partition(s);
    Inbox inbox;
    walkSample(s, 0, inbox, ledger);
  }
  ledger.finish();
  return ledger.errors;
}

}  // namespace xbar::testing
