#include "xbar/report/sweep_report.h"

#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "xbar/arch/actions.h"
#include "xbar/report/json_input.h"
#include "xbar/report/pareto.h"
#include "xbar/report/partitioner_comparison.h"
#include "xbar/support/error.h"

namespace xbar::report {

namespace fs = std::filesystem;

std::string workloadName(const fs::path& model) {
  std::string name = model.filename().string();
  for (const std::string suffix : {".onnx", ".stripped"})
    if (name.size() > suffix.size() && name.ends_with(suffix))
      name.erase(name.size() - suffix.size());
  return name;
}

bool isSweepDirectory(const fs::path& dir) {
  return fs::is_regular_file(dir / "results.jsonl") && fs::is_regular_file(dir / "sweep.yaml");
}

// Marks each point on or off the Pareto front of its workload (different networks do not
// trade against each other); the best EDP point of each workload.
nlohmann::json markParetoFronts(nlohmann::json& points) {
  std::map<std::string, std::vector<size_t>> byWorkload;
  for (size_t i = 0; i < points.size(); ++i)
    byWorkload[points[i]["workload"].get<std::string>()].push_back(i);
  nlohmann::json best = nlohmann::json::array();
  for (const auto& [workload, members] : byWorkload) {
    std::vector<std::pair<double, double>> xy;
    for (size_t i : members)
      xy.emplace_back(points[i]["latency_per_sample_ns"].get<double>(),
                      points[i]["energy_per_sample_pj"].get<double>());
    const std::vector<bool> front = paretoFront(xy);
    size_t bestEdp = members.front();
    for (size_t k = 0; k < members.size(); ++k) {
      points[members[k]]["pareto"] = static_cast<bool>(front[k]);
      if (points[members[k]]["edp_per_sample"].get<double>() <
          points[bestEdp]["edp_per_sample"].get<double>())
        bestEdp = members[k];
    }
    best.push_back(points[bestEdp]);
  }

  return best;
}

nlohmann::json sweepReport(const fs::path& dir) {
  const fs::path results = dir / "results.jsonl";
  std::ifstream in(results);
  nlohmann::json points = nlohmann::json::array(), failed = nlohmann::json::array();
  std::vector<std::string> overrideKeys;                // in the sweep's order
  std::map<std::string, std::set<std::string>> values;  // parameter -> distinct values
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = fmt::format("{}:{}", results.string(), number);
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object())
      failInput(where, "expected one JSON record per line");
    nlohmann::json row = {
        {"id", need(record, "id", where)},
        {"workload", workloadName(need(record, "workload", where).get<std::string>())},
        {"arch", need(record, "arch", where)},
        {"partitioner", need(record, "partitioner", where)},
        {"batch", need(record, "batch", where)},
        {"objective", need(record, "objective", where)}};
    std::vector<std::string> setting;
    for (const auto& [key, value] : need(record, "overrides", where).items()) {
      if (std::find(overrideKeys.begin(), overrideKeys.end(), key) == overrideKeys.end())
        overrideKeys.push_back(key);
      row[key] = value;
      setting.push_back(key + "=" + value.get<std::string>());
    }
    row["setting"] =
        setting.empty() ? std::string("as configured") : fmt::format("{}", fmt::join(setting, " "));
    if (need(record, "status", where) != "done") {
      row["error"] = record.value("error", std::string());
      failed.push_back(row);
      continue;
    }
    const nlohmann::json& stats = need(record, "stats", where);
    const double batch = row["batch"].get<double>();
    const double latency = statValue(stats, "latency", "total", where);
    const double energy = statValue(stats, "energy", "total", where);
    row["latency_ns"] = latency;
    row["latency_per_sample_ns"] = latency / batch;
    row["throughput"] = statValue(stats, "latency", "throughput", where);
    row["energy_pj"] = energy;
    row["energy_per_sample_pj"] = energy / batch;
    row["edp"] = need(need(stats, "edp", where), "value", where);
    // Per sample, so that batch sizes compare: (E / B) x (T / B).
    row["edp_per_sample"] = energy / batch * latency / batch;
    row["dram_bytes"] = statValue(stats, "dram", "weight_bytes_read", where) +
                        statValue(stats, "dram", "activation_bytes_read", where) +
                        statValue(stats, "dram", "activation_bytes_written", where);
    for (const arch::ActionInfo& a : arch::kActions)
      row["energy_" + std::string(a.energy) + "_pj"] =
          statValue(stats, "energy", std::string(a.energy), where);
    row["partitions"] = record.value("partitions", 0);
    // A sweep with `validate:`: what the quantized reference and the point's compiled program
    // compute on its arch.
    if (const auto v = record.find("validation"); v != record.end()) {
      const nlohmann::json& accuracy = need(*v, "accuracy", where);
      row["float_top1"] =
          accuracy.is_null() ? nlohmann::json() : need(accuracy, "float_top1", where);
      row["quantized_top1"] =
          accuracy.is_null() ? nlohmann::json() : need(accuracy, "quantized_top1", where);
      row["compiled_top1"] =
          accuracy.is_null() ? nlohmann::json() : need(accuracy, "compiled_top1", where);
      row["quantized_sqnr_db"] = need(need(*v, "quantized_vs_float", where), "sqnr_db", where);
      row["compiled_exact"] = need(need(*v, "compiled", where), "exact", where);
    }
    points.push_back(row);
  }
  if (points.empty() && failed.empty()) failInput(results.string(), "holds no points");

  // A parameter is worth a chart when the sweep gives it more than one value.
  std::vector<std::string> parameters = {"workload", "arch"};
  parameters.insert(parameters.end(), overrideKeys.begin(), overrideKeys.end());
  for (const char* p : {"partitioner", "batch", "objective"}) parameters.push_back(p);
  nlohmann::json varying = nlohmann::json::array();
  for (const std::string& p : parameters) {
    std::set<std::string> distinct;
    for (const nlohmann::json* set : {&points, &failed})
      for (const nlohmann::json& row : *set)
        if (row.contains(p)) distinct.insert(row[p].dump());
    if (distinct.size() > 1) varying.push_back(p);
  }

  const nlohmann::json best = markParetoFronts(points);

  nlohmann::json report = {
      {"kind", "sweep"},
      {"directory", dir.string()},
      {"title", fmt::format("sweep {}: {} points, {} failed", dir.filename().string(),
                            points.size() + failed.size(), failed.size())},
      {"parameters", parameters},
      {"varying", varying},
      {"points", points},
      {"failed", failed},
      {"best_edp", best}};
  const nlohmann::json comparison = comparePartitioners(points);
  if (!comparison.is_null()) report["comparison"] = comparison;
  return report;
}

}  // namespace xbar::report
