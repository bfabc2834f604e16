#include "partition_pricer.h"

#include <algorithm>
#include <cmath>

#include "xbar/schedule/walk.h"

namespace xbar::cost {

void LinkLoad::reset(size_t links) {
  clear();
  if (bytes_.size() < links) bytes_.resize(links, 0.0);
}

double LinkLoad::ns(const arch::InterconnectConfig& net) const {
  return busiest_ > 0 ? busiest_ / net.link_bandwidth_gb_per_s +
                            static_cast<double>(hops_) * net.hop_latency_ns
                      : 0.0;
}

void LinkLoad::clear() {
  for (int32_t link : touched_) bytes_[static_cast<size_t>(link)] = 0;
  touched_.clear();
  busiest_ = 0;
  hops_ = 0;
}

void CoreTally::reset(size_t cores) {
  for (int32_t c : touched_) values_[static_cast<size_t>(c)] = 0;
  touched_.clear();
  if (values_.size() < cores) values_.resize(cores, 0.0);
}

double CoreTally::max() const {
  double m = 0;
  for (int32_t c : touched_) m = std::max(m, values_[static_cast<size_t>(c)]);
  return m;
}

void PricerScratch::reset(size_t cores, size_t links) {
  for (CoreTally* t : {&coreNs, &layerNs, &storeNs, &writeRows, &writeCrossbars, &weightLoadNs})
    t->reset(cores);
  for (LinkLoad* l : {&sample, &incoming, &handOut, &partialSums, &copies}) l->reset(links);
}

double PricerScratch::coreWriteNs(int32_t core, double slots, double rowNs) const {
  const double crossbars = writeCrossbars[core];
  return crossbars > 0 ? writeRows[core] * rowNs / std::min(slots, crossbars) : 0.0;
}

double PricerScratch::perCoreWriteNs(double slots, double rowNs) const {
  double ns = 0;
  for (int32_t c : writeCrossbars.cores()) ns = std::max(ns, coreWriteNs(c, slots, rowNs));
  return ns;
}

double PricerScratch::perCoreReplaceNs(double slots, double rowNs) const {
  // DRAM serves the cores' loads one after another, in the order they ask (the placement's),
  // each request from its own row (latency included); each core then writes its crossbars.
  // A core that only receives copies starts at once (the copies are added by the caller).
  double loaded = 0, ns = 0;
  for (int32_t c : weightLoadNs.cores()) {
    loaded += weightLoadNs[c];
    ns = std::max(ns, loaded + coreWriteNs(c, slots, rowNs));
  }
  return std::max(ns, perCoreWriteNs(slots, rowNs));
}

double PricerScratch::takeSlowestLayerNs() {
  const double slowest = layerNs.max();
  layerNs.reset(0);
  return slowest;
}

double PricerScratch::takeSlowestStoreNs() {
  const double slowest = storeNs.max();
  storeNs.reset(0);
  return slowest;
}

PartitionPricer::PartitionPricer(const schedule::PartitionSchedule& s, int64_t batch,
                                 PricerScratch& scratch)
    : arch_(s.arch()),
      s_(s),
      batch_(static_cast<double>(batch)),
      dramBytesPerNs_(s.arch().dramBandwidthGbPerS()),  // GB/s = bytes/ns
      opsPerNs_(s.arch().vectorOpsPerNs()),
      scratch_(scratch),
      doneNs_(s.layerCount(), 0.0),
      handOutNs_(s.layerCount(), 0.0),
      startNs_(s.layerCount(), 0.0),
      tileNs_(s.layerCount(), 0.0) {
  scratch_.reset(static_cast<size_t>(arch_.chip.cores), static_cast<size_t>(arch_.linkCount()));
}

// --- Replace phase ---------------------------------------------------------------------

void PartitionPricer::operator()(const schedule::LoadWeights& step) {
  dramWeightBytes_ += step.bytes;
  scratch_.weightLoadNs.add(
      step.core, static_cast<double>(step.bytes) / dramBytesPerNs_ + arch_.dramLatencyNs());
}

// A unit's weights are loaded by the core of its first copy, which sends them once to each
// other core holding copies.
void PartitionPricer::operator()(const schedule::CopyWeights& step) {
  const arch::ArchConfig::RouteEnds route = arch_.routeEnds(step.from, step.to);
  const auto bytes = static_cast<double>(step.bytes);
  scratch_.copies.add(route, bytes);
  copyBytes_ += bytes;
  copyByteHops_ += bytes * route.hops;
}

void PartitionPricer::operator()(const schedule::WriteCrossbars& step) {
  cellsWritten_ += step.profile.cells * step.copies;
  const auto rows = static_cast<double>(step.profile.rowWrites * step.copies);
  const auto crossbars = static_cast<double>(step.profile.crossbars * step.copies);
  rowWrites_ += rows;
  crossbarsWritten_ += crossbars;
  scratch_.writeRows.add(step.core, rows);
  scratch_.writeCrossbars.add(step.core, crossbars);
}

// --- One sample of the reuse phase -----------------------------------------------------

void PartitionPricer::send(int32_t from, int32_t to, double bytes, LinkLoad& phase) {
  if (from == to || bytes <= 0) return;
  const arch::ArchConfig::RouteEnds route = arch_.routeEnds(from, to);
  scratch_.sample.add(route, bytes);
  phase.add(route, bytes);
  onChipBytes_ += bytes;
  byteHops_ += bytes * route.hops;
}

// LD and ST stall their core for the DRAM latency and the transfer; the walk gives a tiled
// layer's accesses whole (schedule::Tiling::Whole), and each of its chunks pays the latency.
double PartitionPricer::accessNs(double bytes, double chunks) const {
  return arch_.dramLatencyNs() * std::min(chunks, bytes) + bytes / dramBytesPerNs_;
}

double PartitionPricer::dramAccess(int32_t core, double bytes, double& total) {
  if (bytes <= 0) return 0.0;
  // A tiled layer stores a piece only in the tiles that run vectors (every tile where it
  // spills its map: the pieces leave as they come back).
  const double chunks = s_.spills(layer_->li)
                            ? layer_->tiles
                            : std::min<double>(layer_->tiles, layer_->vectorsPerCopy);
  const double ns = accessNs(bytes, chunks);
  scratch_.coreNs.add(core, ns);
  total += bytes;
  return ns;
}

void PartitionPricer::operator()(const schedule::LayerStart& step) {
  layer_ = &step;
  const schedule::LayerGroup& g = step.group;
  // Replicas split a sample's vectors statically: each runs ceil(V / r) of them, so
  // r x ceil(V / r) vector slots pass through the layer.
  const double vectors = step.vectorsPerCopy * step.replicas;
  const double cycles = vectors * static_cast<double>(g.inputCycles);
  conversions_ += cycles * static_cast<double>(g.activeColumns) * step.crossbars;
  rowDrives_ += cycles * static_cast<double>(g.activeRows) * step.crossbars;
  crossbarCycles_ += cycles * step.crossbars;
  scratch_.incoming.clear();
  scratch_.handOut.clear();
  scratch_.partialSums.clear();
  loadNs_ = storeNs_ = inputsReadyNs_ = computeNs_ = reloadNs_ = 0;
  firstInputNs_ = 0;
  pendingLoads_.clear();
}

void PartitionPricer::operator()(const schedule::Load& step) {
  const double before = loadNs_;
  if (step.bytes > 0) {
    const double ns = accessNs(static_cast<double>(step.bytes), layer_->tiles);
    entryBytes_ += static_cast<double>(step.bytes);
    loadNs_ += ns;
    pendingLoads_.emplace_back(step.core, ns);
  }
  // A value loaded here is ready for later readers once the leader's loads so far are in (its
  // first chunk once the first chunks are).
  if (step.value != ir::kNoValue)
    loaded_.push_back({step.value, before + (loadNs_ - before) / layer_->tiles, loadNs_});
}

// Inputs reach the leader from the cores of a producer that completes here, or from the core
// that loaded them in this partition. A tiled layer can start once the first piece of each is
// in: a tiled producer makes it within its first tiles.
void PartitionPricer::operator()(const schedule::Receive& step) {
  const schedule::Message& m = step.message;
  if (m.producer >= 0) {
    const auto p = static_cast<size_t>(m.producer);
    inputsReadyNs_ = std::max(inputsReadyNs_, doneNs_[p]);
    const double first =
        s_.tiles() > 1 ? std::min(doneNs_[p], startNs_[p] + tileNs_[p]) : doneNs_[p];
    firstInputNs_ = std::max(firstInputNs_, first);
  } else {
    for (const Loaded& e : loaded_)
      if (e.value == m.value) {
        inputsReadyNs_ = std::max(inputsReadyNs_, e.readyNs);
        firstInputNs_ = std::max(firstInputNs_, e.firstNs);
        break;
      }
  }
  send(m.from, m.to, static_cast<double>(m.bytes), scratch_.incoming);
}

void PartitionPricer::operator()(const schedule::HandOut& step) {
  send(step.from, step.to, static_cast<double>(step.bytes), scratch_.handOut);
}

// A core runs the layer's copies it holds as one MVM (its crossbars work in parallel); its
// vector work follows as VectorWork steps.
void PartitionPricer::operator()(const schedule::Compute& step) {
  const double ns = static_cast<double>(step.vectors) *
                    arch_.mvmVectorNs(step.cycles, step.crossbars, step.rows, step.cols);
  scratch_.coreNs.add(step.core, ns);
  scratch_.layerNs.add(step.core, ns);
  // Each crossbar reads its rows of every input vector from local memory and writes its
  // outputs back, as the MVM instruction does.
  localBytes_ +=
      static_cast<double>(step.vectors) * arch_.mvmLocalBytes(step.crossbars, step.rows, step.cols);
}

void PartitionPricer::flushLoads() {
  for (const auto& [core, ns] : pendingLoads_) scratch_.coreNs.add(core, ns);
  pendingLoads_.clear();
}

// A spilled map comes back after the matrix op: the reloads lengthen the layer (each core
// reads its own boxes, in parallel with the others).
void PartitionPricer::operator()(const schedule::Reload& step) {
  reloadNs_ =
      std::max(reloadNs_, dramAccess(step.core, static_cast<double>(step.bytes), entryBytes_));
}

void PartitionPricer::operator()(const schedule::Store& step) {
  flushLoads();
  const double ns = dramAccess(step.core, static_cast<double>(step.bytes), exitBytes_);
  storeNs_ = std::max(storeNs_, ns);
  scratch_.storeNs.add(step.core, ns);
}

// The first sample through the layer: the leader loads what comes from DRAM while its other
// inputs are made and sent, hands the input out, the slowest core computes, row chunks send
// their partial sums to their column blocks' reducers, and the slowest store ends it (cores
// store at different times, so their stores rarely queue).
// A tiled layer is a pipeline of its tiles behind its inputs' pieces: it starts once the first
// pieces are in and takes its tiles one after another, and it cannot end before its last
// pieces are in and one more tile has run.
void PartitionPricer::operator()(const schedule::LayerEnd& step) {
  flushLoads();
  const arch::InterconnectConfig& net = arch_.chip.interconnect;
  computeNs_ = scratch_.takeSlowestLayerNs();
  const double slowestCoreStores = scratch_.takeSlowestStoreNs();
  handOutNs_[step.li] = scratch_.handOut.ns(net);
  const double incomingNs = scratch_.incoming.ns(net);
  const double partialSumsNs = scratch_.partialSums.ns(net);
  if (layer_->tiles <= 1) {
    doneNs_[step.li] = std::max(loadNs_, inputsReadyNs_ + incomingNs) + handOutNs_[step.li] +
                       computeNs_ + partialSumsNs + storeNs_ + reloadNs_;
  } else {
    const double tiles = layer_->tiles;
    const double firstIn = std::max(loadNs_ / tiles, firstInputNs_ + incomingNs / tiles);
    const double lastIn = std::max(loadNs_, inputsReadyNs_ + incomingNs / tiles);
    // The hand-out of tile t + 1 travels while the cores compute tile t: after the first
    // tile (its hand-out, then its work) the tiles pace at the slower of the two.
    const double handOutTileNs = handOutNs_[step.li] / tiles;
    const double workTileNs = (computeNs_ + partialSumsNs + slowestCoreStores) / tiles;
    const double tileNs = handOutTileNs + workTileNs;  // one tile through both
    startNs_[step.li] = firstIn;
    tileNs_[step.li] = tileNs;
    doneNs_[step.li] =
        std::max(firstIn + tileNs + (tiles - 1) * std::max(handOutTileNs, workTileNs),
                 lastIn + tileNs) +
        reloadNs_;
  }
  fillNs_ = std::max(fillNs_, doneNs_[step.li]);
}

// A tiled partition's first sample: its busiest core cannot start before the first tile of
// its earliest layer there has its inputs (the pipeline ahead of it fills first), then works
// through its whole load, and the last layer still takes a tile after it.
double PartitionPricer::tiledFillNs() const {
  int32_t busiest = -1;
  for (int32_t core : scratch_.coreNs.cores())
    if (busiest < 0 || scratch_.coreNs[core] > scratch_.coreNs[busiest]) busiest = core;
  if (busiest < 0) return 0.0;
  double start = -1;
  for (size_t li = 0; li < s_.layerCount(); ++li)
    for (const schedule::LayerOnCore& h : s_.cores(li))
      if (h.core == busiest && (start < 0 || startNs_[li] < start)) start = startNs_[li];
  return std::max(0.0, start) + scratch_.coreNs[busiest] + tileNs_[s_.layerCount() - 1];
}

PartitionCost PartitionPricer::result(const std::vector<schedule::LayerReplication>& replication) {
  const auto& xb = arch_.crossbar;
  const auto& net = arch_.chip.interconnect;
  PartitionCost c;
  c.replication = replication;
  c.dramWeightBytes = dramWeightBytes_;
  c.cellsWritten = cellsWritten_;
  // The pipeline's pace: the busiest core, DRAM bandwidth, or the busiest link.
  const double dramStage = (entryBytes_ + exitBytes_) / dramBytesPerNs_;
  const double linkStage = scratch_.sample.busiest() / net.link_bandwidth_gb_per_s;
  c.bottleneckStageNs = std::max({scratch_.coreNs.max(), dramStage, linkStage});
  // The first sample's critical path takes each layer in its own threads; where layers share a
  // core, their threads take turns, so the sample takes at least that core's busy time, and
  // its traffic at least the busiest link's and DRAM's time.
  c.pipelineFillNs = std::max({fillNs_, scratch_.coreNs.max(), linkStage, dramStage});
  if (s_.tiles() > 1) c.pipelineFillNs = std::max(c.pipelineFillNs, tiledFillNs());
  c.reuseNs = c.pipelineFillNs + (batch_ - 1) * c.bottleneckStageNs;
  // Tiled layers move through a sample in step: a producer runs at most its consumer's
  // buffered rounds ahead, so every layer's cores are busy with the first sample until a few
  // tiles before the slowest resource is through it. Early replacement can start no sooner.
  if (const double tiles = s_.tiles(); tiles > 1)
    for (double& done : doneNs_)
      done = std::max(done, c.pipelineFillNs * std::max(0.0, 1.0 - 3.0 / tiles));
  c.layerDoneNs.assign(doneNs_.begin(), doneNs_.end());
  c.layerHandOutNs.assign(handOutNs_.begin(), handOutNs_.end());
  c.tiles = s_.tiles();
  c.spills.resize(s_.layerCount());
  for (size_t li = 0; li < s_.layerCount(); ++li) c.spills[li] = s_.spills(li) ? 1 : 0;
  c.localMemoryShortfall = s_.shortfall();

  c.weightLoadNs = c.dramWeightBytes / dramBytesPerNs_ + arch_.dramLatencyNs();
  // The write-power limit: one pool of slots for the chip, or so many per core.
  const auto slots = static_cast<double>(arch_.chip.max_parallel_crossbar_writes);
  if (arch_.chip.crossbar_write_scope == arch::WriteScope::Core) {
    c.weightWriteNs = scratch_.perCoreWriteNs(slots, xb.row_write_latency_ns);
  } else {
    const double parallel = std::min(slots, crossbarsWritten_);
    c.weightWriteNs = parallel > 0 ? rowWrites_ * xb.row_write_latency_ns / parallel : 0;
  }
  const double copiesNs = scratch_.copies.ns(net);
  c.weightWriteNs += copiesNs;
  const auto loaders =
      static_cast<double>(std::max<size_t>(1, scratch_.weightLoadNs.cores().size()));
  // Loads and writes overlap across cores: the last load's share of writes follows it, and
  // the writes wait for the first load.
  c.replaceNs = std::max(c.weightLoadNs + c.weightWriteNs / loaders,
                         c.weightWriteNs + c.weightLoadNs / loaders);
  // With per-core write slots a core writes its crossbars itself once its loads are in, and
  // the last core loaded still has all its writes to do.
  if (arch_.chip.crossbar_write_scope == arch::WriteScope::Core)
    c.replaceNs =
        std::max(c.replaceNs, scratch_.perCoreReplaceNs(slots, xb.row_write_latency_ns) + copiesNs);
  c.totalNs = c.replaceNs + c.reuseNs;
  c.crossbarsUsed = static_cast<int64_t>(crossbarsWritten_);

  c.dramActivationReadBytes = entryBytes_ * batch_;
  c.dramActivationWriteBytes = exitBytes_ * batch_;
  c.interconnectBytes = onChipBytes_ * batch_ + copyBytes_;
  using arch::Action;
  arch::ActionCounts counts;
  counts[Action::AdcConversion] = batch_ * conversions_;
  counts[Action::DacDrive] = batch_ * rowDrives_;
  counts[Action::CrossbarReadCycle] = batch_ * crossbarCycles_;
  counts[Action::CellWritten] = static_cast<double>(c.cellsWritten);
  counts[Action::LocalMemoryByte] = batch_ * localBytes_;
  counts[Action::InterconnectByteHop] = byteHops_ * batch_ + copyByteHops_;
  counts[Action::DramBit] =
      (c.dramWeightBytes + c.dramActivationReadBytes + c.dramActivationWriteBytes) * 8.0;
  counts[Action::VectorOp] = batch_ * vectorOps_;
  counts[Action::StaticNs] = c.totalNs;
  c.actions = counts;
  c.energyPj = arch::energyOf(counts, arch_);
  return c;
}

PartitionCost pricePartition(const schedule::PartitionSchedule& s, int64_t batch) {
  thread_local PricerScratch scratch;
  PartitionPricer pricer(s, batch, scratch);
  schedule::walkPartition(s, 0, 1, pricer, schedule::Tiling::Whole);
  return pricer.result(s.replication());
}

}  // namespace xbar::cost
