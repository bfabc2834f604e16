// A partition plan: the network's units cut into consecutive partitions that run one after
// another, each with its replication and its estimated cost.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xbar/cost/cost_model.h"
#include "xbar/schedule/partition_schedule.h"

namespace xbar::partition {

struct Partition {
  int32_t firstUnit = 0;
  int32_t endUnit = 0;  // exclusive
  cost::PartitionCost cost;
};

struct PlanTotals {
  // Partitions one after another, each replace then reuse: the additive figure the
  // partitioners minimise (as in the COMPASS paper).
  double timeNs = 0;
  // What the program should take: it loads and writes partition p + 1's weights on each core
  // as soon as that core is done with p, so the replace phase hides behind p's reuse phase
  // where DRAM is free (min(replace(p + 1), reuse(p) - DRAM busy(p))). Static energy shrinks
  // with it.
  double scheduleTimeNs = 0;
  double scheduleEnergyPj = 0;
  arch::ActionCounts actions;  // partitions in turn (chip time as timeNs)
  arch::EnergyBreakdown energyPj;
  double energyTotalPj = 0;
  double edpPjNs = 0;
  double throughputSamplesPerS = 0;
  double dramWeightBytes = 0;
  double dramActivationBytes = 0;
  int64_t cellsWritten = 0;
};

struct Plan {
  std::string partitioner;
  cost::Objective objective = cost::Objective::Throughput;
  int64_t batch = 1;
  std::vector<Partition> partitions;
  PlanTotals totals;
};

// Evaluates the partitions ending at `ends` (each valid) and sums the totals.
Plan makePlan(const cost::CostModel& model, const std::vector<int32_t>& ends,
              std::string partitioner, cost::Objective objective);

// The partitions as the schedule takes them: units and replication.
std::vector<schedule::PartitionRange> partitionRanges(const Plan& plan);

// The plan's figure of merit under its objective (lower is better).
double planScore(const PlanTotals& totals, cost::Objective objective);

nlohmann::json planToJson(const Plan& plan, const mapping::Mapping& mapping);

// A table: one row per partition (units, layers, replication, time split, energy, DRAM MB).
std::string formatPlanTable(const Plan& plan, const mapping::Mapping& mapping);

}  // namespace xbar::partition
