#include "xbar/cost/cost_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "partition_pricer.h"
#include "xbar/mapping/core_packing.h"
#include "xbar/support/error.h"

namespace xbar::cost {
namespace {

int64_t checkedBatch(int64_t batch) {
  if (batch < 1 || batch > kMaxBatch)
    failInput("--batch " + std::to_string(batch), "the batch must be from 1 to {}", kMaxBatch);
  return batch;
}

}  // namespace

CostModel::CostModel(const ir::Graph& graph, const mapping::Mapping& mapping,
                     const arch::ArchConfig& arch, int64_t batch)
    : arch_(arch), batch_(checkedBatch(batch)), groups_(graph, mapping, arch) {
  // Nothing to place on crossbars: a network without a matrix layer is almost surely the wrong
  // file or export, and a program of vector work alone would report a crossbar chip doing
  // none of what it is for. Refused with one line rather than planned.
  if (groups_.unitCount() == 0)
    failInput(graph.source.empty() ? mapping.model : graph.source,
              "has no crossbar layer (a Conv, Gemm or MatMul whose second operand is a constant "
              "matrix); nothing to place on the crossbars");
  // The validity map: from each start, extend while best-fit placement succeeds.
  maxEnd_.resize(static_cast<size_t>(groups_.unitCount()));
  for (int32_t s = 0; s < groups_.unitCount(); ++s) {
    mapping::IncrementalPacker packer(arch.chip.cores, arch.core.crossbars);
    int32_t e = s;
    while (e < groups_.unitCount() && packer.add(groups_.unit(e).crossbars)) ++e;
    if (e == s)
      failInput(mapping.model,
                "layer '{}': one partition unit of {} crossbars does not fit a core of {}",
                mapping.layers[static_cast<size_t>(groups_.unit(s).layer)].layer.name,
                groups_.unit(s).crossbars, arch.core.crossbars);
    maxEnd_[static_cast<size_t>(s)] = e;
  }
  // Every unit alone must fit local memory (some tiling of its layer): then every plan has a
  // partition that can run, and a partition that cannot is only ever a worse choice.
  for (int32_t s = 0; s < groups_.unitCount(); ++s) {
    const std::vector<LayerReplication> one{{groups_.unit(s).layer, 1}};
    const schedule::PartitionSchedule alone(groups_, arch_, s, s + 1, one);
    if (alone.shortfall()) failLocalMemory(alone, *alone.shortfall());
  }
}

bool CostModel::fitsLocalMemory(int32_t start, int32_t end) const {
  std::vector<LayerReplication> replication;
  for (int32_t l = groups_.unit(start).layer; l <= groups_.unit(end - 1).layer; ++l)
    replication.push_back({l, 1});
  return !schedule::PartitionSchedule(groups_, arch_, start, end, replication).shortfall();
}

void failLocalMemory(const schedule::PartitionSchedule& s,
                     const schedule::LocalMemoryShortfall& f) {
  const schedule::LayerGroup& g = s.groups().layer(s.replication()[f.li].layer);
  failInput(s.groups().model(),
            "layer '{}' cannot be tiled to fit local memory: on core {} its smallest tile "
            "needs {:.0f} bytes (input chunks, {:.0f} bytes of halo rows, outputs) but it has "
            "{:.0f} (core.local_memory.size_kib {} shared by {} layer(s) there)",
            g.name, f.core, f.needBytes, g.haloBytesPerSample, f.budgetBytes,
            s.arch().core.local_memory.size_kib, f.layersOnCore);
}

// The one walk of the partition for one sample, priced: a sample's figures times the batch.
PartitionCost CostModel::evaluateFixedReplication(
    int32_t start, int32_t end, const std::vector<LayerReplication>& replication) const {
  return pricePartition(schedule::PartitionSchedule(groups_, arch_, start, end, replication),
                        batch_);
}

std::vector<double> CostModel::coreDoneNs(int32_t start, int32_t end,
                                          const PartitionCost& cost) const {
  const std::vector<schedule::Placement> placement =
      schedule::placeUnits(groups_, arch_, start, end, cost.replication);
  const auto onCores = schedule::layersOnCores(groups_, arch_, start, cost.replication, placement);
  std::vector<double> done(static_cast<size_t>(arch_.chip.cores), 0.0);
  const double laterSamples = static_cast<double>(batch_ - 1) * cost.bottleneckStageNs;
  for (size_t li = 0; li < onCores.size(); ++li) {
    const double n = static_cast<double>(onCores[li].size());
    for (size_t k = 0; k < onCores[li].size(); ++k) {
      // Untiled, the leader hands the input to the layer's cores one after another, and the
      // first served finish first; tiled, every tile's chunk goes to all of them, and they
      // finish together.
      const double early =
          cost.tiles > 1 ? 0.0 : cost.layerHandOutNs[li] * (n - static_cast<double>(k + 1)) / n;
      double& d = done[static_cast<size_t>(onCores[li][k].core)];
      d = std::max(d, cost.layerDoneNs[li] - early + laterSamples);
    }
  }
  return done;
}

std::vector<double> CostModel::weightBytesLoadedBy(int32_t start, int32_t end,
                                                   const PartitionCost& cost) const {
  const std::vector<schedule::Placement> placement =
      schedule::placeUnits(groups_, arch_, start, end, cost.replication);
  std::vector<double> bytes(static_cast<size_t>(arch_.chip.cores), 0.0);
  for (size_t i = 0; i < placement.size(); ++i)
    if (i == 0 || placement[i - 1].unit != placement[i].unit)
      bytes[static_cast<size_t>(placement[i].core)] += groups_.unit(placement[i].unit).weightBytes;
  return bytes;
}

double partitionScore(const PartitionCost& cost, Objective objective) {
  if (cost.localMemoryShortfall) return std::numeric_limits<double>::infinity();
  switch (objective) {
    case Objective::Energy:
      return cost.energyPj.total();
    case Objective::Edp:
      return cost.energyPj.total() * cost.totalNs;  // a partition-local proxy
    default:
      return cost.totalNs;
  }
}

PartitionCost CostModel::evaluateBestReplication(int32_t start, int32_t end,
                                                 Objective objective) const {
  const int32_t firstLayer = groups_.unit(start).layer;
  const int32_t lastLayer = groups_.unit(end - 1).layer;
  std::vector<LayerReplication> replication;
  for (int32_t l = firstLayer; l <= lastLayer; ++l) replication.push_back({l, 1});
  PartitionCost best = evaluateFixedReplication(start, end, replication);
  double bestScore = partitionScore(best, objective);
  // Spare crossbars go to the slowest layer stage while that lowers the objective. Each step
  // gives the slowest layer enough replicas to fall to the next slowest stage (or as many as
  // fit), so a big chip takes a few steps, not one per spare crossbar.
  auto stageNs = [&](const LayerReplication& r) {
    const schedule::LayerGroup& p = groups_.layer(r.layer);
    return std::ceil(static_cast<double>(p.vectorsPerSample) / r.replicas) * p.mvmNs;
  };
  while (true) {
    size_t slowest = 0;
    for (size_t i = 1; i < replication.size(); ++i)
      if (stageNs(replication[i]) > stageNs(replication[slowest])) slowest = i;
    double next = 0;
    for (size_t i = 0; i < replication.size(); ++i)
      if (i != slowest) next = std::max(next, stageNs(replication[i]));
    const schedule::LayerGroup& p = groups_.layer(replication[slowest].layer);
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
      return schedule::replicasFit(groups_, arch_, start, end, candidate);
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
    PartitionCost cost = evaluateFixedReplication(start, end, candidate);
    const double score = partitionScore(cost, objective);
    if (score >= bestScore) break;
    best = std::move(cost);
    bestScore = score;
    replication = std::move(candidate);
  }
  return best;
}

}  // namespace xbar::cost
