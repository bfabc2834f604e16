// The COMPASS paper's table from any sweep that runs a baseline partitioner (greedy,
// layerwise) beside others (compass, optimal, ...): per workload, arch, setting and batch,
// the throughput of each other partitioner over each baseline, and the EDP of each baseline
// over it (above 1: the other partitioner is better), then geomeans per workload beside the
// paper's figures where it has them.
#pragma once

#include <nlohmann/json.hpp>

namespace xbar::report {

// `points`: objects with workload, arch, setting, batch, objective, partitioner, throughput
// and edp. Throughput ratios come from points optimised for throughput and EDP ratios from
// points optimised for EDP, where the sweep has both objectives; else from the one it has.
// Returns null when the sweep has no baseline or nothing to compare with it.
nlohmann::json comparePartitioners(const nlohmann::json& points);

double geomean(const std::vector<double>& values);

}  // namespace xbar::report
