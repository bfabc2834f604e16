// A resource's busy intervals in time, for schedulers that place work in the gaps older work
// left (the DRAM data bus and bank groups under FR-FCFS, docs/design.md §3). Intervals are
// disjoint, sorted and merged when they touch. Most slots go at the tail (a stream), so they
// live in a vector: appending and extending the tail is O(1), finding a gap is a binary search,
// and the past is dropped from the front.
#pragma once

#include <cstddef>
#include <vector>

namespace xbar::arch {

class BusyTimeline {
 public:
  // The earliest t >= from at which [t, t + length) overlaps no busy interval.
  double fit(double from, double length) const;
  void reserve(double start, double length);
  // Drops the intervals that end at or before `t`: no later request may be placed before it.
  void forgetBefore(double t);
  size_t size() const { return busy_.size() - head_; }

 private:
  // Times are sums of tCK multiples in doubles: gaps shorter than this are rounding, not gaps.
  static constexpr double kEpsilonNs = 1e-6;
  struct Interval {
    double start, end;
  };
  std::vector<Interval> busy_;  // live from head_ on
  size_t head_ = 0;
};

}  // namespace xbar::arch
