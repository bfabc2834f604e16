#include "xbar/arch/busy_timeline.h"

#include <algorithm>
#include <iterator>

namespace xbar::arch {

double BusyTimeline::fit(double from, double length) const {
  if (size() == 0 || from >= busy_.back().end - kEpsilonNs) return from;  // after everything
  // The first interval ending after `from` (ends are sorted, as the intervals are disjoint),
  // then forward while the next one starts before the slot would end.
  auto it =
      std::upper_bound(busy_.begin() + static_cast<std::ptrdiff_t>(head_), busy_.end(),
                       from + kEpsilonNs, [](double t, const Interval& i) { return t < i.end; });
  for (; it != busy_.end() && it->start < from + length - kEpsilonNs; ++it)
    from = std::max(from, it->end);
  return from;
}

void BusyTimeline::reserve(double start, double length) {
  const double end = start + length;
  if (size() == 0 || start >= busy_.back().start) {  // at the tail: extend it or append
    if (size() > 0 && start <= busy_.back().end + kEpsilonNs)
      busy_.back().end = std::max(busy_.back().end, end);
    else
      busy_.push_back({start, end});
    return;
  }
  // In a gap: join the interval before if it touches, else insert; then absorb what it reaches.
  auto it = std::upper_bound(busy_.begin() + static_cast<std::ptrdiff_t>(head_), busy_.end(), start,
                             [](double t, const Interval& i) { return t < i.start; });
  if (it != busy_.begin() + static_cast<std::ptrdiff_t>(head_) &&
      std::prev(it)->end >= start - kEpsilonNs) {
    --it;
    it->end = std::max(it->end, end);
  } else {
    it = busy_.insert(it, {start, end});
  }
  auto next = std::next(it);
  auto last = next;
  while (last != busy_.end() && last->start <= it->end + kEpsilonNs) {
    it->end = std::max(it->end, last->end);
    ++last;
  }
  busy_.erase(next, last);
}

void BusyTimeline::forgetBefore(double t) {
  while (head_ < busy_.size() && busy_[head_].end <= t) ++head_;
  if (head_ > 64 && head_ * 2 > busy_.size()) {  // compact once the dead front dominates
    busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace xbar::arch
