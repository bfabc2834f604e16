// The Pareto front of points that minimise two quantities (latency and energy).
#pragma once

#include <utility>
#include <vector>

namespace xbar::report {

// For each point, whether no other point is at least as good in both quantities and better
// in one. Equal points are all on the front. O(n log n).
std::vector<bool> paretoFront(const std::vector<std::pair<double, double>>& points);

}  // namespace xbar::report
