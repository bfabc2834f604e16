// Placing partition units onto cores. A unit never straddles cores; several small units may
// share one. Packing is best-fit: each unit goes to the fullest core it still fits.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace xbar::mapping {

// Adds units one at a time (best fit, in arrival order); O(crossbars per core) per unit.
// Adding a unit never moves earlier ones, so once a unit fails, every longer run fails too:
// the validity map relies on that.
class IncrementalPacker {
 public:
  IncrementalPacker(int64_t cores, int64_t crossbarsPerCore);
  bool add(int64_t crossbars) { return add(crossbars, 1); }
  // `copies` units of one size, exactly as that many single adds would place them: best fit
  // fills the fullest fitting core before it moves on, so whole cores are filled at once.
  bool add(int64_t crossbars, int64_t copies);

 private:
  int64_t capacity_;
  std::vector<int64_t> coresWithFree_;  // index: free crossbars; value: how many cores
};

// One run of copies of a unit placed on one core, side by side from `firstCrossbar`.
struct PlacedRun {
  int32_t core = 0;
  int32_t firstCrossbar = 0;
  int32_t copies = 0;
};

// The same best fit as IncrementalPacker (ties go to the lowest core), remembering where
// every copy went: the placement the cost model and the code generator share.
class CorePlacer {
 public:
  CorePlacer(int64_t cores, int64_t crossbarsPerCore);
  // Appends the runs that hold `copies` units of `crossbars` each; false when they do not
  // all fit (the runs placed so far stay).
  bool add(int64_t crossbars, int64_t copies, std::vector<PlacedRun>& runs);

 private:
  int64_t cores_;
  int64_t capacity_;
  // Untouched cores are all empty and taken lowest first, so they are just [touched, cores);
  // a touched core is never empty again. Construction is O(crossbars per core), not O(cores).
  int32_t touched_ = 0;
  std::vector<int32_t> nextCrossbar_;           // per touched core: its first free crossbar
  std::vector<std::vector<int32_t>> withFree_;  // index: free crossbars; min-heaps of cores
};

// Cores best fit opens to hold all units at once, taking them in order as the partitioners
// do (IncrementalPacker): the units fit a chip of C cores iff this is at most C.
int64_t coresNeeded(std::span<const int64_t> crossbars, int64_t crossbarsPerCore);

}  // namespace xbar::mapping
