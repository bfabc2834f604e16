// Memoised per-partition scores shared by the GA and the dynamic program: each candidate
// partition is costed once per compile.
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>

#include "xbar/cost/cost_model.h"

namespace xbar::partition {

struct PartitionScore {
  double timeNs = 0;
  double energyPj = 0;
  double score = 0;  // partitionScore() under the objective: not additive for EDP
};

class PartitionScores {
 public:
  PartitionScores(const cost::CostModel& model, cost::Objective objective)
      : model_(model), objective_(objective) {}

  const PartitionScore& get(int32_t start, int32_t end) {
    const uint64_t key = (static_cast<uint64_t>(start) << 32) | static_cast<uint32_t>(end);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    const cost::PartitionCost c = model_.evaluateBestReplication(start, end, objective_);
    // A partition that cannot run (local memory) scores infinite in every figure.
    const double never = std::numeric_limits<double>::infinity();
    const bool runs = !c.localMemoryShortfall;
    return memo_
        .emplace(key, PartitionScore{runs ? c.totalNs : never, runs ? c.energyPj.total() : never,
                                     cost::partitionScore(c, objective_)})
        .first->second;
  }

  const cost::CostModel& model() const { return model_; }
  cost::Objective objective() const { return objective_; }

 private:
  const cost::CostModel& model_;
  cost::Objective objective_;
  std::unordered_map<uint64_t, PartitionScore> memo_;
};

}  // namespace xbar::partition
