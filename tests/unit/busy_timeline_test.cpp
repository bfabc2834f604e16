// The busy-interval timeline the DRAM scheduler places bursts on (arch/busy_timeline.h).
#include <gtest/gtest.h>

#include "xbar/arch/busy_timeline.h"

namespace xbar::arch {
namespace {

TEST(BusyTimeline, ASlotGoesInTheFirstGapLongEnough) {
  BusyTimeline t;
  t.reserve(10, 4);                      // [10, 14)
  t.reserve(16, 4);                      // [16, 20): a 2 ns gap
  t.reserve(30, 4);                      // [30, 34)
  EXPECT_DOUBLE_EQ(t.fit(0, 4), 0.0);    // before everything
  EXPECT_DOUBLE_EQ(t.fit(8, 4), 20.0);   // 8..12 overlaps; the 2 ns gap is too short
  EXPECT_DOUBLE_EQ(t.fit(11, 2), 14.0);  // the 2 ns gap takes a 2 ns slot
  EXPECT_DOUBLE_EQ(t.fit(21, 9), 21.0);  // ends exactly where the next starts
  EXPECT_DOUBLE_EQ(t.fit(21, 10), 34.0);
}

TEST(BusyTimeline, TouchingIntervalsMergeAndOldOnesAreForgotten) {
  BusyTimeline t;
  t.reserve(0, 4);
  t.reserve(8, 4);
  t.reserve(4, 4);  // fills the gap: one interval [0, 12)
  EXPECT_EQ(t.size(), 1U);
  // Rounding in sums of tCK (0.833 ns x 3 is not 2.5 exactly) leaves no usable gap.
  t.reserve(12 + 1e-9, 4);
  EXPECT_EQ(t.size(), 1U);
  EXPECT_DOUBLE_EQ(t.fit(0, 1), 16 + 1e-9);
  t.reserve(100, 4);
  t.forgetBefore(50);
  EXPECT_EQ(t.size(), 1U);
  EXPECT_DOUBLE_EQ(t.fit(0, 1), 0.0);  // forgotten history is free again: callers stay after it
}

}  // namespace
}  // namespace xbar::arch
