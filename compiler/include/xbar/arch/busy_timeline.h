// A resource's busy intervals in time, for schedulers that place work in the gaps older work
// left (the DRAM data bus and bank groups under FR-FCFS, docs/design.md §3). Intervals are
// disjoint and merged when they touch, so a saturated resource is one interval and finding a
// slot costs O(log n) plus the gaps too short for it that lie in the way.
#pragma once

#include <cstddef>
#include <map>

namespace xbar::arch {

class BusyTimeline {
 public:
  // The earliest t >= from at which [t, t + length) overlaps no busy interval.
  double fit(double from, double length) const;
  void reserve(double start, double length);
  // Drops the intervals that end at or before `t`: no later request may be placed before it.
  void forgetBefore(double t);
  size_t size() const { return busy_.size(); }

 private:
  // Times are sums of tCK multiples in doubles: gaps shorter than this are rounding, not gaps.
  static constexpr double kEpsilonNs = 1e-6;
  std::map<double, double> busy_;  // start -> end
};

}  // namespace xbar::arch
