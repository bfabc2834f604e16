#include "xbar/report/partitioner_comparison.h"

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "xbar/report/paper_reference.h"

namespace xbar::report {
namespace {

const std::set<std::string> kBaselines = {"greedy", "layerwise"};

using GroupKey = std::tuple<std::string, std::string, std::string, int64_t>;

}  // namespace

double geomean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double logSum = 0;
  for (double v : values) logSum += std::log(v);
  return std::exp(logSum / static_cast<double>(values.size()));
}

nlohmann::json comparePartitioners(const nlohmann::json& points) {
  std::set<std::string> objectives;
  std::vector<std::string> baselines, others;  // in the order the sweep lists them
  for (const nlohmann::json& p : points) {
    objectives.insert(p.at("objective").get<std::string>());
    const std::string name = p.at("partitioner").get<std::string>();
    auto& list = kBaselines.count(name) ? baselines : others;
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
  }
  if (baselines.empty() || others.empty()) return nullptr;
  const bool both = objectives.count("throughput") && objectives.count("edp");

  // group -> partitioner -> (throughput, edp), each under its own objective.
  std::map<GroupKey, std::map<std::string, std::pair<double, double>>> groups;
  for (const nlohmann::json& p : points) {
    const GroupKey key{p.at("workload"), p.at("arch"), p.at("setting"), p.at("batch")};
    auto& slot = groups[key][p.at("partitioner").get<std::string>()];
    const std::string objective = p.at("objective");
    if (!both || objective == "throughput") slot.first = p.at("throughput").get<double>();
    if (!both || objective == "edp") slot.second = p.at("edp").get<double>();
  }

  nlohmann::json columns = nlohmann::json::array();
  for (const std::string& o : others)
    for (const std::string& b : baselines) columns.push_back(fmt::format("throughput {}/{}", o, b));
  for (const std::string& o : others)
    for (const std::string& b : baselines) columns.push_back(fmt::format("EDP {}/{}", b, o));

  nlohmann::json rows = nlohmann::json::array();
  std::map<std::string, std::map<std::string, std::vector<double>>> perWorkload;
  for (const auto& [key, byName] : groups) {
    const auto& [workload, arch, setting, batch] = key;
    nlohmann::json row = {
        {"workload", workload}, {"arch", arch}, {"setting", setting}, {"batch", batch}};
    for (const std::string& o : others)
      for (const std::string& b : baselines) {
        const auto x = byName.find(o), base = byName.find(b);
        if (x == byName.end() || base == byName.end()) continue;
        const std::string t = fmt::format("throughput {}/{}", o, b);
        const std::string e = fmt::format("EDP {}/{}", b, o);
        if (x->second.first > 0 && base->second.first > 0) {
          row[t] = x->second.first / base->second.first;
          perWorkload[workload][t].push_back(row[t]);
        }
        if (x->second.second > 0 && base->second.second > 0) {
          row[e] = base->second.second / x->second.second;
          perWorkload[workload][e].push_back(row[e]);
        }
      }
    rows.push_back(row);
  }
  nlohmann::json geomeans = nlohmann::json::array();
  std::map<std::string, std::vector<double>> all;
  for (const auto& [workload, byColumn] : perWorkload)
    for (const auto& [column, values] : byColumn)
      all[column].insert(all[column].end(), values.begin(), values.end());
  for (const auto& [workload, byColumn] : perWorkload) {
    nlohmann::json row = {{"workload", workload}};
    for (const auto& [column, values] : byColumn) row[column] = geomean(values);
    if (const auto paper = compassPaperThroughput().find(workload);
        paper != compassPaperThroughput().end()) {
      row["paper throughput compass/greedy"] = paper->second.throughputOverGreedy;
      row["paper throughput compass/layerwise"] = paper->second.throughputOverLayerwise;
    }
    geomeans.push_back(row);
  }
  if (perWorkload.size() > 1) {
    nlohmann::json row = {{"workload", "all"}};
    for (const auto& [column, values] : all) row[column] = geomean(values);
    // The paper's figures over all its networks, where it reports them.
    if (perWorkload.size() == compassPaperThroughput().size()) {
      bool paperNetworks = true;
      for (const auto& [network, ratios] : compassPaperThroughput())
        paperNetworks = paperNetworks && perWorkload.count(network);
      if (paperNetworks) {
        row["paper throughput compass/layerwise"] = kCompassPaperThroughputOverLayerwise;
        row["paper EDP greedy/compass"] = kCompassPaperEdpGreedyOverCompass;
        row["paper EDP layerwise/compass"] = kCompassPaperEdpLayerwiseOverCompass;
      }
    }
    geomeans.push_back(row);
  }
  return {{"baselines", baselines},
          {"others", others},
          {"objectives", both ? "Throughput ratios from throughput-optimised plans, EDP ratios "
                                "from EDP-optimised plans"
                              : "Both ratios from the sweep's one objective"},
          {"columns", columns},
          {"rows", rows},
          {"geomeans", geomeans}};
}

}  // namespace xbar::report
