#include "compass_experiment.h"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/cost/cost_model.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/partition/partitioner.h"
#include "xbar/report/paper_reference.h"
#include "xbar/report/partitioner_comparison.h"
#include "xbar/support/error.h"

namespace xbar::cli {
namespace {

namespace fs = std::filesystem;

fs::path modelPath(const fs::path& dir, const std::string& network) {
  for (const char* suffix : {".stripped.onnx", ".onnx"})
    if (fs::exists(dir / (network + suffix))) return dir / (network + suffix);
  failInput((dir / (network + ".stripped.onnx")).string(),
            "no such file; export it with workloads/export_torchvision.py --strip-weights");
}

using report::geomean;

}  // namespace

std::vector<ExperimentPoint> runCompassExperiment(const fs::path& exportDir,
                                                  const fs::path& archDir,
                                                  const ExperimentSpec& spec) {
  std::vector<ExperimentPoint> points;
  for (const std::string& network : spec.networks) {
    frontend::LoadOptions load;
    load.shapesOnly = true;
    const ir::Graph graph = frontend::loadPreparedGraph(modelPath(exportDir, network), load);
    for (const std::string& chip : spec.chips) {
      const arch::ArchConfig arch =
          arch::loadArch(arch::resolveArchPath("compass-sram-" + chip, archDir));
      const mapping::Mapping mapping = mapping::mapGraph(graph, arch);
      for (int64_t batch : spec.batches) {
        const cost::CostModel model(graph, mapping, arch, batch);
        for (const std::string& name : spec.partitioners) {
          const auto partitioner = partition::makePartitioner(name);
          partition::PartitionerOptions options;
          options.objective = cost::Objective::Throughput;
          const partition::Plan plan = partitioner->run(model, options);
          options.objective = cost::Objective::Edp;
          const partition::Plan edpPlan = partitioner->run(model, options);
          ExperimentPoint p{network, chip, batch, name};
          p.throughput = plan.totals.throughputSamplesPerS;
          p.partitions = static_cast<int>(plan.partitions.size());
          p.firstPartitionShare = plan.partitions.front().cost.totalNs / plan.totals.timeNs;
          const arch::EnergyBreakdown& e = plan.totals.energyPj;
          const double weightEnergy =
              plan.totals.dramWeightBytes * 8.0 * arch.dram.energy_pj_per_bit +
              e[arch::Action::CellWritten];
          p.weightOverMvmEnergy =
              weightEnergy / (e[arch::Action::AdcConversion] + e[arch::Action::DacDrive] +
                              e[arch::Action::CrossbarReadCycle]);
          p.edp = edpPlan.totals.edpPjNs;
          points.push_back(p);
        }
      }
    }
  }
  return points;
}

std::string formatCompassExperiment(const std::vector<ExperimentPoint>& points) {
  std::map<std::tuple<std::string, std::string, int64_t>,
           std::map<std::string, const ExperimentPoint*>>
      rows;
  for (const ExperimentPoint& p : points) rows[{p.network, p.chip, p.batch}][p.partitioner] = &p;
  std::string out = fmt::format(
      "{:<14} {:>4} {:>3} | {:>10} {:>10} {:>10} {:>10} | {:>6} {:>6} {:>6} | {:>7} {:>7} {:>6} | "
      "{:>5}\n",
      "network", "chip", "B", "greedy/s", "layerw/s", "compass/s", "optimal/s", "C/G", "C/L", "O/C",
      "EDP G/C", "EDP L/C", "O/C", "W/MVM");
  std::map<std::string, std::vector<double>> overGreedy, overLayerwise, edpGreedy, edpLayerwise;
  for (const auto& [key, byName] : rows) {
    const auto& [network, chip, batch] = key;
    auto get = [&](const char* n) { return byName.count(n) ? byName.at(n) : nullptr; };
    const ExperimentPoint *g = get("greedy"), *l = get("layerwise"), *c = get("compass"),
                          *o = get("optimal");
    if (!g || !l || !c || !o) continue;
    overGreedy[network].push_back(c->throughput / g->throughput);
    overLayerwise[network].push_back(c->throughput / l->throughput);
    edpGreedy[network].push_back(g->edp / c->edp);
    edpLayerwise[network].push_back(l->edp / c->edp);
    out += fmt::format(
        "{:<14} {:>4} {:>3} | {:>10.1f} {:>10.1f} {:>10.1f} {:>10.1f} | {:>6.2f} {:>6.2f} {:>6.3f} "
        "| {:>7.2f} {:>7.2f} "
        "{:>6.3f} | {:>5.2f}\n",
        network, chip, batch, g->throughput, l->throughput, c->throughput, o->throughput,
        c->throughput / g->throughput, c->throughput / l->throughput, o->throughput / c->throughput,
        g->edp / c->edp, l->edp / c->edp, c->edp / o->edp, c->weightOverMvmEnergy);
  }
  out +=
      "\nC/G, C/L: compass throughput over greedy, layerwise; O/C: optimal over compass (>= 1).\n"
      "EDP G/C, L/C: baseline EDP over compass EDP (each partitioner optimising EDP); W/MVM: "
      "compass's weight load +\n"
      "write energy over MVM energy (ADC + DAC + crossbar read).\n\n";
  out += fmt::format("{:<14} | {:>22} | {:>22} | {:>9} {:>9}\n", "geomean",
                     "throughput C/G (paper)", "throughput C/L (paper)", "EDP G/C", "EDP L/C");
  std::vector<double> allGreedy, allLayerwise, allEdpG, allEdpL;
  for (const auto& [network, ratios] : overGreedy) {
    const auto& table = report::compassPaperThroughput();
    const report::CompassPaperRatios paper =
        table.count(network) ? table.at(network) : report::CompassPaperRatios{0, 0};
    out += fmt::format("{:<14} | {:>13.2f} ({:>5.2f}) | {:>13.2f} ({:>5.2f}) | {:>9.2f} {:>9.2f}\n",
                       network, geomean(ratios), paper.throughputOverGreedy,
                       geomean(overLayerwise[network]), paper.throughputOverLayerwise,
                       geomean(edpGreedy[network]), geomean(edpLayerwise[network]));
    allGreedy.insert(allGreedy.end(), ratios.begin(), ratios.end());
    allLayerwise.insert(allLayerwise.end(), overLayerwise[network].begin(),
                        overLayerwise[network].end());
    allEdpG.insert(allEdpG.end(), edpGreedy[network].begin(), edpGreedy[network].end());
    allEdpL.insert(allEdpL.end(), edpLayerwise[network].begin(), edpLayerwise[network].end());
  }
  out += fmt::format(
      "{:<14} | {:>13.2f}        | {:>13.2f} ({:>5.2f}) | {:>4.2f} ({:.2f}) {:>3.2f} ({:.2f})\n",
      "all", geomean(allGreedy), geomean(allLayerwise),
      report::kCompassPaperThroughputOverLayerwise, geomean(allEdpG),
      report::kCompassPaperEdpGreedyOverCompass, geomean(allEdpL),
      report::kCompassPaperEdpLayerwiseOverCompass);
  if (auto it = rows.find({"resnet18", "m", 16});
      it != rows.end() && it->second.count("greedy") && it->second.count("compass"))
    out += fmt::format(
        "\nResNet18-M-16: compass {:.2f}x greedy throughput (paper 2.26x); greedy's first "
        "partition takes "
        "{:.1f}% of its time (paper > 95%)\n",
        it->second.at("compass")->throughput / it->second.at("greedy")->throughput,
        100 * it->second.at("greedy")->firstPartitionShare);
  for (int64_t b : {1, 16}) {
    std::vector<double> r;
    for (const ExperimentPoint& p : points)
      if (p.partitioner == "compass" && p.batch == b) r.push_back(p.weightOverMvmEnergy);
    if (!r.empty())
      out += fmt::format(
          "weight load + write energy over MVM energy, compass, batch {}: {:.2f}x geomean (paper "
          "about "
          "{})\n",
          b, geomean(r), b == 1 ? "4x" : "1.2x");
  }
  return out;
}

}  // namespace xbar::cli
