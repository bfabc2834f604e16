#include "xbar/codegen/dram_allocator.h"

#include <algorithm>

namespace xbar::codegen {

int64_t DramAllocator::allocate(int64_t bytes, int32_t firstPartition, int32_t lastPartition) {
  std::vector<const DramBlock*> live;
  for (const DramBlock& b : blocks_)
    if (b.firstPartition <= lastPartition && firstPartition <= b.lastPartition) live.push_back(&b);
  std::sort(live.begin(), live.end(),
            [](const DramBlock* a, const DramBlock* b) { return a->address < b->address; });
  int64_t address = base_;
  for (const DramBlock* b : live) {
    if (address + bytes <= b->address) break;
    address = std::max(address, (b->address + b->bytes + alignment_ - 1) / alignment_ * alignment_);
  }
  blocks_.push_back({address, bytes, firstPartition, lastPartition});
  end_ = std::max(end_, address + bytes);
  return address;
}

}  // namespace xbar::codegen
