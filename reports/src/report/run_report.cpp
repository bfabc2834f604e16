#include "xbar/report/run_report.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "xbar/arch/actions.h"
#include "xbar/report/json_input.h"
#include "xbar/report/validation_section.h"
#include "xbar/support/error.h"

namespace xbar::report {
namespace {

namespace fs = std::filesystem;

nlohmann::json summaryRow(const std::string& quantity, double simulated, const char* unit,
                          const nlohmann::json& estimate = nullptr) {
  return {{"quantity", quantity}, {"simulated", simulated}, {"estimate", estimate}, {"unit", unit}};
}

// timeline.csv as `xbar run` writes it: partition,core,phase,start_ns,end_ns,busy_ns.
nlohmann::json readTimeline(const fs::path& file) {
  nlohmann::json rows = nlohmann::json::array();
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  if (line != "partition,core,phase,start_ns,end_ns,busy_ns")
    failInput(file.string() + ":1",
              "expected the header partition,core,phase,start_ns,end_ns,busy_ns");
  for (int number = 2; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string partition, core, phase, start, end, busy;
    std::getline(fields, partition, ',');
    std::getline(fields, core, ',');
    std::getline(fields, phase, ',');
    std::getline(fields, start, ',');
    std::getline(fields, end, ',');
    std::getline(fields, busy, ',');
    try {
      if (phase != "replace" && phase != "reuse") throw std::invalid_argument(phase);
      rows.push_back({{"partition", std::stoi(partition)},
                      {"core", std::stoi(core)},
                      {"phase", phase},
                      {"start_ns", std::stod(start)},
                      {"end_ns", std::stod(end)},
                      {"busy_ns", std::stod(busy)}});
    } catch (const std::exception&) {
      failInput(fmt::format("{}:{}", file.string(), number),
                "expected partition,core,replace|reuse,start_ns,end_ns,busy_ns");
    }
  }
  return rows;
}

}  // namespace

bool isRunDirectory(const fs::path& dir) {
  return fs::is_regular_file(dir / "stats.json");
}

namespace {

// A run directory's files: the statistics, and the plan's estimate where there is a plan.
struct Run {
  fs::path statsFile, planFile;
  nlohmann::json stats, plan;
  bool hasPlan = false;
  nlohmann::json estimate = nlohmann::json::object();  // plan totals
  double batch = 1;

  double stat(const char* group, const char* name) const {
    return statValue(stats, group, name, statsFile);
  }
  // An estimated quantity, or null (shown as a dash) for a run without a plan.
  nlohmann::json estimated(double value) const { return hasPlan ? nlohmann::json(value) : nullptr; }
  nlohmann::json est(const char* key) const {
    return estimate.contains(key) ? estimate[key] : nlohmann::json(nullptr);
  }
  double scheduleNs() const { return estimate.value("schedule_time_ns", 0.0); }
  double scheduleEnergy() const { return estimate.value("schedule_energy_pj", 0.0); }
};

nlohmann::json summaryRows(const Run& r) {
  const double latency = r.stat("latency", "total"), energy = r.stat("energy", "total");
  const double scheduleNs = r.scheduleNs(), scheduleEnergy = r.scheduleEnergy();
  nlohmann::json summary = nlohmann::json::array();
  summary.push_back(summaryRow("batch latency", latency, "ns", r.estimated(scheduleNs)));
  summary.push_back(summaryRow("latency per sample", r.stat("latency", "per_sample"), "ns",
                               r.estimated(scheduleNs / r.batch)));
  summary.push_back(summaryRow("throughput", r.stat("latency", "throughput"), "samples/s",
                               r.estimated(r.batch * 1e9 / scheduleNs)));
  summary.push_back(summaryRow("energy", energy, "pJ", r.estimated(scheduleEnergy)));
  summary.push_back(summaryRow("energy per sample", energy / r.batch, "pJ",
                               r.estimated(scheduleEnergy / r.batch)));
  summary.push_back(
      summaryRow("EDP", latency * energy, "pJ*ns", r.estimated(scheduleNs * scheduleEnergy)));
  nlohmann::json estWeights = nullptr, estActivations = nullptr;
  if (r.hasPlan) {
    const nlohmann::json& dramBytes = need(r.estimate, "dram_bytes", r.planFile);
    estWeights = need(dramBytes, "weights", r.planFile);
    estActivations = need(dramBytes, "activations", r.planFile);
  }
  summary.push_back(
      summaryRow("DRAM weight bytes", r.stat("dram", "weight_bytes_read"), "B", estWeights));
  summary.push_back(summaryRow(
      "DRAM activation bytes",
      r.stat("dram", "activation_bytes_read") + r.stat("dram", "activation_bytes_written"), "B",
      estActivations));
  summary.push_back(summaryRow("interconnect bytes", r.stat("interconnect", "bytes"), "B"));
  summary.push_back(summaryRow("crossbar cells written", r.stat("endurance", "cells_written"),
                               "count", r.est("cells_written")));
  summary.push_back(
      summaryRow("most writes to one cell", r.stat("endurance", "max_writes_per_cell"), "count"));
  summary.push_back(summaryRow("lifetime at this rate", r.stat("endurance", "lifetime"), "s"));
  return summary;
}

// Energy by component, simulated and estimated. The estimate's static energy is for the
// partitions in turn; the program hides part of that time (README "Simulator fidelity").
nlohmann::json energyRows(const Run& r) {
  nlohmann::json rows = nlohmann::json::array();
  const nlohmann::json estEnergy =
      r.hasPlan ? need(r.estimate, "energy_pj", r.planFile) : nlohmann::json::object();
  for (const arch::ActionInfo& a : arch::kActions) {
    const std::string c(a.energy);
    rows.push_back(
        {{"component", c}, {"source", "simulated"}, {"pj", r.stat("energy", c.c_str())}});
    if (!r.hasPlan) continue;
    double value = need(estEnergy, c, r.planFile).get<double>();
    if (a.action == arch::Action::StaticNs)
      value -= need(estEnergy, "total", r.planFile).get<double>() - r.scheduleEnergy();
    rows.push_back({{"component", c}, {"source", "estimate"}, {"pj", value}});
  }
  return rows;
}

// Per partition: simulated span and estimate, and the plan's DRAM bytes (the simulator moves
// the same bytes: tests/integration/fidelity_test.cpp).
void addPartitions(const Run& r, nlohmann::json& report) {
  nlohmann::json dramByPartition = nlohmann::json::array();
  nlohmann::json partitions = nlohmann::json::array();
  const nlohmann::json& simPartitions = need(r.stats, "partitions", r.statsFile);
  const nlohmann::json planPartitions =
      r.hasPlan ? need(r.plan, "partitions", r.planFile) : nlohmann::json::array();
  for (size_t p = 0; p < simPartitions.size(); ++p) {
    const std::string name = fmt::format("partition{}", p);
    nlohmann::json row = {
        {"partition", p},
        {"start_ns", statValue(r.stats["partitions"], name, "reuse_start", r.statsFile)},
        {"end_ns", statValue(r.stats["partitions"], name, "end", r.statsFile)},
        {"time_ns", statValue(r.stats["partitions"], name, "time", r.statsFile)}};
    if (p < planPartitions.size()) {
      const nlohmann::json& pp = planPartitions[p];
      row["layers"] = need(pp, "layers", r.planFile).size();
      row["estimate_ns"] = need(need(pp, "time_ns", r.planFile), "total", r.planFile);
      const nlohmann::json& bytes = need(pp, "dram_bytes", r.planFile);
      for (const auto& [key, label] :
           {std::pair{"weights", "weights read"}, std::pair{"activations_read", "activations read"},
            std::pair{"activations_written", "activations written"}})
        dramByPartition.push_back(
            {{"partition", p}, {"traffic", label}, {"bytes", need(bytes, key, r.planFile)}});
    }
    partitions.push_back(row);
  }
  report["partitions"] = partitions;
  report["dram_by_partition"] = dramByPartition;
}

nlohmann::json coreRows(const Run& r) {
  nlohmann::json cores = nlohmann::json::array();
  for (const auto& [core, group] : need(r.stats, "cores", r.statsFile).items())
    for (const char* activity : {"mvm", "vector", "memory", "communication", "write", "idle"})
      cores.push_back({{"core", std::stoi(core.substr(4))},
                       {"activity", activity},
                       {"ns", statValue(r.stats["cores"], core, activity, r.statsFile)}});
  return cores;
}

}  // namespace

nlohmann::json runReport(const fs::path& dir) {
  Run r;
  r.statsFile = dir / "stats.json";
  r.planFile = dir / "plan.json";
  r.stats = readJson(r.statsFile);
  r.hasPlan = fs::is_regular_file(r.planFile);
  r.plan = r.hasPlan ? readJson(r.planFile) : nlohmann::json::object();

  nlohmann::json report = {{"kind", "run"}, {"directory", dir.string()}};
  if (r.hasPlan) {
    const nlohmann::json& plan = r.plan;
    const nlohmann::json& totals = need(plan, "totals", r.planFile);
    r.batch = need(plan, "batch", r.planFile).get<double>();
    report["title"] =
        fmt::format("{} on {}: {} partitioner, batch {}, {} partitions",
                    need(plan, "model", r.planFile).get<std::string>(),
                    need(plan, "arch", r.planFile).get<std::string>(),
                    need(plan, "partitioner", r.planFile).get<std::string>(),
                    static_cast<int64_t>(r.batch), need(plan, "partitions", r.planFile).size());
    report["plan"] = {{"model", plan["model"]},
                      {"arch", plan["arch"]},
                      {"partitioner", plan["partitioner"]},
                      {"objective", plan["objective"]},
                      {"batch", plan["batch"]},
                      {"partitions", plan["partitions"].size()}};
    r.estimate = totals;
  } else {
    report["title"] =
        fmt::format("run {} (no plan.json: simulation only)", dir.filename().string());
  }
  report["summary"] = summaryRows(r);
  report["energy"] = energyRows(r);
  report["dram"] = {
      {{"traffic", "weights read"}, {"bytes", r.stat("dram", "weight_bytes_read")}},
      {{"traffic", "activations read"}, {"bytes", r.stat("dram", "activation_bytes_read")}},
      {{"traffic", "activations written"}, {"bytes", r.stat("dram", "activation_bytes_written")}}};
  addPartitions(r, report);
  report["cores"] = coreRows(r);
  const fs::path timeline = dir / "timeline.csv";
  report["timeline"] =
      fs::is_regular_file(timeline) ? readTimeline(timeline) : nlohmann::json::array();
  if (hasValidation(dir)) report["validation"] = validationSection(dir);
  return report;
}

}  // namespace xbar::report
