#include "xbar/partition/plan.h"

#include <algorithm>

#include <fmt/format.h>

namespace xbar::partition {

double planScore(const PlanTotals& t, cost::Objective objective) {
  switch (objective) {
    case cost::Objective::Energy:
      return t.energyTotalPj;
    case cost::Objective::Edp:
      return t.edpPjNs;
    default:
      return t.timeNs;
  }
}

namespace {

// How much of `next`'s replace phase the program hides behind `before`'s reuse phase. Each
// core loads its units' weights once it is done with `before` (a core `before` does not use
// at once); DRAM serves the loads one after another, and also carries `before`'s
// activations. The writes follow the last load. Whatever ends after `before`'s reuse phase
// shows.
double hiddenReplaceNs(const cost::CostModel& model, const Partition& before,
                       const Partition& next) {
  const arch::ArchConfig& arch = model.arch();
  const double bytesPerNs = arch.dramBandwidthGbPerS();
  const std::vector<double> done = model.coreDoneNs(before.firstUnit, before.endUnit, before.cost);
  const std::vector<double> bytes =
      model.weightBytesLoadedBy(next.firstUnit, next.endUnit, next.cost);
  std::vector<std::pair<double, double>> loads;  // (free from, bytes)
  for (size_t c = 0; c < bytes.size(); ++c)
    if (bytes[c] > 0) loads.emplace_back(done[c], bytes[c]);
  std::sort(loads.begin(), loads.end());
  double t = 0, weightBytes = 0;
  for (const auto& [free, b] : loads) {
    t = std::max(t, free) + b / bytesPerNs + arch.dramLatencyNs();
    weightBytes += b;
  }
  const cost::PartitionCost& p = before.cost;
  const double activations = p.dramActivationReadBytes + p.dramActivationWriteBytes;
  const double loaded = std::max(t, (activations + weightBytes) / bytesPerNs);
  const double replace = next.cost.replaceNs;
  const double shows =
      std::clamp(loaded + (replace - next.cost.weightLoadNs) - p.reuseNs, 0.0, replace);
  return replace - shows;
}

}  // namespace

std::vector<schedule::PartitionRange> partitionRanges(const Plan& plan) {
  std::vector<schedule::PartitionRange> ranges;
  ranges.reserve(plan.partitions.size());
  for (const Partition& p : plan.partitions)
    ranges.push_back({p.firstUnit, p.endUnit, p.cost.replication});
  return ranges;
}

Plan makePlan(const cost::CostModel& model, const std::vector<int32_t>& ends,
              std::string partitioner, cost::Objective objective) {
  Plan plan;
  plan.partitioner = std::move(partitioner);
  plan.objective = objective;
  plan.batch = model.batch();
  int32_t start = 0;
  for (int32_t end : ends) {
    Partition p{start, end, model.evaluateBestReplication(start, end, objective)};
    if (p.cost.localMemoryShortfall) {
      const schedule::PartitionSchedule s(model.groups(), model.arch(), start, end,
                                          p.cost.replication);
      cost::failLocalMemory(s, *p.cost.localMemoryShortfall);
    }
    PlanTotals& t = plan.totals;
    t.timeNs += p.cost.totalNs;
    t.energyPj += p.cost.energyPj;
    t.actions += p.cost.actions;
    t.dramWeightBytes += p.cost.dramWeightBytes;
    t.dramActivationBytes += p.cost.dramActivationReadBytes + p.cost.dramActivationWriteBytes;
    t.cellsWritten += p.cost.cellsWritten;
    plan.partitions.push_back(std::move(p));
    start = end;
  }
  PlanTotals& t = plan.totals;
  double hidden = 0;
  for (size_t i = 1; i < plan.partitions.size(); ++i)
    hidden += hiddenReplaceNs(model, plan.partitions[i - 1], plan.partitions[i]);
  t.energyTotalPj = t.energyPj.total();
  t.scheduleTimeNs = t.timeNs - hidden;
  t.scheduleEnergyPj = t.energyTotalPj - model.arch().staticPowerMw() * hidden;
  t.edpPjNs = t.energyTotalPj * t.timeNs;
  t.throughputSamplesPerS = t.timeNs > 0 ? static_cast<double>(plan.batch) * 1e9 / t.timeNs : 0;
  return plan;
}

namespace {

nlohmann::json actionsJson(const arch::ActionCounts& n) {
  nlohmann::json j;
  for (const arch::ActionInfo& a : arch::kActions) j[std::string(a.count)] = n[a.action];
  return j;
}

nlohmann::json energyJson(const arch::EnergyBreakdown& e) {
  nlohmann::json j;
  for (const arch::ActionInfo& a : arch::kActions) j[std::string(a.energy)] = e[a.action];
  j["total"] = e.total();
  return j;
}

}  // namespace

nlohmann::json planToJson(const Plan& plan, const mapping::Mapping& mapping) {
  nlohmann::json partitions = nlohmann::json::array();
  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    const Partition& p = plan.partitions[i];
    nlohmann::json layers = nlohmann::json::array();
    for (size_t li = 0; li < p.cost.replication.size(); ++li) {
      const cost::LayerReplication& r = p.cost.replication[li];
      const mapping::LayerMapping& l = mapping.layers[static_cast<size_t>(r.layer)];
      const int32_t first = std::max(p.firstUnit, l.firstUnit);
      const int32_t end = std::min(p.endUnit, l.firstUnit + l.unitCount);
      layers.push_back({{"layer", l.layer.name},
                        {"units", {first, end}},
                        {"replicas", r.replicas},
                        {"tiles", p.cost.tiles},
                        {"spills_map", li < p.cost.spills.size() && p.cost.spills[li] != 0},
                        {"complete", l.firstUnit + l.unitCount <= p.endUnit}});
    }
    const cost::PartitionCost& c = p.cost;
    partitions.push_back({{"index", i},
                          {"units", {p.firstUnit, p.endUnit}},
                          {"layers", layers},
                          {"crossbars", c.crossbarsUsed},
                          {"time_ns",
                           {{"weight_load", c.weightLoadNs},
                            {"weight_write", c.weightWriteNs},
                            {"pipeline_fill", c.pipelineFillNs},
                            {"bottleneck_stage", c.bottleneckStageNs},
                            {"reuse", c.reuseNs},
                            {"total", c.totalNs}}},
                          {"energy_pj", energyJson(c.energyPj)},
                          {"actions", actionsJson(c.actions)},
                          {"dram_bytes",
                           {{"weights", c.dramWeightBytes},
                            {"activations_read", c.dramActivationReadBytes},
                            {"activations_written", c.dramActivationWriteBytes}}},
                          {"interconnect_bytes", c.interconnectBytes},
                          {"cells_written", c.cellsWritten}});
  }
  const PlanTotals& t = plan.totals;
  return {
      {"model", mapping.model},
      {"arch", mapping.arch},
      {"partitioner", plan.partitioner},
      {"objective", std::string(cost::objectiveName(plan.objective))},
      {"batch", plan.batch},
      {"partitions", partitions},
      {"totals",
       {{"time_ns", t.timeNs},
        {"schedule_time_ns", t.scheduleTimeNs},
        {"schedule_energy_pj", t.scheduleEnergyPj},
        // The batch time shared out: what the throughput implies per sample (a sample itself
        // waits for the whole batch).
        {"time_per_sample_ns", t.timeNs / static_cast<double>(plan.batch)},
        {"throughput_samples_per_s", t.throughputSamplesPerS},
        {"energy_pj", energyJson(t.energyPj)},
        {"actions", actionsJson(t.actions)},
        {"edp_pj_ns", t.edpPjNs},
        {"dram_bytes", {{"weights", t.dramWeightBytes}, {"activations", t.dramActivationBytes}}},
        {"cells_written", t.cellsWritten}}}};
}

std::string formatPlanTable(const Plan& plan, const mapping::Mapping& mapping) {
  std::string out =
      fmt::format("plan of {} on {}: {} partitioner, objective {}, batch {}\n", mapping.model,
                  mapping.arch, plan.partitioner, cost::objectiveName(plan.objective), plan.batch);
  out +=
      fmt::format("{:>4}  {:>11}  {:>6}  {:>10}  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}\n",
                  "part", "units", "layers", "replicated", "xbars", "load us", "write us",
                  "reuse us", "total us", "energy uJ", "DRAM MB");
  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    const Partition& p = plan.partitions[i];
    const cost::PartitionCost& c = p.cost;
    int32_t replicated = 0;
    for (const auto& r : c.replication) replicated += r.replicas > 1 ? 1 : 0;
    const double dram = c.dramWeightBytes + c.dramActivationReadBytes + c.dramActivationWriteBytes;
    out += fmt::format(
        "{:>4}  {:>5}-{:<5}  {:>6}  {:>10}  {:>5}  {:>9.1f}  {:>9.1f}  {:>9.1f}  {:>9.1f}  "
        "{:>9.2f}  {:>8.3f}\n",
        i, p.firstUnit, p.endUnit, c.replication.size(), replicated, c.crossbarsUsed,
        c.weightLoadNs / 1e3, c.weightWriteNs / 1e3, c.reuseNs / 1e3, c.totalNs / 1e3,
        c.energyPj.total() / 1e6, dram / 1e6);
  }
  const PlanTotals& t = plan.totals;
  out += fmt::format(
      "\n{} partitions; batch time {:.3f} ms, {:.1f} samples/s; energy {:.3f} mJ ({:.1f} "
      "uJ/sample); "
      "EDP {:.4g} J*s\n",
      plan.partitions.size(), t.timeNs / 1e6, t.throughputSamplesPerS, t.energyTotalPj / 1e9,
      t.energyTotalPj / 1e6 / static_cast<double>(plan.batch), t.edpPjNs * 1e-21);
  out += fmt::format("DRAM: {:.3f} MB weights, {:.3f} MB activations; {} cells written\n",
                     t.dramWeightBytes / 1e6, t.dramActivationBytes / 1e6, t.cellsWritten);
  const arch::EnergyBreakdown& e = t.energyPj;
  out += arch::energySummaryUj(e) + "\n";
  return out;
}

}  // namespace xbar::partition
