// The SystemC simulator (docs/design.md §8): runs a Program on the chip an arch config describes
// and measures time, traffic, energy and endurance. Loosely timed TLM-2.0: each core is an
// SC_THREAD with a quantum keeper; DRAM is a TLM target whose next-free time makes requests
// from all cores contend; one timing annotation per instruction, never per MAC.
//
// SystemC elaborates once per process: simulate() may be called at most once per process.
#pragma once

#include <string>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/codegen/program.h"
#include "xbar/sim/stats_tree.h"

namespace xbar::sim {

struct SimOptions {
  std::string source = "program";  // names the program in messages
  std::string tracePath;           // Chrome/Perfetto trace-event JSON; empty: none
};

// What one core did in one phase of one partition: its replace phase (weights loaded and
// written) or its reuse phase (the batch computed). Busy time is the core's instructions in
// that phase; the span runs from the first to the end of the last.
struct PhaseSpan {
  enum class Phase { Replace, Reuse };
  int32_t partition = 0;
  int32_t core = 0;
  Phase phase = Phase::Replace;
  double startNs = 0, endNs = 0, busyNs = 0;
};

struct SimResult {
  StatsGroup stats;
  std::vector<PhaseSpan> timeline;  // by partition, core, phase; only spans with work
  double totalNs = 0;
  double energyPj = 0;
};

// Rejects a program the arch cannot run: another arch (fingerprint), more cores or crossbars
// than it has, rows or columns beyond a crossbar, peers that do not exist, DRAM addresses
// outside the program's segments. Throws InputError naming the core and instruction.
void checkProgram(const codegen::Program& program, const arch::ArchConfig& arch,
                  const std::string& source);

// Throws InputError for a deadlock, naming every blocked core and its instruction.
SimResult simulate(const codegen::Program& program, const arch::ArchConfig& arch,
                   const SimOptions& options = {});

}  // namespace xbar::sim
