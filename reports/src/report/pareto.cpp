#include "xbar/report/pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace xbar::report {

std::vector<bool> paretoFront(const std::vector<std::pair<double, double>>& points) {
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a] < points[b]; });
  // Sweeping by the first quantity, a point is on the front when its second is below every
  // second seen so far, or ties the best one at the same first (an equal point).
  std::vector<bool> front(points.size(), false);
  double best = std::numeric_limits<double>::infinity();
  std::pair<double, double> bestPoint{std::numeric_limits<double>::quiet_NaN(), 0};
  for (size_t i : order) {
    if (points[i].second < best) {
      best = points[i].second;
      bestPoint = points[i];
      front[i] = true;
    } else if (points[i] == bestPoint) {
      front[i] = true;
    }
  }
  return front;
}

}  // namespace xbar::report
