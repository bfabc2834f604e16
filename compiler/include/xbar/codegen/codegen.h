// Plan → Program (DESIGN.md §5, §7). Per partition: place unit instances (replicas
// included) on cores; the replace phase loads and writes their weights; then a barrier; then
// the reuse phase runs the batch through the layer pipeline. Each layer has a leader core
// (its first instance) that gathers inputs (from DRAM at the partition's entries, or from
// the producing layer's leader on chip), hands them to the layer's other instances, collects
// their output slices, runs the layer's vector ops and stores what later partitions need.
//
// Instructions are generated in one global order and each core's stream is that order
// restricted to the core, so every pair of cores meets its SEND/RECV pairs in the same order
// and blocking communication cannot deadlock. A core whose reuse work ends early goes on to
// the next partition's replace phase before the barrier: early replacement.
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
