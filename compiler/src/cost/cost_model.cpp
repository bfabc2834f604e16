#include "xbar/cost/cost_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

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
  const auto& ic = arch.chip.interconnect;
  // Mean XY distance between two random nodes of an R x C mesh: (R + C) / 3.
  averageHops_ = ic.topology == arch::Topology::Mesh
                     ? static_cast<double>(ic.mesh_rows + ic.mesh_cols) / 3.0
                     : 1.0;
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

PartitionCost CostModel::evaluateWith(int32_t start, int32_t end,
                                      const std::vector<LayerReplication>& replication) const {
  const auto& xb = arch_.crossbar;
  const double batch = static_cast<double>(batch_);
  const int32_t firstLayer = units_[static_cast<size_t>(start)].layer;
  const int32_t lastLayer = units_[static_cast<size_t>(end - 1)].layer;
  const double opsPerNs = arch_.vectorOpsPerNs();

  PartitionCost c;
  c.replication = replication;
  double entryBytes = 0, exitBytes = 0, onChipBytes = 0, rowWrites = 0, crossbarsWritten = 0;
  double largestTransfer = 0, replicaWeightBytes = 0, largestReplicaCopy = 0;
  double conversions = 0, rowDrives = 0, crossbarCycles = 0, vectorOpCount = 0, localBytes = 0;
  double slowestStage = 0, stageSum = 0;
  llvm::SmallVector<ir::ValueId, 16> loaded;  // values this partition reads from DRAM

  for (int32_t l = firstLayer; l <= lastLayer; ++l) {
    const LayerProfile& p = layers_[static_cast<size_t>(l)];
    const int32_t replicas = replication[static_cast<size_t>(l - firstLayer)].replicas;
    const int32_t from = std::max(start, p.firstUnit), to = std::min(end, p.endUnit);
    double fraction = 0, crossbars = 0;
    for (int32_t u = from; u < to; ++u) {
      const UnitProfile& unit = units_[static_cast<size_t>(u)];
      fraction += unit.outputFraction;
      crossbars += static_cast<double>(unit.crossbars);
      c.dramWeightBytes += unit.weightBytes;
      replicaWeightBytes += unit.weightBytes * (replicas - 1);
      largestReplicaCopy = std::max(largestReplicaCopy, unit.weightBytes * (replicas - 1));
      c.cellsWritten += unit.cells * replicas;
      rowWrites += static_cast<double>(unit.rowWrites * replicas);
      crossbarsWritten += static_cast<double>(unit.crossbars * replicas);
    }
    const bool complete = p.endUnit <= end;
    const bool startedBefore = p.firstUnit < start;

    // The layer's stage: its MVMs spread over replicas, then its vector work over its cores.
    // Replicas split a sample's vectors statically: each runs ceil(V / r) vector slots (the
    // program does exactly this), so r x ceil(V / r) slots pass through the layer.
    const double perReplica = std::ceil(static_cast<double>(p.vectorsPerSample) / replicas);
    const double vectors = perReplica * replicas;
    double stage = perReplica * p.mvmNs;
    const double ops = p.reductionOpsPerSample * fraction + (complete ? p.vectorOpsPerSample : 0.0);
    // The cores holding the layer's copies (best fit packs them densely) share its vector work.
    const double cores =
        std::max(1.0, std::ceil(crossbars * replicas / static_cast<double>(arch_.core.crossbars)));
    stage += ops / (opsPerNs * cores);
    // The program's schedule: the layer's leader hands the input to its other cores and
    // gathers their output slices.
    if (cores > 1) {
      onChipBytes += (cores - 1) * p.inputBytesPerSample +
                     fraction * p.outputBytesPerSample * (cores - 1) / cores;
      largestTransfer = std::max(largestTransfer, p.inputBytesPerSample);
    }
    slowestStage = std::max(slowestStage, stage);
    stageSum += stage;

    const double cycles = vectors * static_cast<double>(p.inputCycles);
    conversions += cycles * static_cast<double>(p.activeColumns) * crossbars;
    rowDrives += cycles * static_cast<double>(p.activeRows) * crossbars;
    crossbarCycles += cycles * crossbars;
    vectorOpCount += ops;
    localBytes += p.localMemoryBytesPerSample * fraction;

    // Inputs from other groups: on chip when their layer completes here, else from DRAM.
    for (const auto& [value, bytes, producer] : p.inputs) {
      const bool producedHere = completesWithin(producer, start, end);
      // A value from DRAM is loaded once per partition; later groups get it on chip.
      const bool loadedHere = std::find(loaded.begin(), loaded.end(), value) != loaded.end();
      if (!producedHere && !loadedHere) loaded.push_back(value);
      if (producedHere || loadedHere) {
        onChipBytes += bytes;
        largestTransfer = std::max(largestTransfer, bytes);
      } else {
        entryBytes += bytes;
      }
    }
    // A layer split across partitions: earlier shares come back from DRAM, later ones
    // leave for it.
    if (complete && startedBefore) entryBytes += (1.0 - fraction) * p.outputBytesPerSample;
    if (!complete) exitBytes += fraction * p.outputBytesPerSample;
    if (complete)
      for (const auto& out : p.outputs)
        if (leavesPartition(out, end)) exitBytes += out.bytes;
  }

  // The pipeline's other stages: DRAM streaming of entries and exits, and the interconnect.
  const auto& ic = arch_.chip.interconnect;
  const double dramStage = (entryBytes + exitBytes) / dramBytesPerNs_;
  const double linkStage =
      ic.topology == arch::Topology::Bus
          ? onChipBytes / ic.link_bandwidth_gb_per_s + ic.hop_latency_ns
          : largestTransfer / ic.link_bandwidth_gb_per_s + averageHops_ * ic.hop_latency_ns;
  for (double stage : {dramStage, onChipBytes > 0 ? linkStage : 0.0}) {
    slowestStage = std::max(slowestStage, stage);
    stageSum += stage;
  }
  c.pipelineFillNs = stageSum + arch_.dram.latency_ns;
  c.bottleneckStageNs = slowestStage;
  c.reuseNs = c.pipelineFillNs + (batch - 1) * slowestStage;

  c.weightLoadNs = c.dramWeightBytes / dramBytesPerNs_ + arch_.dram.latency_ns;
  const double parallel =
      std::min(static_cast<double>(arch_.chip.max_parallel_crossbar_writes), crossbarsWritten);
  c.weightWriteNs = parallel > 0 ? rowWrites * xb.row_write_latency_ns / parallel : 0;
  // Replicas get their weights from the core that loaded them: all copies share a bus; on a
  // mesh each loading core sends its copies one after another.
  const auto& net = arch_.chip.interconnect;
  if (replicaWeightBytes > 0)
    c.weightWriteNs +=
        net.topology == arch::Topology::Bus
            ? replicaWeightBytes / net.link_bandwidth_gb_per_s + net.hop_latency_ns
            : largestReplicaCopy / net.link_bandwidth_gb_per_s + averageHops_ * net.hop_latency_ns;
  c.totalNs = c.weightLoadNs + c.weightWriteNs + c.reuseNs;
  c.crossbarsUsed = static_cast<int64_t>(crossbarsWritten);

  c.dramActivationReadBytes = entryBytes * batch;
  c.dramActivationWriteBytes = exitBytes * batch;
  c.interconnectBytes = onChipBytes * batch + replicaWeightBytes;
  arch::ActivityCounts counts;
  counts.adcConversions = batch * conversions;
  counts.dacDrives = batch * rowDrives;
  counts.crossbarCycles = batch * crossbarCycles;
  counts.cellsWritten = static_cast<double>(c.cellsWritten);
  counts.localMemoryBytes = batch * localBytes;
  counts.interconnectByteHops = c.interconnectBytes * averageHops_;
  counts.dramBytes = c.dramWeightBytes + c.dramActivationReadBytes + c.dramActivationWriteBytes;
  counts.vectorOps = batch * vectorOpCount;
  counts.timeNs = c.totalNs;
  c.energyPj = arch::energyOf(counts, arch_);
  return c;
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
