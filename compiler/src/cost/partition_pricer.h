// Prices one partition by visiting one sample's walk (schedule/walk.h): the replace phase's
// weight loads, writes and copies; per layer the first sample's critical path (loads,
// messages, hand-out, compute, stores) and each core's busy time, whose maximum paces the
// batch's pipeline. Internal to the cost model.
#pragma once

#include <algorithm>
#include <vector>

#include <llvm/ADT/SmallVector.h>

#include "xbar/arch/arch_config.h"
#include "xbar/cost/partition_cost.h"
#include "xbar/schedule/partition_schedule.h"
#include "xbar/schedule/steps.h"

namespace xbar::cost {

// Bytes a group of transfers puts on the links, and the busiest link's total. A transfer is
// charged to the first and last links of its route: the program's traffic fans out from a
// leader and fans in to a consumer, so those links carry the most (and this is O(1) per
// transfer on a 1104-core mesh, where tracing every hop is not).
class LinkLoad {
 public:
  // Ready for `links` links, all empty.
  void reset(size_t links);
  void add(const arch::ArchConfig::RouteEnds& route, double bytes) {
    charge(route.first, bytes);
    if (route.last != route.first) charge(route.last, bytes);
    hops_ = std::max(hops_, static_cast<size_t>(route.hops));
  }
  // The group's time when its transfers stream back to back: the busiest link, plus the
  // longest path's hops.
  double ns(const arch::InterconnectConfig& net) const;
  double busiest() const { return busiest_; }
  void clear();

 private:
  void charge(int32_t link, double bytes) {
    double& b = bytes_[static_cast<size_t>(link)];
    if (b == 0) touched_.push_back(link);
    b += bytes;
    busiest_ = std::max(busiest_, b);
  }
  std::vector<double> bytes_;
  std::vector<int32_t> touched_;
  double busiest_ = 0;
  size_t hops_ = 0;
};

// A quantity per core, for the cores a partition touches: clearing costs what was touched,
// not the chip's size.
class CoreTally {
 public:
  void reset(size_t cores);
  void add(int32_t core, double x) {
    double& t = values_[static_cast<size_t>(core)];
    if (t == 0) touched_.push_back(core);
    t += x;
  }
  double operator[](int32_t core) const { return values_[static_cast<size_t>(core)]; }
  const std::vector<int32_t>& cores() const { return touched_; }
  double max() const;

 private:
  std::vector<double> values_;
  std::vector<int32_t> touched_;
};

// Per-thread buffers the pricer reuses, so a call costs what the partition touches, not the
// chip's size (PUMA has 1104 cores and 4416 mesh links).
struct PricerScratch {
  CoreTally coreNs;   // each core's busy time per sample
  CoreTally layerNs;  // the current layer's MVM and vector time per core, first sample
  CoreTally storeNs;  // the current layer's stores per core (a tiled layer stores per tile)
  CoreTally writeRows, writeCrossbars;  // what each core programs (a per-core write limit)
  CoreTally weightLoadNs;  // each core's weight loads: latency + bytes / DRAM bandwidth each
  LinkLoad sample, incoming, handOut, partialSums, copies;

  void reset(size_t cores, size_t links);
  // Programming time of one core that may write `slots` crossbars at once.
  double coreWriteNs(int32_t core, double slots, double rowNs) const;
  // The same for the slowest core.
  double perCoreWriteNs(double slots, double rowNs) const;
  // The replace phase when each core writes its own crossbars after DRAM has served its loads.
  double perCoreReplaceNs(double slots, double rowNs) const;
  // The slowest core of the layer; clears the layer's times.
  double takeSlowestLayerNs();
  double takeSlowestStoreNs();
};

// Prices the partition: walks its replace phase and one sample, scaled to the batch. The walk
// is instantiated in the pricer's own file so that every step's pricing inlines into it.
PartitionCost pricePartition(const schedule::PartitionSchedule& s, int64_t batch);

class PartitionPricer {
 public:
  PartitionPricer(const schedule::PartitionSchedule& s, int64_t batch, PricerScratch& scratch);

  void operator()(const schedule::LoadWeights& step);
  void operator()(const schedule::CopyWeights& step);
  void operator()(const schedule::WriteCrossbars& step);
  void operator()(const schedule::Barrier&) {}
  void operator()(const schedule::SampleStart&) {}
  void operator()(const schedule::LayerStart& step);
  void operator()(const schedule::Tile&) {}  // the pricer walks tiled layers whole
  void operator()(const schedule::Load& step);
  void operator()(const schedule::Post&) {}  // priced where it is received
  void operator()(const schedule::Receive& step);
  void operator()(const schedule::HandOut& step);
  void operator()(const schedule::Compute& step);
  // Partial sums cross the links after the MVMs and before the outputs (their reduction is in
  // the reducer's vector work, priced with the layer's compute).
  void operator()(const schedule::PartialSums& step) {
    send(step.from, step.to, static_cast<double>(step.bytes), scratch_.partialSums);
  }
  // A core's element ops are whole: counted as the program's VEC does.
  void operator()(const schedule::VectorWork& step) {
    vectorOps_ += static_cast<double>(schedule::wholeBytes(step.elements));
    scratch_.coreNs.add(step.core, step.elements / opsPerNs_);
    scratch_.layerNs.add(step.core, step.elements / opsPerNs_);
  }
  void operator()(const schedule::Store& step);
  void operator()(const schedule::Drain&) {}  // the pricer walks a spilled map whole
  void operator()(const schedule::Reload& step);
  void operator()(const schedule::LayerEnd& step);
  void operator()(const schedule::PartitionEnd&) {}

  // The priced partition, after the walk.
  PartitionCost result(const std::vector<schedule::LayerReplication>& replication);

 private:
  void send(int32_t from, int32_t to, double bytes, LinkLoad& phase);
  double accessNs(double bytes, double chunks) const;
  double dramAccess(int32_t core, double bytes, double& total);
  void flushLoads();
  double tiledFillNs() const;

  const arch::ArchConfig& arch_;
  const schedule::PartitionSchedule& s_;
  double batch_;
  double dramBytesPerNs_;
  double opsPerNs_;
  PricerScratch& scratch_;

  // Replace phase.
  double dramWeightBytes_ = 0, rowWrites_ = 0, crossbarsWritten_ = 0;
  double copyBytes_ = 0, copyByteHops_ = 0;
  int64_t cellsWritten_ = 0;
  // One sample of the reuse phase.
  double onChipBytes_ = 0, byteHops_ = 0, entryBytes_ = 0, exitBytes_ = 0;
  double conversions_ = 0, rowDrives_ = 0, crossbarCycles_ = 0;
  double vectorOps_ = 0, localBytes_ = 0, fillNs_ = 0;
  // DRAM values read in the partition: when the first sample's first chunk and whole copy are
  // in.
  struct Loaded {
    ir::ValueId value;
    double firstNs;
    double readyNs;
  };
  llvm::SmallVector<Loaded, 16> loaded_;
  // The first sample's critical path: when each layer's outputs are ready and how long its
  // hand-out takes. Every layer runs in its own threads, so a layer starts as soon as its
  // inputs are there.
  llvm::SmallVector<double, 32> doneNs_, handOutNs_;
  // A tiled layer's pipeline, for its consumers: when its first tile starts, one tile's time.
  llvm::SmallVector<double, 32> startNs_, tileNs_;
  // The current layer.
  const schedule::LayerStart* layer_ = nullptr;
  double loadNs_ = 0, storeNs_ = 0, inputsReadyNs_ = 0, computeNs_ = 0;
  double firstInputNs_ = 0;  // when a tiled layer's first pieces from producers are in
  double reloadNs_ = 0;      // the slowest core's reloads of a spilled map
  // The leader's DRAM loads, added to its busy time after the layer's compute (the order the
  // sums were always taken in, so the figures stay bit-identical).
  llvm::SmallVector<std::pair<int32_t, double>, 8> pendingLoads_;
};

}  // namespace xbar::cost
