#include <algorithm>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "cli.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/codegen.h"
#include "xbar/codegen/program_text.h"
#include "xbar/cost/cost_model.h"
#include "xbar/flow/pipeline.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping_report.h"
#include "xbar/partition/partitioner.h"
#include "xbar/sim/simulator.h"
#include "xbar/support/atomic_file.h"

namespace xbar::cli {
namespace {

struct SimulateOptions {
  std::string input;  // program (simulate) or model (run)
  std::string arch = "compass-sram-m";
  std::vector<std::string> overrides;
  std::string outDir;
  std::string trace;
  flow::PlanRequest plan;  // run only
};

void writeStats(const sim::SimResult& r, const SimulateOptions& o) {
  if (o.outDir.empty()) return;
  const std::filesystem::path path = std::filesystem::path(o.outDir) / "stats.json";
  writeFileAtomically(path, r.stats.toJson().dump(2) + "\n");
  // What each core did in each partition, for the report's timeline.
  std::string csv = "partition,core,phase,start_ns,end_ns,busy_ns\n";
  for (const sim::PhaseSpan& s : r.timeline)
    csv += fmt::format("{},{},{},{},{},{}\n", s.partition, s.core,
                       s.phase == sim::PhaseSpan::Phase::Replace ? "replace" : "reuse", s.startNs,
                       s.endNs, s.busyNs);
  const std::filesystem::path timeline = std::filesystem::path(o.outDir) / "timeline.csv";
  writeFileAtomically(timeline, csv);
  std::cout << "wrote " << path.string() << ", " << timeline.string()
            << (o.trace.empty() ? "" : " and " + o.trace) << "\n";
}

// "energy by component (uJ): adc 1.0, ...", one entry per action of the table.
std::string energySummary(const sim::StatsGroup& e) {
  arch::EnergyBreakdown pj;
  for (const arch::ActionInfo& a : arch::kActions) pj[a.action] = e.get(std::string(a.energy));
  return arch::energySummaryUj(pj);
}

std::string summary(const sim::SimResult& r) {
  const sim::StatsGroup& e = r.stats.child("energy");
  const sim::StatsGroup& d = r.stats.child("dram");
  const sim::StatsGroup& w = r.stats.child("endurance");
  return fmt::format(
             "simulated: {:.3f} ms, {:.1f} samples/s; energy {:.3f} mJ; EDP {:.4g} J*s\n"
             "DRAM: {:.3f} MB weights read, {:.3f} MB activations read, {:.3f} MB written\n"
             "crossbar writes: {:.0f} cells, at most {:.0f} per cell; lifetime at this rate {:.3g} "
             "s\n",
             r.totalNs / 1e6, r.stats.child("latency").get("throughput"), r.energyPj / 1e9,
             r.energyPj * r.totalNs * 1e-21, d.get("weight_bytes_read") / 1e6,
             d.get("activation_bytes_read") / 1e6, d.get("activation_bytes_written") / 1e6,
             w.get("cells_written"), w.get("max_writes_per_cell"), w.get("lifetime")) +
         energySummary(e) + "\n";
}

void simulateProgram(const SimulateOptions& o) {
  const arch::ArchConfig arch = loadArchFromFlags(o.arch, o.overrides);
  const codegen::Program program = codegen::loadProgram(o.input);
  const sim::SimResult r = sim::simulate(program, arch, {o.input, o.trace});
  std::cout << summary(r);
  writeStats(r, o);
}

std::string row(const char* what, double analytic, double simulated, const char* unit) {
  const double diff = analytic != 0 ? 100.0 * (simulated - analytic) / analytic : 0.0;
  return fmt::format("{:<22} {:>14.4g} {:>14.4g}  {:<8} {:>+8.1f}%\n", what, analytic, simulated,
                     unit, diff);
}

void compileAndSimulate(const SimulateOptions& o) {
  const flow::CompiledModel c =
      flow::compileModel(o.input, loadArchFromFlags(o.arch, o.overrides), o.plan);
  const arch::ArchConfig& arch = c.arch;
  const mapping::Mapping& m = c.mapping;
  const partition::Plan& plan = c.planned.plan;
  if (!o.outDir.empty()) flow::writePlanAndProgram(o.outDir, plan, m, c.program);
  const sim::SimResult r = sim::simulate(c.program, arch, {o.input, o.trace});
  const partition::PlanTotals& t = plan.totals;
  const sim::StatsGroup& e = r.stats.child("energy");
  const sim::StatsGroup& d = r.stats.child("dram");
  std::cout << fmt::format("{} on {}: {} partitioner, {} partitions, batch {}\n\n", m.model,
                           arch.name, plan.partitioner, plan.partitions.size(), plan.batch);
  std::cout << fmt::format("{:<22} {:>14} {:>14}  {:<8} {:>9}\n", "", "analytic", "simulated",
                           "unit", "sim/est");
  // The estimate of the program's schedule: replacement hidden behind the previous partition.
  const double hiddenNs = t.timeNs - t.scheduleTimeNs;
  std::cout << row("batch time", t.scheduleTimeNs, r.totalNs, "ns");
  std::cout << row("throughput", static_cast<double>(plan.batch) * 1e9 / t.scheduleTimeNs,
                   r.stats.child("latency").get("throughput"), "1/s");
  std::cout << row("energy", t.scheduleEnergyPj, r.energyPj, "pJ");
  for (const arch::ActionInfo& a : arch::kActions) {
    std::string label = "  " + std::string(a.energy);
    std::replace(label.begin(), label.end(), '_', ' ');
    // Static energy of the schedule: replacement hidden behind the previous partition.
    const double estimate = a.action == arch::Action::StaticNs
                                ? t.energyPj[a.action] - (t.energyTotalPj - t.scheduleEnergyPj)
                                : t.energyPj[a.action];
    std::cout << row(label.c_str(), estimate, e.get(std::string(a.energy)), "pJ");
  }
  std::cout << row("EDP", t.scheduleEnergyPj * t.scheduleTimeNs, r.energyPj * r.totalNs, "pJ*ns");
  std::cout << row("DRAM weight bytes", t.dramWeightBytes, d.get("weight_bytes_read"), "B");
  std::cout << row("DRAM activation bytes", t.dramActivationBytes,
                   d.get("activation_bytes_read") + d.get("activation_bytes_written"), "B");
  std::cout << fmt::format(
      "\nanalytic: partitions one after another take {:.4g} ns (what the partitioner minimises); "
      "the program hides {:.4g} ns of weight replacement behind the partition before\n",
      t.timeNs, hiddenNs);
  // Queueing on shared resources is what the estimate prices only as bandwidth bounds.
  const double dramBytes = d.get("weight_bytes_read") + d.get("activation_bytes_read") +
                           d.get("activation_bytes_written");
  std::cout << fmt::format(
      "contention: DRAM busy {:.0f} % and the busiest link {:.0f} % of the simulated time; "
      "requests queue there, which the estimate prices only as bandwidth bounds\n",
      100.0 * dramBytes / arch.dramBandwidthGbPerS() / r.totalNs,
      100.0 * r.stats.child("interconnect").get("busiest_link_busy") / r.totalNs);
  std::cout << "\n" << summary(r) << mapping::adcClippingLine(m);
  writeStats(r, o);
}

void addCommon(CLI::App* cmd, SimulateOptions& o) {
  cmd->add_option("-a,--arch", o.arch, "Arch config file or preset name")->capture_default_str();
  cmd->add_option("-p,--param", o.overrides, "Override an arch key: key.path=value");
  cmd->add_option("-o,--out", o.outDir, "Directory for stats.json");
  cmd->add_option("--trace", o.trace, "Write a Chrome/Perfetto trace (JSON) to this file");
}

}  // namespace

void addSimulateCommands(CLI::App& app, Action& action) {
  auto sim = std::make_shared<SimulateOptions>();
  CLI::App* s = app.add_subcommand(
      "simulate", "Simulate a compiled program (SystemC) and report its statistics");
  s->add_option("program", sim->input, "Program file (.xasm)")->required();
  addCommon(s, *sim);
  s->callback([sim, &action] { action = [sim] { simulateProgram(*sim); }; });

  auto run = std::make_shared<SimulateOptions>();
  CLI::App* r = app.add_subcommand(
      "run", "Compile and simulate a model; print the estimate beside the simulation");
  r->add_option("model", run->input, "ONNX model file")->required();
  addCommon(r, *run);
  r->add_option("--partitioner", run->plan.partitioner, "greedy, layerwise, compass or optimal")
      ->capture_default_str();
  r->add_option("--objective", run->plan.objective, "latency, throughput, energy or edp")
      ->capture_default_str();
  r->add_option("-b,--batch", run->plan.batch, "Samples per batch (B)")->capture_default_str();
  r->add_option("--seed", run->plan.seed, "Seed of the compass genetic algorithm")
      ->capture_default_str();
  r->callback([run, &action] { action = [run] { compileAndSimulate(*run); }; });
}

}  // namespace xbar::cli
