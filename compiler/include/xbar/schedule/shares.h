// How a layer's output bytes divide among the cores holding it, in whole bytes, so that the
// price of a partition and its program move exactly the same slices.
#pragma once

#include <cstdint>
#include <vector>

#include <llvm/ADT/SmallVector.h>

namespace xbar::schedule {

// A layer's presence on one core within a partition: the crossbars its copies take there and
// the share of the layer's outputs they produce (replicas split the vectors, so a copy of a
// unit produces the unit's fraction / replicas).
struct LayerOnCore {
  int32_t core = 0;
  double crossbars = 0;
  double outputShare = 0;
};

// Of a layer's outputs, the share its units in a partition make and the share units in earlier
// partitions made (a layer split across partitions).
struct OutputSplit {
  double here = 0;
  double before = 0;
};

// Per core holding a layer (in `cores` order), the share of the layer's bytes it holds. Of a
// complete layer's group outputs: what each core made, the leader (first) also holding what
// earlier partitions made (it loads that from DRAM). Of a layer that continues in a later
// partition: the partial outputs made here.
// Small vectors: the partitioners price millions of partitions, and a layer rarely spans more
// than a few cores, so these stay off the heap.
using Shares = llvm::SmallVector<double, 16>;
using Slices = llvm::SmallVector<int64_t, 16>;
Shares completeShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split);
Shares partialShares(const std::vector<LayerOnCore>& cores, const OutputSplit& split);

// Splits `total` bytes into consecutive slices in proportion to `shares` (summing to 1), so
// the slices add up to exactly `total`.
Slices sliceBytes(int64_t total, const Shares& shares);

// Where `total` whole units (bytes, vectors) are cut after `done` of `of` equal steps:
// floor(total x done / of). Piece i of n holds proportionalCut(t, i + 1, n) -
// proportionalCut(t, i, n), so the pieces add up to exactly `total`.
int64_t proportionalCut(int64_t total, int64_t done, int64_t of);

// Bytes rounded up to whole bytes, as the program moves them.
int64_t wholeBytes(double bytes);

}  // namespace xbar::schedule
