// The simulator against hand calculations from the arch config. Each test runs one
// simulation (SystemC elaborates once per process; ctest runs each test in its own process).
//
// compass-sram-m: read 10 ns, 256 ADCs per crossbar at 10 ns, rows written in 1 ns, 16
// crossbars written at once, LPDDR3-1600 (6.4 GB/s, 60 ns), bus of 64 GB/s with 1 ns hops.
#include <gtest/gtest.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/codegen.h"
#include "xbar/sim/simulator.h"
#include "xbar/support/error.h"

namespace xbar::sim {
namespace {

using codegen::Instruction;
using codegen::Opcode;

arch::ArchConfig compassM(std::vector<std::string> overrides = {}) {
  std::vector<arch::Override> parsed;
  for (const auto& o : overrides) parsed.push_back(arch::parseOverride(o));
  return arch::loadArch(arch::resolveArchPath("compass-sram-m", XBAR_ARCH_DIR), parsed);
}

codegen::Program program(const arch::ArchConfig& a, std::vector<std::vector<Instruction>> streams) {
  codegen::Program p;
  p.model = "hand";
  p.arch = a.name;
  p.archFingerprint = codegen::archFingerprint(a);
  p.cores = static_cast<int32_t>(a.chip.cores);
  p.crossbarsPerCore = static_cast<int32_t>(a.core.crossbars);
  p.partitions = 1;
  p.dramWeightBytes = 1 << 20;
  p.dramActivationBytes = 1 << 20;
  streams.resize(static_cast<size_t>(p.cores));
  for (size_t c = 0; c < streams.size(); ++c)
    p.threads.push_back({static_cast<int32_t>(c), std::move(streams[c])});
  return p;
}

double stat(const SimResult& r, const char* group, const char* name) {
  return r.stats.child(group).get(name);
}

// One crossbar, 10 vectors of 4 input cycles at (10 ns read + 10 ns conversion): 800 ns.
const Instruction kMvm800{
    .op = Opcode::Mvm, .xb = 0, .count = 1, .rows = 256, .cols = 256, .repeat = 10, .cycles = 4};

TEST(Simulator, SingleMvm) {
  const auto a = compassM();
  // 10 vectors x 4 input cycles x (10 ns read + ceil(256 / 256) x 10 ns conversion) = 800 ns.
  const auto r = simulate(program(a, {{{.op = Opcode::Mvm,
                                        .xb = 0,
                                        .count = 2,
                                        .rows = 256,
                                        .cols = 256,
                                        .repeat = 10,
                                        .cycles = 4}}}),
                          a);
  EXPECT_DOUBLE_EQ(r.totalNs, 800.0);
  EXPECT_DOUBLE_EQ(stat(r, "energy", "adc"), 10.0 * 4 * 256 * 2 * 0.5);  // conversions x 0.5 pJ
  EXPECT_DOUBLE_EQ(stat(r, "energy", "crossbar_read"), 10.0 * 4 * 2 * 20.0);
}

// Every quantity of the statistics tree has a unit and a description, from the component
// that owns it; a quantity added without one would leave a researcher guessing what it counts.
TEST(Simulator, EveryStatisticIsDescribed) {
  const auto a = compassM();
  const auto r = simulate(
      program(a, {{{.op = Opcode::LoadWeights, .dram = 0, .bytes = 64, .xb = 0, .count = 1},
                   {.op = Opcode::WriteXbar, .xb = 0, .count = 1, .rows = 4, .cols = 8},
                   kMvm800,
                   {.op = Opcode::Send, .bytes = 16, .peer = 1, .tag = 0, .credits = 1}},
                  {{.op = Opcode::Receive, .bytes = 16, .peer = 0, .tag = 0}}}),
      a);
  const std::string described = r.stats.describe();
  size_t lines = 0;
  for (size_t at = 0, end; (end = described.find('\n', at)) != std::string::npos; at = end + 1) {
    const std::string line = described.substr(at, end - at);
    ++lines;
    EXPECT_EQ(line.find("[]"), std::string::npos) << "no unit: " << line;
    EXPECT_LT(line.find("]: "), line.size() - 4) << "no description: " << line;
  }
  // Every group of the JSON tree appears: the top-level quantity, and one core of the series.
  EXPECT_NE(described.find("edp [pJ*ns]: "), std::string::npos);
  EXPECT_NE(described.find("cores/core0/mvm [ns]: "), std::string::npos);
  EXPECT_EQ(described.find("cores/core1/"), std::string::npos) << "a series is listed once";
  EXPECT_NE(described.find("endurance/lifetime [s]: "), std::string::npos);
  EXPECT_NE(described.find("partitions/partition0/time [ns]: "), std::string::npos);
  EXPECT_GT(lines, 30u);
}

// A DRAM address far beyond the program's segments is refused before the simulation, as is a
// program without threads (it once reached SystemC's elaboration and exited 2).
TEST(ProgramCheck, FarAddressesAndThreadlessProgramsAreRefused) {
  const auto a = compassM();
  const int64_t far = int64_t{1} << 48;
  codegen::Program p = program(a, {{{.op = Opcode::Load, .dram = far, .bytes = 4}}});
  try {
    checkProgram(p, a, "far.xasm");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("beyond the program's"), std::string::npos) << e.what();
  }
  p.threads.clear();
  EXPECT_THROW(checkProgram(p, a, "none.xasm"), InputError);
}

TEST(Simulator, AdcSharingStretchesTheConversion) {
  const auto a = compassM({"crossbar.adcs_per_crossbar=32"});
  // 256 columns on 32 ADCs: 8 conversion rounds per input cycle: 1 x 4 x (10 + 8 x 10) = 360 ns.
  const auto r = simulate(program(a, {{{.op = Opcode::Mvm,
                                        .xb = 0,
                                        .count = 1,
                                        .rows = 256,
                                        .cols = 256,
                                        .repeat = 1,
                                        .cycles = 4}}}),
                          a);
  EXPECT_DOUBLE_EQ(r.totalNs, 360.0);
}

TEST(Simulator, RowWritesRespectTheParallelWriteLimit) {
  const auto a = compassM({"chip.max_parallel_crossbar_writes=4"});
  // 8 crossbars of 10 rows at 1 ns a row, 4 at a time: two rounds of 10 ns.
  const auto r = simulate(
      program(a, {{{.op = Opcode::WriteXbar, .xb = 0, .count = 8, .rows = 10, .cols = 256}}}), a);
  EXPECT_DOUBLE_EQ(r.totalNs, 20.0);
  EXPECT_DOUBLE_EQ(stat(r, "endurance", "cells_written"), 8.0 * 10 * 256);
  EXPECT_DOUBLE_EQ(stat(r, "endurance", "max_writes_per_cell"), 1.0);
}

TEST(Simulator, TheWriteLimitCountsPerCoreOrPerChip) {
  // Two cores each program 4 crossbars of 10 rows (1 ns a row) with one write slot: per core,
  // each core writes its 4 in turn (40 ns) beside the other; per chip, the 8 take turns (80 ns).
  const Instruction write{.op = Opcode::WriteXbar, .xb = 0, .count = 4, .rows = 10, .cols = 256};
  const auto perCore =
      compassM({"chip.max_parallel_crossbar_writes=1", "chip.crossbar_write_scope=core"});
  EXPECT_DOUBLE_EQ(simulate(program(perCore, {{write}, {write}}), perCore).totalNs, 40.0);
}

TEST(Simulator, TheWriteLimitPerChipIsSharedByTheCores) {
  const Instruction write{.op = Opcode::WriteXbar, .xb = 0, .count = 4, .rows = 10, .cols = 256};
  const auto perChip =
      compassM({"chip.max_parallel_crossbar_writes=1", "chip.crossbar_write_scope=chip"});
  EXPECT_DOUBLE_EQ(simulate(program(perChip, {{write}, {write}}), perChip).totalNs, 80.0);
}

TEST(Simulator, WritesPerCellCountRepeatedWrites) {
  const auto a = compassM();
  const Instruction write{.op = Opcode::WriteXbar, .xb = 3, .count = 1, .rows = 5, .cols = 64};
  const auto r = simulate(program(a, {{write, write, write}}), a);
  EXPECT_DOUBLE_EQ(stat(r, "endurance", "max_writes_per_cell"), 3.0);
  // Back to back, the most-written cell reaches 1e16 writes after 1e16 / 3 runs of 15 ns.
  EXPECT_NEAR(stat(r, "endurance", "lifetime"), 1e16 / 3 * 15e-9, 1.0);
}

TEST(Simulator, OneDramTransfer) {
  const auto a = compassM();
  // LPDDR3-1600 (32-bit bus, BL8: 32-byte bursts of 5 ns): 6400 bytes are 200 bursts from a
  // closed bank: activate at 0, read at tRCD 18.75, data from + CL 15 = 33.75, then the bursts
  // back to back (tCCD = the burst) through two banks' rows (the second activated meanwhile):
  // 33.75 + 200 x 5 = 1033.75 ns.
  const auto r = simulate(program(a, {{{.op = Opcode::Load, .dram = 1 << 20, .bytes = 6400}}}), a);
  EXPECT_DOUBLE_EQ(r.totalNs, 1033.75);
  EXPECT_DOUBLE_EQ(stat(r, "dram", "read_bursts"), 200.0);
  EXPECT_DOUBLE_EQ(stat(r, "dram", "activates"), 2.0);
  EXPECT_DOUBLE_EQ(stat(r, "dram", "activation_bytes_read"), 6400.0);
  EXPECT_DOUBLE_EQ(stat(r, "energy", "dram"), 6400.0 * 8 * 40);
}

TEST(Simulator, TwoCoresContendForDram) {
  const auto a = compassM();
  // Both ask at t = 0; the second's bursts hit the rows the first opened and follow its bursts
  // on the bus: 1033.75 + 200 x 5 = 2033.75 ns.
  const Instruction load{.op = Opcode::LoadWeights, .dram = 0, .bytes = 6400, .xb = 0, .count = 1};
  const auto r = simulate(program(a, {{load}, {load}}), a);
  EXPECT_DOUBLE_EQ(r.totalNs, 2033.75);
  EXPECT_DOUBLE_EQ(stat(r, "dram", "weight_bytes_read"), 12800.0);
  EXPECT_DOUBLE_EQ(stat(r, "dram", "row_hits"), 200.0 - 2 + 200);
}

// Shared resources grant in simulated-time order, whatever order SystemC runs the threads in.
// Core 0's thread runs first at t = 0 (process order) but asks at 50 ns, after a 600-element
// vector op (12 lanes at 1 GHz); core 1's asks at 0. Core 1's load is served first, from closed
// banks: 1033.75 ns (OneDramTransfer); core 0's bursts then follow it on the bus. Granted in
// process order instead, core 1's request would queue behind core 0's and take 2033.75 - 50 ns.
TEST(Simulator, DramGrantsGoInSimulatedTimeOrder) {
  const auto a = compassM();
  const Instruction load{.op = Opcode::Load, .dram = 1 << 20, .bytes = 6400};
  const auto r = simulate(
      program(a, {{{.op = Opcode::Vector, .vecOp = "relu", .elems = 600}, load}, {load}}), a);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core1").get("memory"), 1033.75);
  EXPECT_DOUBLE_EQ(r.totalNs, 2033.75);
}

// The same for the write slots: one slot on the chip, core 0 asks at 50 ns and core 1 at 0, for
// 10 rows at 1 ns. Core 1 writes [0, 10), core 0 [50, 60); in process order core 1 would wait
// for core 0's slot until 60.
TEST(Simulator, WriteSlotGrantsGoInSimulatedTimeOrder) {
  const auto a = compassM({"chip.max_parallel_crossbar_writes=1"});
  const Instruction write{.op = Opcode::WriteXbar, .xb = 0, .count = 1, .rows = 10, .cols = 256};
  const auto r = simulate(
      program(a, {{{.op = Opcode::Vector, .vecOp = "relu", .elems = 600}, write}, {write}}), a);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core1").get("write"), 10.0);
  EXPECT_DOUBLE_EQ(r.totalNs, 60.0);
}

// A thread waiting for its grant's time holds its core. Core 0's thread 0 runs a 100 ns
// vector op and then an MVM; thread 1 gets a message at 31 ns (core 1 sends 640 B at 20 ns:
// 10 ns on the bus + 1 ns hop) and asks for DRAM at 100, when the core frees. Both wake at
// 100: the MVM must wait for the load (100 + 1033.75), not start beside it on the stale
// next-free time: 1133.75 + 800 ns.
TEST(Simulator, AThreadWaitingForAGrantHoldsItsCore) {
  const auto a = compassM({"chip.cores=2"});
  codegen::Program p = program(a, {});
  p.threads = {{0, {{.op = Opcode::Vector, .vecOp = "relu", .elems = 1200}, kMvm800}},
               {0,
                {{.op = Opcode::Receive, .bytes = 640, .peer = 1, .tag = 0},
                 {.op = Opcode::Load, .dram = 1 << 20, .bytes = 6400}}},
               {1,
                {{.op = Opcode::Vector, .vecOp = "relu", .elems = 240},
                 {.op = Opcode::Send, .bytes = 640, .peer = 0, .tag = 0, .credits = 1}}}};
  const auto r = simulate(p, a);
  EXPECT_DOUBLE_EQ(r.totalNs, 1133.75 + 800.0);
  const auto& core0 = r.stats.child("cores").child("core0");
  EXPECT_LE(core0.get("memory") + core0.get("mvm") + core0.get("vector"), r.totalNs);
}

TEST(Simulator, SendIsPostedAndArrivesWhileTheReceiverWorks) {
  const auto a = compassM();
  // The message takes 640 B / 64 GB/s + 1 ns hop = 11 ns and arrives while the receiver is busy
  // for 800 ns, so its RECV does not wait; the sender does not wait either.
  const auto r =
      simulate(program(a, {{{.op = Opcode::Send, .bytes = 640, .peer = 1, .tag = 0, .credits = 1}},
                           {kMvm800, {.op = Opcode::Receive, .bytes = 640, .peer = 0, .tag = 0}}}),
               a);
  EXPECT_DOUBLE_EQ(r.totalNs, 800.0);
  EXPECT_DOUBLE_EQ(stat(r, "interconnect", "bytes"), 640.0);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core0").get("communication"), 0.0);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core1").get("communication"), 0.0);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core1").get("peak_inbox"), 640.0);
}

TEST(Simulator, ReceiveWaitsForItsTagAndTheBusSerializesMessages) {
  const auto a = compassM();
  // Tag 1 (640 B) holds the bus for [0, 10) ns and arrives at 11; tag 0 (64 B) follows on the
  // bus for [10, 11) and arrives at 12. The receiver asks for tag 0 first: it waits to 12,
  // then finds tag 1 already there.
  // Two credits: both are posted before either is taken.
  auto p = program(a, {{{.op = Opcode::Send, .bytes = 640, .peer = 1, .tag = 1, .credits = 2},
                        {.op = Opcode::Send, .bytes = 64, .peer = 1, .tag = 0, .credits = 2}},
                       {{.op = Opcode::Receive, .bytes = 64, .peer = 0, .tag = 0},
                        {.op = Opcode::Receive, .bytes = 640, .peer = 0, .tag = 1}}});
  const auto r = simulate(p, a);
  EXPECT_DOUBLE_EQ(r.totalNs, 12.0);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core1").get("communication"), 12.0);
  EXPECT_DOUBLE_EQ(r.stats.child("local_memory").get("peak_inbox"), 704.0);
}

TEST(Simulator, SendWaitsForACreditWhenTheReceiverLagsBehind) {
  const auto a = compassM();
  // One credit: tag 0 (64 B: 1 ns on the bus + 1 ns hop) is posted at 0; tag 1 must wait until
  // the receiver, busy for 800 ns, takes tag 0; it then arrives at 802.
  auto p = program(a, {{{.op = Opcode::Send, .bytes = 64, .peer = 1, .tag = 0, .credits = 1},
                        {.op = Opcode::Send, .bytes = 64, .peer = 1, .tag = 1, .credits = 1}},
                       {kMvm800,
                        {.op = Opcode::Receive, .bytes = 64, .peer = 0, .tag = 0},
                        {.op = Opcode::Receive, .bytes = 64, .peer = 0, .tag = 1}}});
  const auto r = simulate(p, a);
  EXPECT_DOUBLE_EQ(r.totalNs, 802.0);
  EXPECT_DOUBLE_EQ(r.stats.child("cores").child("core0").get("communication"), 800.0)
      << "the sender waits for the credit";
}

TEST(Simulator, ThreadsOfACoreTakeTurnsAndOneWaitingLetsTheOtherRun) {
  const auto a = compassM({"chip.cores=2"});
  // Core 0 runs two threads. Thread 0 waits for a message that core 1 sends after an 800 ns
  // MVM (640 B: 10 ns on the bus + 1 ns hop, so it arrives at 811), then runs a 100 ns vector
  // op, 811 to 911. Thread 1 runs its own 800 ns MVM while thread 0 waits.
  codegen::Program p = program(a, {});
  p.threads = {
      {0,
       {{.op = Opcode::Receive, .bytes = 640, .peer = 1, .tag = 0},
        {.op = Opcode::Vector, .vecOp = "relu", .elems = 1200}}},
      {0, {kMvm800}},
      {1, {kMvm800, {.op = Opcode::Send, .bytes = 640, .peer = 0, .tag = 0, .credits = 1}}}};
  const auto r = simulate(p, a);
  EXPECT_DOUBLE_EQ(r.totalNs, 911.0);
  const auto& core0 = r.stats.child("cores").child("core0");
  EXPECT_DOUBLE_EQ(core0.get("mvm"), 800.0);
  EXPECT_DOUBLE_EQ(core0.get("vector"), 100.0);
  EXPECT_DOUBLE_EQ(core0.get("threads"), 2.0);
}

TEST(Simulator, TwoThreadsOfACoreNeverComputeAtOnce) {
  const auto a = compassM({"chip.cores=1"});
  // Two threads each run an 800 ns MVM on core 0: one after the other, 1600 ns.
  codegen::Program p = program(a, {});
  p.threads = {{0, {kMvm800}}, {0, {kMvm800}}};
  EXPECT_DOUBLE_EQ(simulate(p, a).totalNs, 1600.0);
}

TEST(SimulatorBadInput, MessageNobodyReceivesIsReported) {
  const auto a = compassM({"chip.cores=2"});
  try {
    simulate(
        program(a, {{{.op = Opcode::Send, .bytes = 8, .peer = 1, .tag = 3, .credits = 1}}, {}}), a,
        {"lost.xasm", ""});
    FAIL() << "lost message not reported";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "lost.xasm: core 0 sends 8 bytes with tag 3 to core 1, which never receives"),
              std::string::npos)
        << e.what();
  }
}

TEST(Simulator, BarrierReleasesAtTheLastArrival) {
  const auto a = compassM({"chip.cores=2"});
  auto p = program(a, {{{.op = Opcode::Barrier, .id = 0}},
                       {{.op = Opcode::Vector, .vecOp = "relu", .elems = 1200},
                        {.op = Opcode::Barrier, .id = 0}}});
  const auto r = simulate(p, a);
  // 1200 element ops on 12 lanes at 1 GHz = 100 ns.
  EXPECT_DOUBLE_EQ(r.totalNs, 100.0);
  EXPECT_DOUBLE_EQ(r.stats.child("partitions").child("partition0").get("reuse_start"), 100.0);
}

TEST(SimulatorBadInput, DeadlockNamesTheBlockedCores) {
  const auto a = compassM({"chip.cores=3"});
  try {
    simulate(program(a, {{{.op = Opcode::Receive, .bytes = 64, .peer = 1}},
                         {},
                         {{.op = Opcode::Barrier, .id = 0}}}),
             a, {"dead.xasm", ""});
    FAIL() << "deadlock not reported";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("dead.xasm: deadlock"), std::string::npos) << m;
    EXPECT_NE(m.find("core 0 at instruction 0 (RECV peer=1 bytes=64 tag=0)"), std::string::npos)
        << m;
    EXPECT_NE(m.find("core 2 at instruction 0 (BARRIER id=0)"), std::string::npos) << m;
  }
}

TEST(SimulatorBadInput, ProgramForAnotherArchIsRejected) {
  const auto a = compassM();
  auto p = program(a, {});
  p.archFingerprint = "0000000000000000";
  try {
    simulate(p, a, {"other.xasm", ""});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("was built for arch"), std::string::npos) << e.what();
  }
}

TEST(SimulatorBadInput, TooManyCrossbarsOrRowsAreRejectedBeforeSimulating) {
  const auto a = compassM();
  EXPECT_THROW(checkProgram(program(a, {{{.op = Opcode::Mvm,
                                          .xb = 14,
                                          .count = 4,
                                          .rows = 1,
                                          .cols = 1,
                                          .repeat = 1,
                                          .cycles = 1}}}),
                            a, "p"),
               InputError);
  EXPECT_THROW(
      checkProgram(
          program(a, {{{.op = Opcode::WriteXbar, .xb = 0, .count = 1, .rows = 512, .cols = 1}}}), a,
          "p"),
      InputError);
  EXPECT_THROW(
      checkProgram(program(a, {{{.op = Opcode::Store, .dram = (2 << 20) - 4, .bytes = 64}}}), a,
                   "p"),
      InputError);
  EXPECT_THROW(
      checkProgram(program(a, {{{.op = Opcode::Send, .bytes = 4, .peer = 99, .credits = 1}}}), a,
                   "p"),
      InputError);
  EXPECT_THROW(checkProgram(program(a, {{{.op = Opcode::Sync, .id = 3}}}), a, "p"), InputError)
      << "SYNC of a partition the program does not have";
  auto outOfOrder = program(a, {});
  outOfOrder.threads = {{1, {}}, {0, {}}};
  EXPECT_THROW(checkProgram(outOfOrder, a, "p"), InputError) << "threads must come in core order";
  try {
    checkProgram(program(a, {{},
                             {{.op = Opcode::Mvm,
                               .xb = 14,
                               .count = 4,
                               .rows = 1,
                               .cols = 1,
                               .repeat = 1,
                               .cycles = 1}}}),
                 a, "p.xasm");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "p.xasm: core 1 instruction 0 (MVM): uses crossbars 14 to 17 but a core has 16"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace xbar::sim
