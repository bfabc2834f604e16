// Places activation tensors that cross partitions in DRAM. A tensor is live from the
// partition that stores it to the last one that loads it; two tensors whose lifetimes
// overlap never share a byte, and a tensor whose lifetime has ended gives its space back.
#pragma once

#include <cstdint>
#include <vector>

namespace xbar::codegen {

struct DramBlock {
  int64_t address = 0;
  int64_t bytes = 0;
  int32_t firstPartition = 0;  // live over [firstPartition, lastPartition]
  int32_t lastPartition = 0;
};

class DramAllocator {
 public:
  explicit DramAllocator(int64_t base, int64_t alignment = 64)
      : base_(base), alignment_(alignment), end_(base) {}

  // First fit by address among the blocks whose lifetimes overlap [first, last].
  int64_t allocate(int64_t bytes, int32_t firstPartition, int32_t lastPartition);

  const std::vector<DramBlock>& blocks() const { return blocks_; }
  int64_t end() const { return end_; }  // one past the highest byte used

 private:
  int64_t base_;
  int64_t alignment_;
  int64_t end_;
  std::vector<DramBlock> blocks_;
};

}  // namespace xbar::codegen
