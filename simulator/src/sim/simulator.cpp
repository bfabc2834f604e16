#include "xbar/sim/simulator.h"

#include <algorithm>

#include <fmt/format.h>

#include "chip.h"
#include "xbar/arch/actions.h"
#include "xbar/codegen/program_text.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::sim {
namespace {

// "core C", or "core C thread K" where the core runs several threads.
std::string threadName(const Chip& chip, size_t stream) {
  const int32_t core = chip.program.threads[stream].core;
  if (chip.threadsOnCore[static_cast<size_t>(core)] == 1) return fmt::format("core {}", core);
  size_t k = 0;
  while (stream - k > 0 && chip.program.threads[stream - k - 1].core == core) ++k;
  return fmt::format("core {} thread {}", core, k);
}

void writeTrace(const Chip& chip, const std::string& path) {
  nlohmann::json events = nlohmann::json::array();
  for (size_t i = 0; i < chip.program.threads.size(); ++i)
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", 0},
                      {"tid", i},
                      {"args", {{"name", threadName(chip, i)}}}});
  for (const TraceSpan& s : chip.trace)
    events.push_back({{"name", std::string(codegen::opcodeName(s.op))},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", s.stream},
                      {"ts", s.startNs / 1000.0},
                      {"dur", s.durationNs / 1000.0}});
  writeFileAtomically(
      path, nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n");
}

void reportDeadlock(const Chip& chip, const std::string& source) {
  std::vector<std::string> blocked;
  for (size_t i = 0; i < chip.program.threads.size(); ++i) {
    const ThreadActivity& a = chip.activity[i];
    if (a.finished) continue;
    const codegen::Instruction& in = chip.program.threads[i].code[a.pc];
    std::string what(codegen::opcodeName(in.op));
    if (in.op == codegen::Opcode::Send || in.op == codegen::Opcode::Receive)
      what += fmt::format(" peer={} bytes={} tag={}", in.peer, in.bytes, in.tag);
    if (in.op == codegen::Opcode::Barrier || in.op == codegen::Opcode::Sync)
      what += fmt::format(" id={}", in.id);
    blocked.push_back(fmt::format("{} at instruction {} ({})", threadName(chip, i), a.pc, what));
  }
  if (!blocked.empty())
    failInput(source, "deadlock: {} of {} threads never finish: {}", blocked.size(),
              chip.program.threads.size(), fmt::join(blocked, "; "));
  for (const auto& [pair, channel] : chip.channels)
    if (!channel->posted.empty())
      failInput(source, "core {} sends {} bytes with tag {} to core {}, which never receives them",
                pair.first, channel->posted.begin()->second.bytes, channel->posted.begin()->first,
                pair.second);
}

}  // namespace

SimResult simulate(const codegen::Program& program, const arch::ArchConfig& arch,
                   const SimOptions& options) {
  checkProgram(program, arch, options.source);
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  // The quantum bounds how far a core runs ahead of the others between synchronisations.
  tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(100, sc_core::SC_NS));
  Chip chip(program, arch, !options.tracePath.empty());
  sc_core::sc_start();
  if (!chip.errors.empty()) failInput(options.source, "{}", chip.errors.front());
  reportDeadlock(chip, options.source);

  SimResult result;
  double total = 0;
  ThreadActivity sum;
  for (const ThreadActivity& a : chip.activity) {
    total = std::max(total, a.finishNs);
    sum.actions += a.actions;
  }
  const auto& xb = arch.crossbar;
  const DramController& dram = *chip.dram;
  const double dramBytes =
      dram.weightBytesRead + dram.activationBytesRead + dram.activationBytesWritten;
  StatsGroup& s = result.stats;
  const double batch = static_cast<double>(program.batch);

  StatsGroup& latency = s.group("latency");
  latency.set("total", total, "ns");
  latency.set("per_sample", total / batch, "ns");
  latency.set("throughput", total > 0 ? batch * 1e9 / total : 0, "samples/s");

  arch::ActionCounts counts = sum.actions;
  counts[arch::Action::InterconnectByteHop] = chip.interconnect.byteHops;
  counts[arch::Action::DramBit] = dramBytes * 8.0;
  counts[arch::Action::StaticNs] = total;
  const arch::EnergyBreakdown e = arch::energyOf(counts, arch);
  const double energyTotal = e.total();
  StatsGroup& energy = s.group("energy");
  for (const arch::ActionInfo& a : arch::kActions)
    energy.set(std::string(a.energy), e[a.action], "pJ");
  energy.set("total", energyTotal, "pJ");
  s.set("edp", energyTotal * total, "pJ*ns");

  StatsGroup& d = s.group("dram");
  d.set("weight_bytes_read", dram.weightBytesRead, "B");
  d.set("activation_bytes_read", dram.activationBytesRead, "B");
  d.set("activation_bytes_written", dram.activationBytesWritten, "B");
  StatsGroup& ic = s.group("interconnect");
  ic.set("bytes", chip.interconnect.bytes, "B");
  ic.set("byte_hops", chip.interconnect.byteHops, "B*hop");
  const auto& linkBusy = chip.interconnect.linkBusyNs;
  ic.set("busiest_link_busy", *std::max_element(linkBusy.begin(), linkBusy.end()), "ns");

  uint32_t maxWrites = 0;
  for (const auto& core : chip.rowWrites)
    for (const auto& crossbar : core)
      for (uint32_t w : crossbar) maxWrites = std::max(maxWrites, w);
  // Posted messages wait in the receiver's local memory until it takes them.
  const double peakInbox =
      *std::max_element(chip.peakInboxBytes.begin(), chip.peakInboxBytes.end());
  StatsGroup& local = s.group("local_memory");
  local.set("peak_inbox", peakInbox, "B");
  local.set("capacity", static_cast<double>(arch.core.local_memory.size_kib) * 1024.0, "B");

  StatsGroup& endurance = s.group("endurance");
  endurance.set("cells_written", sum.actions[arch::Action::CellWritten], "count");
  endurance.set("max_writes_per_cell", maxWrites, "count");
  endurance.set("endurance", xb.endurance_cycles, "writes");
  // Running this program back to back, the most-written cell reaches its endurance after:
  const double lifetime = maxWrites > 0 ? xb.endurance_cycles / maxWrites * total * 1e-9 : 0;
  endurance.set("lifetime", lifetime, "s");

  // Per core: its threads' busy times add up (the core runs one at a time). Their waits for
  // messages may overlap; communication is the waiting thread time, at most the time the core
  // is not busy, and idle the rest.
  std::vector<ThreadActivity> perCore(static_cast<size_t>(program.cores));
  for (size_t i = 0; i < chip.activity.size(); ++i) {
    ThreadActivity& c = perCore[static_cast<size_t>(program.threads[i].core)];
    const ThreadActivity& a = chip.activity[i];
    c.mvmNs += a.mvmNs;
    c.vectorNs += a.vectorNs;
    c.memoryNs += a.memoryNs;
    c.writeNs += a.writeNs;
    c.communicationNs += a.communicationNs;
  }
  StatsGroup& cores = s.group("cores");
  for (size_t c = 0; c < perCore.size(); ++c) {
    const ThreadActivity& a = perCore[c];
    const double busy = a.mvmNs + a.vectorNs + a.memoryNs + a.writeNs;
    const double communication = std::min(a.communicationNs, std::max(0.0, total - busy));
    StatsGroup& g = cores.group(fmt::format("core{}", c));
    g.set("mvm", a.mvmNs, "ns");
    g.set("vector", a.vectorNs, "ns");
    g.set("memory", a.memoryNs, "ns");
    g.set("communication", communication, "ns");
    g.set("write", a.writeNs, "ns");
    g.set("idle", std::max(0.0, total - busy - communication), "ns");
    g.set("threads", chip.threadsOnCore[c], "count");
    g.set("peak_inbox", chip.peakInboxBytes[c], "B");
  }
  // Partition p runs from the release of barrier p (its reuse phase begins) to the release of
  // barrier p + 1 (or the end); the replace phase of p + 1 overlaps its tail.
  StatsGroup& partitions = s.group("partitions");
  for (size_t p = 0; p < chip.barrierReleaseNs.size(); ++p) {
    const double start = chip.barrierReleaseNs[p];
    const double end = p + 1 < chip.barrierReleaseNs.size() ? chip.barrierReleaseNs[p + 1] : total;
    StatsGroup& g = partitions.group(fmt::format("partition{}", p));
    g.set("reuse_start", start, "ns");
    g.set("end", end, "ns");
    g.set("time", end - start, "ns");
  }
  s.group("simulation")
      .set("instructions", static_cast<double>(program.instructionCount()), "count");

  for (const auto& partition : chip.phases)
    for (const auto& core : partition)
      for (const PhaseSpan& span : core)
        if (span.startNs >= 0) result.timeline.push_back(span);
  if (!options.tracePath.empty()) writeTrace(chip, options.tracePath);
  result.totalNs = total;
  result.energyPj = energyTotal;
  return result;
}

}  // namespace xbar::sim
