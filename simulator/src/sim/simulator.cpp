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
  for (const TraceSpan& s : chip.timeline.traceSpans())
    events.push_back({{"name", std::string(codegen::opcodeName(s.op))},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", s.thread},
                      {"ts", s.startNs / 1000.0},
                      {"dur", s.durationNs / 1000.0}});
  writeFileAtomically(
      path, nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump() + "\n");
}

void reportDeadlock(const Chip& chip, const std::string& source) {
  std::vector<std::string> blocked;
  for (size_t i = 0; i < chip.program.threads.size(); ++i) {
    const ThreadActivity& a = chip.threads[i]->activity();
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

// Per core: its threads' busy times add up (the core runs one at a time). Their waits for
// messages may overlap; communication is the waiting thread time, at most the time the core
// is not busy, and idle the rest.
void reportCores(const Chip& chip, double total, StatsGroup& cores) {
  std::vector<ThreadActivity> perCore(static_cast<size_t>(chip.program.cores));
  for (size_t i = 0; i < chip.threads.size(); ++i) {
    ThreadActivity& c = perCore[static_cast<size_t>(chip.program.threads[i].core)];
    const ThreadActivity& a = chip.threads[i]->activity();
    c.mvmNs += a.mvmNs;
    c.vectorNs += a.vectorNs;
    c.memoryNs += a.memoryNs;
    c.writeNs += a.writeNs;
    c.communicationNs += a.communicationNs;
  }
  for (size_t c = 0; c < perCore.size(); ++c) {
    const ThreadActivity& a = perCore[c];
    const double busy = a.mvmNs + a.vectorNs + a.memoryNs + a.writeNs;
    const double communication = std::min(a.communicationNs, std::max(0.0, total - busy));
    StatsGroup& g = cores.group(fmt::format("core{}", c));
    g.set({"mvm", "ns", "running MVM"}, a.mvmNs);
    g.set({"vector", "ns", "running VEC"}, a.vectorNs);
    g.set({"memory", "ns", "running LD_W, LD and ST"}, a.memoryNs);
    g.set({"communication", "ns", "waiting in SEND or RECV while the core was not busy"},
          communication);
    g.set({"write", "ns", "running WR_XB"}, a.writeNs);
    g.set({"idle", "ns", "none of the above"}, std::max(0.0, total - busy - communication));
    g.set({"threads", "count", "threads the program gives the core"}, chip.threadsOnCore[c]);
    g.set({"peak_inbox", "B", "the most posted, untaken message bytes the core held"},
          chip.inboxes.peak(static_cast<int32_t>(c)));
  }
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
  for (const auto& thread : chip.threads) {
    total = std::max(total, thread->activity().finishNs);
    sum.actions += thread->activity().actions;
  }
  StatsGroup& s = result.stats;
  const double batch = static_cast<double>(program.batch);

  StatsGroup& latency = s.group("latency");
  latency.set({"total", "ns", "the batch, from the first instruction to the last"}, total);
  latency.set({"per_sample", "ns", "total / batch"}, total / batch);
  latency.set({"throughput", "samples/s", "batch / total"}, total > 0 ? batch * 1e9 / total : 0);

  // The cores count what they do; DRAM, the links and the clock count the rest.
  arch::ActionCounts counts = sum.actions;
  counts[arch::Action::InterconnectByteHop] = chip.interconnect.byteHops();
  counts[arch::Action::DramBit] = chip.dram->bytesMoved() * 8.0;
  counts[arch::Action::StaticNs] = total;
  const arch::EnergyBreakdown e = arch::energyOf(counts, arch);
  const double energyTotal = e.total();
  StatsGroup& energy = s.group("energy");
  for (const arch::ActionInfo& a : arch::kActions) {
    const std::string description =
        "energy of " + std::string(a.count) + " (" + std::string(a.priceKey) + ")";
    energy.set({a.energy.data(), "pJ", description.c_str()}, e[a.action]);
  }
  energy.set({"total", "pJ", "the sum of the components"}, energyTotal);
  StatsGroup& actions = s.group("actions");
  for (const arch::ActionInfo& a : arch::kActions) {
    const std::string description =
        "how many times: " + std::string(a.count) + " (priced by " + std::string(a.priceKey) + ")";
    actions.set({a.count.data(), a.countUnit.data(), description.c_str()}, counts[a.action]);
  }
  s.set({"edp", "pJ*ns", "energy x batch time"}, energyTotal * total);

  chip.dram->report(s.group("dram"), total);
  chip.interconnect.report(s.group("interconnect"));
  chip.inboxes.report(s.group("local_memory"),
                      static_cast<double>(arch.core.local_memory.size_kib) * 1024.0);
  chip.crossbarWrites.report(s.group("endurance"), sum.actions[arch::Action::CellWritten], total);
  reportCores(chip, total, s.group("cores"));
  chip.timeline.report(s.group("partitions"), total);
  s.group("simulation")
      .set({"instructions", "count", "instructions in the program"},
           static_cast<double>(program.instructionCount()));

  result.timeline = chip.timeline.spans();
  if (!options.tracePath.empty()) writeTrace(chip, options.tracePath);
  result.totalNs = total;
  result.energyPj = energyTotal;
  return result;
}

}  // namespace xbar::sim
