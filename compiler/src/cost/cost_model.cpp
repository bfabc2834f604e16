#include "xbar/cost/cost_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <llvm/ADT/SmallVector.h>

#include "xbar/mapping/core_packing.h"
#include "xbar/support/error.h"

namespace xbar::cost {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// Samples one inference of the model carries: the leading dim of its first input.
int64_t samplesPerInference(const ir::Graph& g) {
  if (g.inputs.empty() || g.value(g.inputs[0]).shape.empty()) return 1;
  return std::max<int64_t>(1, g.value(g.inputs[0]).shape[0]);
}

// Element operations a non-matrix node costs: every element it reads or writes once.
double vectorOps(const ir::Graph& g, const ir::Node& n) {
  double elements = 0;
  for (ir::ValueId out : n.outputs)
    if (out != ir::kNoValue)
      elements = std::max(elements, static_cast<double>(g.value(out).elementCount()));
  for (ir::ValueId in : n.inputs)
    if (in != ir::kNoValue && !g.value(in).isConstant)
      elements = std::max(elements, static_cast<double>(g.value(in).elementCount()));
  return elements;
}

// Bytes a group of transfers puts on the links, and the busiest link's total. A transfer is
// charged to the first and last links of its route: the program's traffic fans out from a
// leader and fans in to a consumer, so those links carry the most (and this is O(1) per
// transfer on a 1104-core mesh, where tracing every hop is not).
class LinkLoad {
 public:
  // Ready for `links` links, all empty.
  void reset(size_t links) {
    clear();
    if (bytes_.size() < links) bytes_.resize(links, 0.0);
  }
  void add(const arch::ArchConfig::RouteEnds& route, double bytes) {
    charge(route.first, bytes);
    if (route.last != route.first) charge(route.last, bytes);
    hops_ = std::max(hops_, static_cast<size_t>(route.hops));
  }
  // The group's time when its transfers stream back to back: the busiest link, plus the
  // longest path's hops.
  double ns(const arch::InterconnectConfig& net) const {
    return busiest_ > 0 ? busiest_ / net.link_bandwidth_gb_per_s +
                              static_cast<double>(hops_) * net.hop_latency_ns
                        : 0.0;
  }
  double busiest() const { return busiest_; }
  void clear() {
    for (int32_t link : touched_) bytes_[static_cast<size_t>(link)] = 0;
    touched_.clear();
    busiest_ = 0;
    hops_ = 0;
  }

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

// Per-thread buffers evaluateWith reuses, so a call costs what the partition touches, not
// the chip's size (PUMA has 1104 cores and 4416 mesh links).
struct Scratch {
  std::vector<double> coreNs;
  std::vector<int32_t> busyCores;
  LinkLoad sample, incoming, handOut, copies;

  void reset(size_t cores, size_t links) {
    for (int32_t c : busyCores) coreNs[static_cast<size_t>(c)] = 0;
    busyCores.clear();
    if (coreNs.size() < cores) coreNs.resize(cores, 0.0);
    for (LinkLoad* l : {&sample, &incoming, &handOut, &copies}) l->reset(links);
  }
  void addCoreNs(int32_t core, double ns) {
    double& t = coreNs[static_cast<size_t>(core)];
    if (t == 0) busyCores.push_back(core);
    t += ns;
  }
  double busiestCoreNs() const {
    double m = 0;
    for (int32_t c : busyCores) m = std::max(m, coreNs[static_cast<size_t>(c)]);
    return m;
  }
};

}  // namespace

CostModel::CostModel(const ir::Graph& graph, const mapping::Mapping& mapping,
                     const arch::ArchConfig& arch, int64_t batch)
    : arch_(arch), batch_(batch) {
  if (batch < 1) failInput("--batch " + std::to_string(batch), "the batch must be at least 1");
  const auto& xb = arch.crossbar;
  const double activationBytes = static_cast<double>(arch.precision.activation_bits) / 8.0;
  const int64_t samples = samplesPerInference(graph);
  const int64_t inputCycles = ceilDiv(arch.precision.activation_bits, xb.dac_bits);

  // Group of each node and value: the matrix layer it belongs to (DESIGN.md §4).
  std::vector<int32_t> layerOfNode(graph.nodes.size(), -1);
  for (size_t l = 0; l < mapping.layers.size(); ++l)
    layerOfNode[static_cast<size_t>(mapping.layers[l].layer.node)] = static_cast<int32_t>(l);
  std::vector<int32_t> groupOfValue(graph.values.size(), -1);
  std::vector<int32_t> groupOfNode(graph.nodes.size(), 0);
  layers_.resize(mapping.layers.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& n = graph.nodes[i];
    int32_t group = layerOfNode[i];
    if (group < 0) {  // a non-matrix op joins the latest layer it depends on
      group = 0;
      for (ir::ValueId in : n.inputs)
        if (in != ir::kNoValue) group = std::max(group, groupOfValue[static_cast<size_t>(in)]);
      if (!layers_.empty()) {
        LayerProfile& p = layers_[static_cast<size_t>(group)];
        const double ops = vectorOps(graph, n) / static_cast<double>(samples);
        p.vectorOpsPerSample += ops;
        p.vectorOps.emplace_back(n.kind, ops);
      }
    }
    groupOfNode[i] = group;
    for (ir::ValueId out : n.outputs)
      if (out != ir::kNoValue) groupOfValue[static_cast<size_t>(out)] = group;
  }

  // Activations crossing groups: each group's inputs, and each value's last consumer group.
  std::vector<int32_t> lastConsumer(graph.values.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const int32_t h = groupOfNode[i];
    if (layers_.empty()) break;
    for (ir::ValueId in : graph.nodes[i].inputs) {
      if (in == ir::kNoValue || graph.value(in).isConstant) continue;
      const int32_t g =
          graph.value(in).producer == ir::kNoNode ? -1 : groupOfValue[static_cast<size_t>(in)];
      if (g == h) continue;
      const double bytes = static_cast<double>(graph.value(in).elementCount()) * activationBytes /
                           static_cast<double>(samples);
      auto& inputs = layers_[static_cast<size_t>(h)].inputs;
      const bool seen =
          std::any_of(inputs.begin(), inputs.end(), [&](const auto& e) { return e.value == in; });
      if (!seen) inputs.push_back({in, bytes, g});
      if (g >= 0)
        lastConsumer[static_cast<size_t>(in)] = std::max(lastConsumer[static_cast<size_t>(in)], h);
    }
  }
  for (ir::ValueId out : graph.outputs)
    if (graph.value(out).producer != ir::kNoNode)
      lastConsumer[static_cast<size_t>(out)] = kGraphOutput;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (lastConsumer[v] < 0 || groupOfValue[v] < 0 || layers_.empty()) continue;
    const double bytes = static_cast<double>(graph.values[v].elementCount()) * activationBytes /
                         static_cast<double>(samples);
    layers_[static_cast<size_t>(groupOfValue[v])].outputs.push_back(
        {static_cast<ir::ValueId>(v), bytes, lastConsumer[v]});
  }

  for (size_t l = 0; l < mapping.layers.size(); ++l) {
    const mapping::LayerMapping& m = mapping.layers[l];
    LayerProfile& p = layers_[l];
    const bool packed = m.groupsPerBlock > 1;
    p.vectorsPerSample = std::max<int64_t>(1, m.layer.vectorsPerInference / samples);
    p.inputCycles = inputCycles;
    p.activeRows = std::min(xb.rows, (packed ? m.groupsPerBlock : 1) * m.layer.inputs);
    p.activeColumns = std::min(xb.cols, (packed ? m.groupsPerBlock * m.layer.outputs
                                                : std::min(m.layer.outputs, m.outputsPerCrossbar)) *
                                            m.columnsPerWeight);
    p.mvmNs = arch.vectorTimeNs(inputCycles, p.activeColumns);
    p.reductionOpsPerSample =
        static_cast<double>((m.rowTiles - 1) * m.layer.totalOutputs() * p.vectorsPerSample);
    p.outputBytesPerSample =
        static_cast<double>(m.layer.totalOutputs() * p.vectorsPerSample) * activationBytes;
    const ir::Node& node = graph.node(m.layer.node);
    const ir::ValueId x = node.inputs[0] == m.layer.weight ? node.inputs[1] : node.inputs[0];
    p.inputBytesPerSample = static_cast<double>(graph.value(x).elementCount()) * activationBytes /
                            static_cast<double>(samples);
    p.localMemoryBytesPerSample =
        static_cast<double>(p.vectorsPerSample * m.layer.inputs * m.layer.groups) *
            activationBytes +
        p.outputBytesPerSample;
    p.firstUnit = m.firstUnit;
    p.endUnit = m.firstUnit + m.unitCount;
  }

  for (const mapping::PartitionUnit& u : mapping.units) {
    const mapping::LayerMapping& m = mapping.layers[static_cast<size_t>(u.layer)];
    if (u.crossbars > arch.core.crossbars)
      failInput(mapping.model,
                "layer '{}' needs {} crossbars in one partition unit but a core has {}",
                m.layer.name, u.crossbars, arch.core.crossbars);
    // A core must hold one input vector of the unit's rows and one output vector of its
    // columns in local memory to run it at all.
    const int64_t rowsNeeded = std::min(
        m.layer.inputs * (m.groupsPerBlock > 1 ? m.groupsPerBlock : 1), u.rowTiles * xb.rows);
    const double vectorBytes = static_cast<double>(rowsNeeded + u.outputs) * activationBytes;
    const double localBytes = static_cast<double>(arch.core.local_memory.size_kib) * 1024.0;
    if (vectorBytes > localBytes)
      failInput(
          mapping.model,
          "layer '{}' cannot run even one partition unit per core: its input and output vectors "
          "take {:.0f} bytes but core.local_memory.size_kib gives {:.0f}",
          m.layer.name, vectorBytes, localBytes);
    UnitProfile p;
    p.layer = u.layer;
    p.crossbars = u.crossbars;
    const bool packed = m.groupsPerBlock > 1;
    const int64_t firstRow = u.firstRowTile * xb.rows;
    const int64_t rowsCovered =
        std::min(m.layer.inputs, (u.firstRowTile + u.rowTiles) * xb.rows) - firstRow;
    const int64_t weights = u.outputs * rowsCovered;
    p.weightBytes = static_cast<double>(weights * arch.precision.weight_bits) / 8.0;
    p.cells = weights * m.columnsPerWeight;
    p.rowWrites =
        packed ? (u.outputs / m.layer.outputs) * m.layer.inputs : u.columnBlocks * rowsCovered;
    p.outputFraction = static_cast<double>(u.crossbars) / static_cast<double>(m.crossbars);
    units_.push_back(p);
  }

  // The validity map: from each start, extend while best-fit placement succeeds.
  maxEnd_.resize(units_.size());
  for (size_t s = 0; s < units_.size(); ++s) {
    mapping::IncrementalPacker packer(arch.chip.cores, arch.core.crossbars);
    size_t e = s;
    while (e < units_.size() && packer.add(units_[e].crossbars)) ++e;
    if (e == s)
      failInput(mapping.model,
                "layer '{}': one partition unit of {} crossbars does not fit a core of {}",
                mapping.layers[static_cast<size_t>(units_[s].layer)].layer.name,
                units_[s].crossbars, arch.core.crossbars);
    maxEnd_[s] = static_cast<int32_t>(e);
  }

  dramBytesPerNs_ = arch.dramBandwidthGbPerS();  // GB/s = bytes/ns
}

int64_t wholeBytes(double bytes) {
  return static_cast<int64_t>(std::ceil(bytes - 1e-9));
}

std::vector<double> completeShares(const std::vector<LayerOnCore>& cores,
                                   const OutputSplit& split) {
  const double whole = split.here + split.before;
  std::vector<double> shares;
  shares.reserve(cores.size());
  for (const LayerOnCore& h : cores) shares.push_back(h.outputShare / whole);
  shares.front() += split.before / whole;
  return shares;
}

std::vector<double> partialShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split) {
  std::vector<double> shares;
  shares.reserve(cores.size());
  for (const LayerOnCore& h : cores) shares.push_back(h.outputShare / split.here);
  return shares;
}

OutputSplit CostModel::outputSplit(int32_t layer, int32_t start, int32_t end) const {
  const LayerProfile& p = layers_[static_cast<size_t>(layer)];
  OutputSplit split;
  for (int32_t u = p.firstUnit; u < std::min(end, p.endUnit); ++u)
    (u < start ? split.before : split.here) += units_[static_cast<size_t>(u)].outputFraction;
  return split;
}

std::vector<int64_t> sliceBytes(int64_t total, const std::vector<double>& shares) {
  std::vector<int64_t> slices;
  slices.reserve(shares.size());
  double cumulative = 0;
  int64_t offset = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    cumulative += shares[i];
    const int64_t end =
        i + 1 == shares.size()
            ? total
            : std::clamp<int64_t>(std::llround(cumulative * static_cast<double>(total)), offset,
                                  total);
    slices.push_back(end - offset);
    offset = end;
  }
  return slices;
}

bool CostModel::replicasFit(int32_t start, int32_t end,
                            const std::vector<LayerReplication>& replication) const {
  mapping::IncrementalPacker packer(arch_.chip.cores, arch_.core.crossbars);
  size_t r = 0;
  for (int32_t u = start; u < end; ++u) {
    const UnitProfile& unit = units_[static_cast<size_t>(u)];
    while (replication[r].layer != unit.layer) ++r;
    if (!packer.add(unit.crossbars, replication[r].replicas)) return false;
  }
  return true;
}

std::vector<Placement> CostModel::place(int32_t start, int32_t end,
                                        const std::vector<LayerReplication>& replication) const {
  mapping::CorePlacer placer(arch_.chip.cores, arch_.core.crossbars);
  std::vector<Placement> placement;
  std::vector<mapping::PlacedRun> runs;
  size_t r = 0;
  for (int32_t u = start; u < end; ++u) {
    const UnitProfile& unit = units_[static_cast<size_t>(u)];
    while (replication[r].layer != unit.layer) ++r;
    runs.clear();
    if (!placer.add(unit.crossbars, replication[r].replicas, runs))
      throw std::logic_error("CostModel::place: the replication does not fit the chip");
    for (const mapping::PlacedRun& run : runs)
      placement.push_back({u, run.core, run.firstCrossbar, run.copies});
  }
  return placement;
}

std::vector<std::vector<LayerOnCore>> CostModel::layersOnCores(
    int32_t start, int32_t /*end*/, const std::vector<LayerReplication>& replication,
    const std::vector<Placement>& placement) const {
  const int32_t firstLayer = units_[static_cast<size_t>(start)].layer;
  std::vector<std::vector<LayerOnCore>> onCores(replication.size());
  // Where each core sits in its layer's list; a layer's placements are consecutive.
  thread_local std::vector<int32_t> slot;
  if (slot.size() < static_cast<size_t>(arch_.chip.cores))
    slot.resize(static_cast<size_t>(arch_.chip.cores), -1);
  size_t current = replication.size();
  for (const Placement& p : placement) {
    const UnitProfile& unit = units_[static_cast<size_t>(p.unit)];
    const auto li = static_cast<size_t>(unit.layer - firstLayer);
    if (li != current) {
      if (current < onCores.size())
        for (const LayerOnCore& h : onCores[current]) slot[static_cast<size_t>(h.core)] = -1;
      current = li;
    }
    auto& cores = onCores[li];
    int32_t& at = slot[static_cast<size_t>(p.core)];
    if (at < 0) {
      at = static_cast<int32_t>(cores.size());
      cores.push_back({p.core, 0, 0});
    }
    LayerOnCore& h = cores[static_cast<size_t>(at)];
    h.crossbars += static_cast<double>(unit.crossbars * p.copies);
    h.outputShare += unit.outputFraction * p.copies / replication[li].replicas;
  }
  if (current < onCores.size())
    for (const LayerOnCore& h : onCores[current]) slot[static_cast<size_t>(h.core)] = -1;
  return onCores;
}

PartitionCost CostModel::evaluateWith(int32_t start, int32_t end,
                                      const std::vector<LayerReplication>& replication) const {
  const auto& xb = arch_.crossbar;
  const auto& net = arch_.chip.interconnect;
  const double batch = static_cast<double>(batch_);
  const int32_t firstLayer = units_[static_cast<size_t>(start)].layer;
  const size_t layerCount = replication.size();
  const double opsPerNs = arch_.vectorOpsPerNs();
  const std::vector<Placement> placement = place(start, end, replication);
  const std::vector<std::vector<LayerOnCore>> onCores =
      layersOnCores(start, end, replication, placement);

  // Each layer's share of its outputs made here and made in earlier partitions.
  llvm::SmallVector<OutputSplit, 32> splitOf;
  for (const LayerReplication& r : replication) splitOf.push_back(outputSplit(r.layer, start, end));

  PartitionCost c;
  c.replication = replication;
  // Per sample: each core's busy time (the program runs the batch as a software pipeline, so
  // the busiest core sets the pace), DRAM bytes, and the bytes each link carries. `layer*`
  // hold one layer's part of the first sample's path: the leader's loads, the messages it
  // waits for, the hand-out to the layer's other cores, and each core's stores.
  thread_local Scratch scratch;
  scratch.reset(static_cast<size_t>(arch_.chip.cores), static_cast<size_t>(arch_.linkCount()));
  LinkLoad& sampleLinks = scratch.sample;
  LinkLoad& layerIncoming = scratch.incoming;
  LinkLoad& layerHandOut = scratch.handOut;

  double onChipBytes = 0, byteHops = 0, entryBytes = 0, exitBytes = 0;
  auto send = [&](int32_t from, int32_t to, double bytes, LinkLoad& phase) {
    if (from == to || bytes <= 0) return;
    const arch::ArchConfig::RouteEnds route = arch_.routeEnds(from, to);
    sampleLinks.add(route, bytes);
    phase.add(route, bytes);
    onChipBytes += bytes;
    byteHops += bytes * route.hops;
  };
  // LD and ST stall their core for the DRAM latency and the transfer.
  auto dramAccess = [&](int32_t core, double bytes, double& total) {
    if (bytes <= 0) return 0.0;
    const double ns = arch_.dram.latency_ns + bytes / dramBytesPerNs_;
    scratch.addCoreNs(core, ns);
    total += bytes;
    return ns;
  };

  double rowWrites = 0, crossbarsWritten = 0, conversions = 0, rowDrives = 0, crossbarCycles = 0;
  double vectorOpCount = 0, localBytes = 0, fillNs = 0;
  // DRAM values read in the partition: the loading core, and when the first sample's copy is in.
  struct Loaded {
    ir::ValueId value;
    int32_t core;
    double readyNs;
  };
  llvm::SmallVector<Loaded, 16> loaded;
  // The first sample's critical path: when each layer's outputs are ready. Every layer runs
  // in its own threads, so a layer starts as soon as its inputs are there.
  llvm::SmallVector<double, 32> doneNs(layerCount, 0.0), handOutNs(layerCount, 0.0);
  for (size_t li = 0; li < layerCount; ++li) {
    const int32_t l = replication[li].layer;
    const LayerProfile& p = layers_[static_cast<size_t>(l)];
    const int32_t replicas = replication[li].replicas;
    const auto& here = onCores[li];
    const int32_t leader = here.front().core;
    double crossbars = 0;
    for (int32_t u = std::max(start, p.firstUnit); u < std::min(end, p.endUnit); ++u) {
      const UnitProfile& unit = units_[static_cast<size_t>(u)];
      crossbars += static_cast<double>(unit.crossbars);
      c.dramWeightBytes += unit.weightBytes;
      c.cellsWritten += unit.cells * replicas;
      rowWrites += static_cast<double>(unit.rowWrites * replicas);
      crossbarsWritten += static_cast<double>(unit.crossbars * replicas);
    }
    const double fraction = splitOf[li].here;
    const bool complete = p.endUnit <= end;

    // Replicas split a sample's vectors statically: each runs ceil(V / r) of them, so
    // r x ceil(V / r) vector slots pass through the layer. A core runs the layer's copies it
    // holds as one MVM (its crossbars work in parallel) and a share of the layer's vector work
    // in proportion to its crossbars.
    const double perReplica = std::ceil(static_cast<double>(p.vectorsPerSample) / replicas);
    const double vectors = perReplica * replicas;
    const double ops = p.reductionOpsPerSample * fraction + (complete ? p.vectorOpsPerSample : 0.0);
    const double held = crossbars * replicas;
    double computeNs = 0;  // the slowest core's part of the layer
    for (const LayerOnCore& h : here) {
      const double ns = perReplica * p.mvmNs + ops * (h.crossbars / held) / opsPerNs;
      scratch.addCoreNs(h.core, ns);
      computeNs = std::max(computeNs, ns);
    }

    const double cycles = vectors * static_cast<double>(p.inputCycles);
    conversions += cycles * static_cast<double>(p.activeColumns) * crossbars;
    rowDrives += cycles * static_cast<double>(p.activeRows) * crossbars;
    crossbarCycles += cycles * crossbars;
    vectorOpCount += ops;
    localBytes += p.localMemoryBytesPerSample * fraction;

    // Inputs reach the leader: from the cores of a producer that completes here, from the
    // core that already loaded them in this partition, or from DRAM.
    layerIncoming.clear();
    layerHandOut.clear();
    double loadNs = 0, storeNs = 0, inputsReadyNs = 0;
    for (const auto& [value, bytes, producer] : p.inputs) {
      const auto whole = static_cast<double>(wholeBytes(bytes));
      if (completesWithin(producer, start, end)) {
        const auto pi = static_cast<size_t>(producer - firstLayer);
        const std::vector<int64_t> slices =
            sliceBytes(wholeBytes(bytes), completeShares(onCores[pi], splitOf[pi]));
        for (size_t i = 0; i < slices.size(); ++i)
          send(onCores[pi][i].core, leader, static_cast<double>(slices[i]), layerIncoming);
        inputsReadyNs = std::max(inputsReadyNs, doneNs[pi]);
      } else if (auto it = std::find_if(loaded.begin(), loaded.end(),
                                        [&](const Loaded& e) { return e.value == value; });
                 it != loaded.end()) {
        send(it->core, leader, whole, layerIncoming);
        inputsReadyNs = std::max(inputsReadyNs, it->readyNs);
      } else {
        loadNs += dramAccess(leader, whole, entryBytes);
        loaded.push_back({value, leader, loadNs});
      }
    }
    // A layer split across partitions: the leader loads the earlier partitions' share.
    if (complete && splitOf[li].before > 0)
      loadNs += dramAccess(
          leader, static_cast<double>(wholeBytes(splitOf[li].before * p.outputBytesPerSample)),
          entryBytes);
    for (size_t i = 1; i < here.size(); ++i)
      send(leader, here[i].core, static_cast<double>(wholeBytes(p.inputBytesPerSample)),
           layerHandOut);

    // Outputs for DRAM: every core stores its own slice.
    if (!complete) {
      const auto slices = sliceBytes(wholeBytes(fraction * p.outputBytesPerSample),
                                     partialShares(here, splitOf[li]));
      for (size_t i = 0; i < slices.size(); ++i)
        storeNs =
            std::max(storeNs, dramAccess(here[i].core, static_cast<double>(slices[i]), exitBytes));
    } else {
      for (const auto& out : p.outputs) {
        if (!leavesPartition(out, end)) continue;
        const auto slices = sliceBytes(wholeBytes(out.bytes), completeShares(here, splitOf[li]));
        for (size_t i = 0; i < slices.size(); ++i)
          storeNs = std::max(storeNs,
                             dramAccess(here[i].core, static_cast<double>(slices[i]), exitBytes));
      }
    }
    // The first sample through the layer: the leader loads what comes from DRAM while its
    // other inputs are made and sent, hands the input out, the slowest core computes, and the
    // slowest store ends it (cores store at different times, so their stores rarely queue).
    handOutNs[li] = layerHandOut.ns(net);
    doneNs[li] = std::max(loadNs, inputsReadyNs + layerIncoming.ns(net)) + handOutNs[li] +
                 computeNs + storeNs;
    fillNs = std::max(fillNs, doneNs[li]);
  }

  // The pipeline's pace: the busiest core, DRAM bandwidth, or the busiest link.
  const double dramStage = (entryBytes + exitBytes) / dramBytesPerNs_;
  const double linkStage = sampleLinks.busiest() / net.link_bandwidth_gb_per_s;
  c.bottleneckStageNs = std::max({scratch.busiestCoreNs(), dramStage, linkStage});
  c.pipelineFillNs = fillNs;
  c.reuseNs = c.pipelineFillNs + (batch - 1) * c.bottleneckStageNs;
  c.layerDoneNs.assign(doneNs.begin(), doneNs.end());
  c.layerHandOutNs.assign(handOutNs.begin(), handOutNs.end());

  c.weightLoadNs = c.dramWeightBytes / dramBytesPerNs_ + arch_.dram.latency_ns;
  const double parallel =
      std::min(static_cast<double>(arch_.chip.max_parallel_crossbar_writes), crossbarsWritten);
  c.weightWriteNs = parallel > 0 ? rowWrites * xb.row_write_latency_ns / parallel : 0;
  // A unit's weights are loaded by the core of its first copy, which sends them once to each
  // other core holding copies.
  LinkLoad& copies = scratch.copies;
  double copyBytes = 0, copyByteHops = 0;
  int32_t primary = -1;
  for (size_t i = 0; i < placement.size(); ++i) {
    const Placement& p = placement[i];
    if (i == 0 || placement[i - 1].unit != p.unit) primary = p.core;
    if (p.core == primary) continue;
    const auto bytes =
        static_cast<double>(wholeBytes(units_[static_cast<size_t>(p.unit)].weightBytes));
    const arch::ArchConfig::RouteEnds route = arch_.routeEnds(primary, p.core);
    copies.add(route, bytes);
    copyBytes += bytes;
    copyByteHops += bytes * route.hops;
  }
  c.weightWriteNs += copies.ns(net);
  c.totalNs = c.weightLoadNs + c.weightWriteNs + c.reuseNs;
  c.crossbarsUsed = static_cast<int64_t>(crossbarsWritten);

  c.dramActivationReadBytes = entryBytes * batch;
  c.dramActivationWriteBytes = exitBytes * batch;
  c.interconnectBytes = onChipBytes * batch + copyBytes;
  arch::ActivityCounts counts;
  counts.adcConversions = batch * conversions;
  counts.dacDrives = batch * rowDrives;
  counts.crossbarCycles = batch * crossbarCycles;
  counts.cellsWritten = static_cast<double>(c.cellsWritten);
  counts.localMemoryBytes = batch * localBytes;
  counts.interconnectByteHops = byteHops * batch + copyByteHops;
  counts.dramBytes = c.dramWeightBytes + c.dramActivationReadBytes + c.dramActivationWriteBytes;
  counts.vectorOps = batch * vectorOpCount;
  counts.timeNs = c.totalNs;
  c.energyPj = arch::energyOf(counts, arch_);
  return c;
}

std::vector<double> CostModel::coreDoneNs(int32_t start, int32_t end,
                                          const PartitionCost& cost) const {
  const std::vector<Placement> placement = place(start, end, cost.replication);
  const auto onCores = layersOnCores(start, end, cost.replication, placement);
  std::vector<double> done(static_cast<size_t>(arch_.chip.cores), 0.0);
  const double laterSamples = static_cast<double>(batch_ - 1) * cost.bottleneckStageNs;
  for (size_t li = 0; li < onCores.size(); ++li) {
    const double n = static_cast<double>(onCores[li].size());
    for (size_t k = 0; k < onCores[li].size(); ++k) {
      const double early = cost.layerHandOutNs[li] * (n - static_cast<double>(k + 1)) / n;
      double& d = done[static_cast<size_t>(onCores[li][k].core)];
      d = std::max(d, cost.layerDoneNs[li] - early + laterSamples);
    }
  }
  return done;
}

std::vector<double> CostModel::weightBytesLoadedBy(int32_t start, int32_t end,
                                                   const PartitionCost& cost) const {
  const std::vector<Placement> placement = place(start, end, cost.replication);
  std::vector<double> bytes(static_cast<size_t>(arch_.chip.cores), 0.0);
  for (size_t i = 0; i < placement.size(); ++i)
    if (i == 0 || placement[i - 1].unit != placement[i].unit)
      bytes[static_cast<size_t>(placement[i].core)] +=
          units_[static_cast<size_t>(placement[i].unit)].weightBytes;
  return bytes;
}

double additiveScore(const PartitionCost& cost, Objective objective) {
  switch (objective) {
    case Objective::Energy:
      return cost.energyPj.total();
    case Objective::Edp:
      return cost.energyPj.total() * cost.totalNs;  // a partition-local proxy
    default:
      return cost.totalNs;
  }
}

PartitionCost CostModel::evaluate(int32_t start, int32_t end, Objective objective) const {
  const int32_t firstLayer = units_[static_cast<size_t>(start)].layer;
  const int32_t lastLayer = units_[static_cast<size_t>(end - 1)].layer;
  std::vector<LayerReplication> replication;
  for (int32_t l = firstLayer; l <= lastLayer; ++l) replication.push_back({l, 1});
  PartitionCost best = evaluateWith(start, end, replication);
  double bestScore = additiveScore(best, objective);
  // Spare crossbars go to the slowest layer stage while that lowers the objective. Each step
  // gives the slowest layer enough replicas to fall to the next slowest stage (or as many as
  // fit), so a big chip takes a few steps, not one per spare crossbar.
  auto stageNs = [&](const LayerReplication& r) {
    const LayerProfile& p = layers_[static_cast<size_t>(r.layer)];
    return std::ceil(static_cast<double>(p.vectorsPerSample) / r.replicas) * p.mvmNs;
  };
  while (true) {
    size_t slowest = 0;
    for (size_t i = 1; i < replication.size(); ++i)
      if (stageNs(replication[i]) > stageNs(replication[slowest])) slowest = i;
    double next = 0;
    for (size_t i = 0; i < replication.size(); ++i)
      if (i != slowest) next = std::max(next, stageNs(replication[i]));
    const LayerProfile& p = layers_[static_cast<size_t>(replication[slowest].layer)];
    const double work = static_cast<double>(p.vectorsPerSample) * p.mvmNs;
    const int32_t current = replication[slowest].replicas;
    const double wanted =
        next > 0 ? std::ceil(work / next) : static_cast<double>(p.vectorsPerSample);
    int32_t high = static_cast<int32_t>(
        std::clamp(wanted, current + 1.0,
                   static_cast<double>(std::max<int64_t>(p.vectorsPerSample, current + 1))));
    std::vector<LayerReplication> candidate = replication;
    auto fitsWith = [&](int32_t replicas) {
      candidate[slowest].replicas = replicas;
      return replicasFit(start, end, candidate);
    };
    if (!fitsWith(current + 1)) break;
    int32_t low = current + 1;  // fits; find the largest that fits up to `high`
    while (low < high) {
      const int32_t mid = low + (high - low + 1) / 2;
      if (fitsWith(mid))
        low = mid;
      else
        high = mid - 1;
    }
    candidate[slowest].replicas = low;
    PartitionCost cost = evaluateWith(start, end, candidate);
    const double score = additiveScore(cost, objective);
    if (score >= bestScore) break;
    best = std::move(cost);
    bestScore = score;
    replication = std::move(candidate);
  }
  return best;
}

}  // namespace xbar::cost
