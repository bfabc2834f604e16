// Plan → Program (DESIGN.md §5, §7). Per partition: place unit copies (replicas included) on
// cores with the cost model's placement; the replace phase loads and writes their weights;
// then a barrier; then the reuse phase, a software pipeline: every layer runs in its own
// thread on each core holding it, sample after sample. A layer's leader (its first core)
// loads its DRAM inputs, receives the rest, and hands the input to the layer's other cores;
// every core runs its copies as one MVM, does its share of the vector work, stores its slice
// of what leaves for DRAM and posts its slice of what later layers need to their leaders.
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
#include "xbar/cost/cost_model.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/partition/plan.h"

namespace xbar::codegen {

struct CodegenResult {
  Program program;
  std::vector<DramBlock> activationBlocks;  // the DRAM placement of crossing tensors
};

CodegenResult generateProgram(const ir::Graph& graph, const mapping::Mapping& mapping,
                              const cost::CostModel& model, const partition::Plan& plan);

// A short hex digest of the complete arch config; programs carry it so the simulator can
// refuse a program built for another chip.
std::string archFingerprint(const arch::ArchConfig& arch);

}  // namespace xbar::codegen
