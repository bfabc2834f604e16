#include "xbar/mapping/core_packing.h"

#include <algorithm>
#include <functional>
#include <numeric>

namespace xbar::mapping {

IncrementalPacker::IncrementalPacker(int64_t cores, int64_t crossbarsPerCore)
    : capacity_(crossbarsPerCore), coresWithFree_(static_cast<size_t>(crossbarsPerCore) + 1, 0) {
  coresWithFree_.back() = cores;
}

bool IncrementalPacker::add(int64_t crossbars, int64_t copies) {
  if (crossbars > capacity_ || crossbars <= 0) return crossbars == 0;
  for (int64_t free = crossbars; free <= capacity_ && copies > 0; ++free) {
    auto& here = coresWithFree_[static_cast<size_t>(free)];
    while (here > 0 && copies > 0) {
      const int64_t placed = std::min(copies, free / crossbars);
      --here;
      ++coresWithFree_[static_cast<size_t>(free - placed * crossbars)];
      copies -= placed;
    }
  }
  return copies == 0;
}

CorePlacer::CorePlacer(int64_t cores, int64_t crossbarsPerCore)
    : cores_(cores),
      capacity_(crossbarsPerCore),
      withFree_(static_cast<size_t>(crossbarsPerCore)) {}

bool CorePlacer::add(int64_t crossbars, int64_t copies, std::vector<PlacedRun>& runs) {
  if (crossbars > capacity_ || crossbars <= 0) return crossbars == 0;
  for (int64_t free = crossbars; free <= capacity_ && copies > 0; ++free) {
    while (copies > 0) {
      int32_t core = 0;
      if (free == capacity_) {
        if (touched_ == cores_) break;
        core = touched_++;
        nextCrossbar_.push_back(0);
      } else {
        auto& here = withFree_[static_cast<size_t>(free)];
        if (here.empty()) break;
        std::pop_heap(here.begin(), here.end(), std::greater<>());
        core = here.back();
        here.pop_back();
      }
      const int64_t placed = std::min(copies, free / crossbars);
      auto& next = nextCrossbar_[static_cast<size_t>(core)];
      runs.push_back({core, next, static_cast<int32_t>(placed)});
      next += static_cast<int32_t>(placed * crossbars);
      if (const int64_t left = free - placed * crossbars; left > 0) {
        auto& lower = withFree_[static_cast<size_t>(left)];
        lower.push_back(core);
        std::push_heap(lower.begin(), lower.end(), std::greater<>());
      }
      copies -= placed;
    }
  }
  return copies == 0;
}

int64_t coresNeeded(std::span<const int64_t> crossbars, int64_t crossbarsPerCore) {
  // coresWithFree[f]: open cores with f free crossbars.
  std::vector<int64_t> coresWithFree(static_cast<size_t>(crossbarsPerCore) + 1, 0);
  int64_t opened = 0;
  for (int64_t size : crossbars) {
    int64_t free = size;
    while (free <= crossbarsPerCore && coresWithFree[static_cast<size_t>(free)] == 0) ++free;
    if (free > crossbarsPerCore) {
      ++opened;
      free = crossbarsPerCore;
    } else {
      --coresWithFree[static_cast<size_t>(free)];
    }
    ++coresWithFree[static_cast<size_t>(free - size)];
  }
  return opened;
}

}  // namespace xbar::mapping
