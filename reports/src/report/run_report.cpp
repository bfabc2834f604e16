#include "xbar/report/run_report.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "xbar/arch/actions.h"
#include "xbar/report/json_input.h"
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

nlohmann::json runReport(const fs::path& dir) {
  const fs::path statsFile = dir / "stats.json", planFile = dir / "plan.json";
  const nlohmann::json stats = readJson(statsFile);
  const bool hasPlan = fs::is_regular_file(planFile);
  const nlohmann::json plan = hasPlan ? readJson(planFile) : nlohmann::json::object();
  auto stat = [&](const char* group, const char* name) {
    return statValue(stats, group, name, statsFile);
  };

  nlohmann::json report = {{"kind", "run"}, {"directory", dir.string()}};
  nlohmann::json estimate = nlohmann::json::object();  // plan totals, where there is a plan
  double batch = 1;
  if (hasPlan) {
    const nlohmann::json& totals = need(plan, "totals", planFile);
    batch = need(plan, "batch", planFile).get<double>();
    report["title"] =
        fmt::format("{} on {}: {} partitioner, batch {}, {} partitions",
                    need(plan, "model", planFile).get<std::string>(),
                    need(plan, "arch", planFile).get<std::string>(),
                    need(plan, "partitioner", planFile).get<std::string>(),
                    static_cast<int64_t>(batch), need(plan, "partitions", planFile).size());
    report["plan"] = {{"model", plan["model"]},
                      {"arch", plan["arch"]},
                      {"partitioner", plan["partitioner"]},
                      {"objective", plan["objective"]},
                      {"batch", plan["batch"]},
                      {"partitions", plan["partitions"].size()}};
    estimate = totals;
  } else {
    report["title"] =
        fmt::format("run {} (no plan.json: simulation only)", dir.filename().string());
  }
  auto est = [&](const char* key) -> nlohmann::json {
    return estimate.contains(key) ? estimate[key] : nlohmann::json(nullptr);
  };
  const double scheduleNs = estimate.value("schedule_time_ns", 0.0);
  const double scheduleEnergy = estimate.value("schedule_energy_pj", 0.0);
  // An estimated quantity, or null (shown as a dash) for a run without a plan.
  auto estimated = [&](double value) { return hasPlan ? nlohmann::json(value) : nullptr; };

  const double latency = stat("latency", "total"), energy = stat("energy", "total");
  nlohmann::json summary = nlohmann::json::array();
  summary.push_back(summaryRow("batch latency", latency, "ns", estimated(scheduleNs)));
  summary.push_back(summaryRow("latency per sample", stat("latency", "per_sample"), "ns",
                               estimated(scheduleNs / batch)));
  summary.push_back(summaryRow("throughput", stat("latency", "throughput"), "samples/s",
                               estimated(batch * 1e9 / scheduleNs)));
  summary.push_back(summaryRow("energy", energy, "pJ", estimated(scheduleEnergy)));
  summary.push_back(
      summaryRow("energy per sample", energy / batch, "pJ", estimated(scheduleEnergy / batch)));
  summary.push_back(
      summaryRow("EDP", latency * energy, "pJ*ns", estimated(scheduleNs * scheduleEnergy)));
  nlohmann::json estWeights = nullptr, estActivations = nullptr;
  if (hasPlan) {
    const nlohmann::json& dramBytes = need(estimate, "dram_bytes", planFile);
    estWeights = need(dramBytes, "weights", planFile);
    estActivations = need(dramBytes, "activations", planFile);
  }
  summary.push_back(
      summaryRow("DRAM weight bytes", stat("dram", "weight_bytes_read"), "B", estWeights));
  summary.push_back(
      summaryRow("DRAM activation bytes",
                 stat("dram", "activation_bytes_read") + stat("dram", "activation_bytes_written"),
                 "B", estActivations));
  summary.push_back(summaryRow("interconnect bytes", stat("interconnect", "bytes"), "B"));
  summary.push_back(summaryRow("crossbar cells written", stat("endurance", "cells_written"),
                               "count", est("cells_written")));
  summary.push_back(
      summaryRow("most writes to one cell", stat("endurance", "max_writes_per_cell"), "count"));
  summary.push_back(summaryRow("lifetime at this rate", stat("endurance", "lifetime"), "s"));
  report["summary"] = summary;

  // Energy by component, simulated and estimated. The estimate's static energy is for the
  // partitions in turn; the program hides part of that time (README "Simulator fidelity").
  nlohmann::json energyRows = nlohmann::json::array();
  const nlohmann::json estEnergy =
      hasPlan ? need(estimate, "energy_pj", planFile) : nlohmann::json::object();
  for (const arch::ActionInfo& a : arch::kActions) {
    const std::string c(a.energy);
    energyRows.push_back(
        {{"component", c}, {"source", "simulated"}, {"pj", stat("energy", c.c_str())}});
    if (!hasPlan) continue;
    double value = need(estEnergy, c, planFile).get<double>();
    if (a.action == arch::Action::StaticNs)
      value -= need(estEnergy, "total", planFile).get<double>() - scheduleEnergy;
    energyRows.push_back({{"component", c}, {"source", "estimate"}, {"pj", value}});
  }
  report["energy"] = energyRows;

  // DRAM traffic: the simulated totals, and per partition from the plan (the simulator moves
  // the same bytes: tests/integration/fidelity_test.cpp).
  report["dram"] = {
      {{"traffic", "weights read"}, {"bytes", stat("dram", "weight_bytes_read")}},
      {{"traffic", "activations read"}, {"bytes", stat("dram", "activation_bytes_read")}},
      {{"traffic", "activations written"}, {"bytes", stat("dram", "activation_bytes_written")}}};
  nlohmann::json dramByPartition = nlohmann::json::array();
  nlohmann::json partitions = nlohmann::json::array();
  const nlohmann::json& simPartitions = need(stats, "partitions", statsFile);
  const nlohmann::json planPartitions =
      hasPlan ? need(plan, "partitions", planFile) : nlohmann::json::array();
  for (size_t p = 0; p < simPartitions.size(); ++p) {
    const std::string name = fmt::format("partition{}", p);
    nlohmann::json row = {
        {"partition", p},
        {"start_ns", statValue(stats["partitions"], name, "reuse_start", statsFile)},
        {"end_ns", statValue(stats["partitions"], name, "end", statsFile)},
        {"time_ns", statValue(stats["partitions"], name, "time", statsFile)}};
    if (p < planPartitions.size()) {
      const nlohmann::json& pp = planPartitions[p];
      row["layers"] = need(pp, "layers", planFile).size();
      row["estimate_ns"] = need(need(pp, "time_ns", planFile), "total", planFile);
      const nlohmann::json& bytes = need(pp, "dram_bytes", planFile);
      for (const auto& [key, label] :
           {std::pair{"weights", "weights read"}, std::pair{"activations_read", "activations read"},
            std::pair{"activations_written", "activations written"}})
        dramByPartition.push_back(
            {{"partition", p}, {"traffic", label}, {"bytes", need(bytes, key, planFile)}});
    }
    partitions.push_back(row);
  }
  report["partitions"] = partitions;
  report["dram_by_partition"] = dramByPartition;

  nlohmann::json cores = nlohmann::json::array();
  for (const auto& [core, group] : need(stats, "cores", statsFile).items())
    for (const char* activity : {"mvm", "vector", "memory", "communication", "write", "idle"})
      cores.push_back({{"core", std::stoi(core.substr(4))},
                       {"activity", activity},
                       {"ns", statValue(stats["cores"], core, activity, statsFile)}});
  report["cores"] = cores;
  const fs::path timeline = dir / "timeline.csv";
  report["timeline"] =
      fs::is_regular_file(timeline) ? readTimeline(timeline) : nlohmann::json::array();
  return report;
}

}  // namespace xbar::report
