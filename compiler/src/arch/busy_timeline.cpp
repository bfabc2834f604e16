#include "xbar/arch/busy_timeline.h"

#include <algorithm>
#include <iterator>

namespace xbar::arch {

double BusyTimeline::fit(double from, double length) const {
  auto it = busy_.upper_bound(from);
  if (it != busy_.begin()) {
    const auto before = std::prev(it);
    if (before->second > from + kEpsilonNs) from = before->second;
  }
  // Intervals are disjoint and sorted, so their ends are sorted too: walk forward while the
  // next one starts before the slot would end.
  for (; it != busy_.end() && it->first < from + length - kEpsilonNs; ++it)
    from = std::max(from, it->second);
  return from;
}

void BusyTimeline::reserve(double start, double length) {
  double end = start + length;
  auto it = busy_.upper_bound(start);
  if (it != busy_.begin()) {
    const auto before = std::prev(it);
    if (before->second >= start - kEpsilonNs) {  // touches or overlaps: extend it
      start = before->first;
      end = std::max(end, before->second);
      it = busy_.erase(before);
    }
  }
  while (it != busy_.end() && it->first <= end + kEpsilonNs) {
    end = std::max(end, it->second);
    it = busy_.erase(it);
  }
  busy_.emplace_hint(it, start, end);
}

void BusyTimeline::forgetBefore(double t) {
  while (!busy_.empty() && busy_.begin()->second <= t) busy_.erase(busy_.begin());
}

}  // namespace xbar::arch
