// Whole cuts of counts and bytes, so that the price of a partition and its program move
// exactly the same pieces.
#pragma once

#include <cstdint>

namespace xbar::schedule {

// Where `total` whole units (bytes, vectors) are cut after `done` of `of` equal steps:
// floor(total x done / of). Piece i of n holds proportionalCut(t, i + 1, n) -
// proportionalCut(t, i, n), so the pieces add up to exactly `total`.
int64_t proportionalCut(int64_t total, int64_t done, int64_t of);

// Bytes rounded up to whole bytes, as the program moves them.
int64_t wholeBytes(double bytes);

}  // namespace xbar::schedule
