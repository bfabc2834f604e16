// Partitions → Program (docs/design.md §5, §7): the code generator visits each partition's
// walk (schedule/walk.h), every sample of the batch, and turns each step into instructions:
// the replace phase, a barrier, then the reuse phase as a software pipeline in which every
// layer runs in its own thread on each core holding it, sample after sample.
//
// Messages are posted and tagged, with credits per (sending, receiving) thread pair. The
// instructions are generated in one global order, each thread's stream is that order
// restricted to the thread, and no thread pair ever holds more than one sample's messages in
// it, so the program cannot deadlock. After its last layer a core's threads meet (SYNC) and
// the core goes on to the next partition's replace phase before the barrier: early
// replacement.
#pragma once

#include <string>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/codegen/dram_allocator.h"
#include "xbar/codegen/program.h"
#include "xbar/schedule/layer_groups.h"
#include "xbar/schedule/partition_schedule.h"

namespace xbar::codegen {

struct CodegenResult {
  Program program;
  std::vector<DramBlock> activationBlocks;  // the DRAM placement of crossing tensors
};

// `partitions`: the plan's partitions in order (partition::partitionRanges gives them).
CodegenResult generateProgram(const schedule::LayerGroups& groups, const arch::ArchConfig& arch,
                              int64_t batch,
                              const std::vector<schedule::PartitionRange>& partitions);

// A short hex digest of the complete arch config; programs carry it so the simulator can
// refuse a program built for another chip.
std::string archFingerprint(const arch::ArchConfig& arch);

}  // namespace xbar::codegen
