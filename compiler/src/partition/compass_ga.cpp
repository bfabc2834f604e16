// COMPASS: the genetic algorithm of Park et al. (DATE 2025) as docs/design.md §6 describes it.
// A chromosome is a partition group (its partition ends); partitions are only ever drawn
// inside the validity map; fitness is the plan's objective (the sum of partition costs for
// the additive objectives, (sum E)(sum T) for EDP). Each generation keeps the best n_sel and
// mutates n_mut randomly chosen survivors at their worst partition, worst by the ratio of
// the partition's cost to the population's expected cost for the same unit span. The first
// population holds the greedy and layerwise plans, so the result is never worse than either.
#include <algorithm>
#include <random>

#include "partition_scores.h"
#include "xbar/partition/partitioner.h"

namespace xbar::partition {
namespace {

struct Chromosome {
  std::vector<int32_t> ends;
  double fitness = 0;
};

class Evolution {
 public:
  Evolution(const cost::CostModel& model, const PartitionerOptions& options)
      : model_(model), options_(options), scores_(model, options.objective), rng_(options.seed) {}

  std::vector<int32_t> run() {
    std::vector<Chromosome> population;
    population.push_back(scored(greedyCuts(model_)));
    population.push_back(scored(layerwiseCuts(model_)));
    while (static_cast<int>(population.size()) < options_.population)
      population.push_back(scored(randomCuts(0, model_.unitCount())));
    sortByFitness(population);
    double best = population.front().fitness;
    int stall = 0;
    for (int generation = 0; generation < options_.generations && stall < options_.patience;
         ++generation) {
      population.resize(static_cast<size_t>(
          std::min<int>(options_.survivors, static_cast<int>(population.size()))));
      computeExpectedUnitCost(population);
      const size_t survivors = population.size();
      for (int i = 0; i < options_.mutants; ++i) {
        const Chromosome& parent = population[uniform(survivors)];
        population.push_back(scored(mutate(parent.ends)));
      }
      sortByFitness(population);
      if (population.front().fitness < best) {
        best = population.front().fitness;
        stall = 0;
      } else {
        ++stall;
      }
    }
    return population.front().ends;
  }

 private:
  size_t uniform(size_t n) { return n <= 1 ? 0 : static_cast<size_t>(rng_() % n); }
  int32_t uniformIn(int32_t low, int32_t high) {  // inclusive
    return low + static_cast<int32_t>(uniform(static_cast<size_t>(high - low + 1)));
  }

  bool valid(int32_t start, int32_t end) const {
    return start < end && end <= model_.maxEnd(start);
  }

  // Random valid partitions covering [start, end).
  std::vector<int32_t> randomCuts(int32_t start, int32_t end) {
    std::vector<int32_t> ends;
    while (start < end) {
      const int32_t next = uniformIn(start + 1, std::min(end, model_.maxEnd(start)));
      ends.push_back(next);
      start = next;
    }
    return ends;
  }

  Chromosome scored(std::vector<int32_t> ends) {
    double time = 0, energy = 0, sum = 0;
    int32_t start = 0;
    for (int32_t end : ends) {
      const PartitionScore& s = scores_.get(start, end);
      time += s.timeNs;
      energy += s.energyPj;
      sum += s.score;
      start = end;
    }
    const double fitness = options_.objective == cost::Objective::Edp ? time * energy : sum;
    return {std::move(ends), fitness};
  }

  static void sortByFitness(std::vector<Chromosome>& population) {
    std::stable_sort(population.begin(), population.end(),
                     [](const Chromosome& a, const Chromosome& b) {
                       return a.fitness != b.fitness ? a.fitness < b.fitness : a.ends < b.ends;
                     });
  }

  // Expected cost per unit: over the survivors that can run, each unit's share of its
  // partition's cost.
  void computeExpectedUnitCost(const std::vector<Chromosome>& population) {
    expectedUnitCost_.assign(static_cast<size_t>(model_.unitCount()), 0.0);
    double counted = 0;
    for (const Chromosome& c : population) {
      if (c.fitness == std::numeric_limits<double>::infinity()) continue;
      ++counted;
      int32_t start = 0;
      for (int32_t end : c.ends) {
        const double share = scores_.get(start, end).score / (end - start);
        for (int32_t u = start; u < end; ++u) expectedUnitCost_[static_cast<size_t>(u)] += share;
        start = end;
      }
    }
    for (double& x : expectedUnitCost_) x /= std::max(1.0, counted);
  }

  double ratio(int32_t start, int32_t end) {
    double expected = 0;
    for (int32_t u = start; u < end; ++u) expected += expectedUnitCost_[static_cast<size_t>(u)];
    const double score = scores_.get(start, end).score;
    if (score == std::numeric_limits<double>::infinity()) return score;  // cannot run: worst
    return expected > 0 ? score / expected : 1.0;
  }

  std::vector<int32_t> mutate(const std::vector<int32_t>& ends) {
    std::vector<int32_t> starts(ends.size());
    for (size_t i = 0; i < ends.size(); ++i) starts[i] = i == 0 ? 0 : ends[i - 1];
    size_t worst = 0, bestPart = 0;
    double worstRatio = -1, bestRatio = 1e300;
    for (size_t i = 0; i < ends.size(); ++i) {
      const double r = ratio(starts[i], ends[i]);
      if (r > worstRatio) worstRatio = r, worst = i;
      if (r < bestRatio) bestRatio = r, bestPart = i;
    }
    // Four mutations, equally likely; one that cannot apply falls through to the next.
    const size_t first = uniform(4);
    for (size_t attempt = 0; attempt < 4; ++attempt) {
      std::vector<int32_t> child = ends;
      switch ((first + attempt) % 4) {
        case 0: {  // merge the worst partition with its worse neighbour
          const bool hasLeft = worst > 0, hasRight = worst + 1 < ends.size();
          if (!hasLeft && !hasRight) break;
          size_t left = worst;
          if (hasLeft && (!hasRight || ratio(starts[worst - 1], ends[worst - 1]) >=
                                           ratio(starts[worst + 1], ends[worst + 1])))
            left = worst - 1;
          if (!valid(starts[left], ends[left + 1])) break;
          child.erase(child.begin() + static_cast<std::ptrdiff_t>(left));
          return child;
        }
        case 1: {  // split the worst partition at a random point
          if (ends[worst] - starts[worst] < 2) break;
          child.insert(child.begin() + static_cast<std::ptrdiff_t>(worst),
                       uniformIn(starts[worst] + 1, ends[worst] - 1));
          return child;
        }
        case 2: {  // move one unit between the worst partition and a neighbour
          const bool toLeft = uniform(2) == 0;
          if (toLeft && worst > 0 && ends[worst] - starts[worst] > 1 &&
              valid(starts[worst - 1], starts[worst] + 1)) {
            child[worst - 1] += 1;
            return child;
          }
          if (!toLeft && worst + 1 < ends.size() && ends[worst] - starts[worst] > 1 &&
              valid(ends[worst] - 1, ends[worst + 1])) {
            child[worst] -= 1;
            return child;
          }
          break;
        }
        default: {  // keep the best partition, regenerate the rest at random
          std::vector<int32_t> fresh = randomCuts(0, starts[bestPart]);
          fresh.push_back(ends[bestPart]);
          const std::vector<int32_t> tail = randomCuts(ends[bestPart], model_.unitCount());
          fresh.insert(fresh.end(), tail.begin(), tail.end());
          return fresh;
        }
      }
    }
    return ends;
  }

  const cost::CostModel& model_;
  const PartitionerOptions& options_;
  PartitionScores scores_;
  std::mt19937_64 rng_;
  std::vector<double> expectedUnitCost_;
};

class Compass final : public Partitioner {
 public:
  std::string_view name() const override { return "compass"; }
  std::vector<int32_t> cut(const cost::CostModel& model,
                           const PartitionerOptions& options) const override {
    return Evolution(model, options).run();
  }
};

XBAR_REGISTER_PARTITIONER(
    Compass, "compass", "the COMPASS genetic algorithm over the validity map (docs/design.md §6)");

}  // namespace

}  // namespace xbar::partition
