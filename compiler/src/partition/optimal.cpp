// The exact partitioner: a dynamic program over unit positions (docs/design.md §6).
//
// For the additive objectives (time; energy), best(e) = min over valid s of best(s) +
// cost(s, e) is exact. EDP = (sum E)(sum T) is not additive; for it the program keeps, for
// every prefix, the Pareto front of (energy, time) over all plans of that prefix: any plan
// that is optimal for E x T is on the final front, and a dominated prefix can never complete
// a better plan (E x T grows with either term), so the minimum over the final front is exact.
// "Exact" is relative to the per-partition cost, whose replication is chosen greedily.
#include <algorithm>
#include <limits>

#include "partition_scores.h"
#include "xbar/partition/partitioner.h"

namespace xbar::partition {
namespace {

std::vector<int32_t> additiveDp(PartitionScores& scores) {
  const cost::CostModel& model = scores.model();
  const int32_t m = model.unitCount();
  int32_t window = 0;
  for (int32_t s = 0; s < m; ++s) window = std::max(window, model.maxEnd(s) - s);
  std::vector<double> best(static_cast<size_t>(m) + 1, std::numeric_limits<double>::infinity());
  std::vector<int32_t> from(static_cast<size_t>(m) + 1, -1);
  best[0] = 0;
  for (int32_t e = 1; e <= m; ++e) {
    for (int32_t s = e - 1; s >= std::max(0, e - window); --s) {
      if (model.maxEnd(s) < e ||
          best[static_cast<size_t>(s)] == std::numeric_limits<double>::infinity())
        continue;
      const double candidate = best[static_cast<size_t>(s)] + scores.get(s, e).score;
      if (candidate == std::numeric_limits<double>::infinity()) continue;  // cannot run
      if (candidate < best[static_cast<size_t>(e)]) {
        best[static_cast<size_t>(e)] = candidate;
        from[static_cast<size_t>(e)] = s;
      }
    }
  }
  std::vector<int32_t> ends;
  for (int32_t e = m; e > 0; e = from[static_cast<size_t>(e)]) ends.push_back(e);
  std::reverse(ends.begin(), ends.end());
  return ends;
}

struct FrontPoint {
  double energy;
  double time;
  int32_t start;   // the last partition is [start, e)
  int32_t parent;  // index into front[start]
};

std::vector<int32_t> edpParetoDp(PartitionScores& scores) {
  const cost::CostModel& model = scores.model();
  const int32_t m = model.unitCount();
  int32_t window = 0;
  for (int32_t s = 0; s < m; ++s) window = std::max(window, model.maxEnd(s) - s);
  std::vector<std::vector<FrontPoint>> front(static_cast<size_t>(m) + 1);
  front[0].push_back({0, 0, -1, -1});
  std::vector<FrontPoint> candidates;
  for (int32_t e = 1; e <= m; ++e) {
    candidates.clear();
    for (int32_t s = std::max(0, e - window); s < e; ++s) {
      if (model.maxEnd(s) < e || front[static_cast<size_t>(s)].empty()) continue;
      const PartitionScore& p = scores.get(s, e);
      if (p.score == std::numeric_limits<double>::infinity()) continue;  // cannot run
      const auto& prefix = front[static_cast<size_t>(s)];
      for (size_t i = 0; i < prefix.size(); ++i)
        candidates.push_back(
            {prefix[i].energy + p.energyPj, prefix[i].time + p.timeNs, s, static_cast<int32_t>(i)});
    }
    // Keep the non-dominated points: sort by energy, keep strictly falling time.
    std::sort(candidates.begin(), candidates.end(), [](const FrontPoint& a, const FrontPoint& b) {
      return a.energy != b.energy ? a.energy < b.energy : a.time < b.time;
    });
    auto& kept = front[static_cast<size_t>(e)];
    for (const FrontPoint& c : candidates)
      if (kept.empty() || c.time < kept.back().time) kept.push_back(c);
  }
  const auto& last = front[static_cast<size_t>(m)];
  size_t bestIndex = 0;
  for (size_t i = 1; i < last.size(); ++i)
    if (last[i].energy * last[i].time < last[bestIndex].energy * last[bestIndex].time)
      bestIndex = i;
  std::vector<int32_t> ends;
  int32_t e = m;
  int32_t index = static_cast<int32_t>(bestIndex);
  while (e > 0) {
    const FrontPoint& p = front[static_cast<size_t>(e)][static_cast<size_t>(index)];
    ends.push_back(e);
    index = p.parent;
    e = p.start;
  }
  std::reverse(ends.begin(), ends.end());
  return ends;
}

class Optimal final : public Partitioner {
 public:
  std::string_view name() const override { return "optimal"; }
  std::vector<int32_t> cut(const cost::CostModel& model,
                           const PartitionerOptions& options) const override {
    PartitionScores scores(model, options.objective);
    return options.objective == cost::Objective::Edp ? edpParetoDp(scores) : additiveDp(scores);
  }
};

XBAR_REGISTER_PARTITIONER(Optimal, "optimal",
                          "an exact dynamic program over unit positions for the per-partition "
                          "objective");

}  // namespace

}  // namespace xbar::partition
