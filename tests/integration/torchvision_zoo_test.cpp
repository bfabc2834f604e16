// The newer torchvision models (workloads/export_torchvision.py; transformers, NAS-found and
// grouped-conv networks, Inception's and DenseNet's branches) compile with every partitioner on
// compass-sram-m and simulate: `xbar run` per point, in its own process. The simulation moves
// the DRAM bytes the estimate counts, and its batch time and energy are within the fidelity
// test's 15 % of the estimate (fidelity_test.cpp says why 15 %).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;

nlohmann::json readJson(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

class TorchvisionZoo : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchvisionZoo, CompilesWithEveryPartitionerAndSimulates) {
  const std::string network = GetParam();
  const fs::path model = fs::path(XBAR_EXPORT_DIR) / (network + ".stripped.onnx");
  const fs::path dir =
      fs::temp_directory_path() / ("xbar_zoo_" + network + "_" + std::to_string(::getpid()));
  for (const char* partitioner : {"greedy", "layerwise", "compass", "optimal"}) {
    const fs::path out = dir / partitioner;
    const std::string command = std::string(XBAR_BINARY) + " run " + model.string() +
                                " --arch compass-sram-m --partitioner " + partitioner + " -o " +
                                out.string() + " > /dev/null 2> " + (dir / "err").string();
    fs::create_directories(dir);
    ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n"
                                               << std::ifstream(dir / "err").rdbuf();
    const nlohmann::json stats = readJson(out / "stats.json");
    const nlohmann::json totals = readJson(out / "plan.json")["totals"];
    const auto& dram = stats["dram"];
    const double simulatedDram = dram["weight_bytes_read"]["value"].get<double>() +
                                 dram["activation_bytes_read"]["value"].get<double>() +
                                 dram["activation_bytes_written"]["value"].get<double>();
    const double estimatedDram = totals["dram_bytes"]["weights"].get<double>() +
                                 totals["dram_bytes"]["activations"].get<double>();
    EXPECT_NEAR(simulatedDram, estimatedDram, 1e-3 * estimatedDram + 64) << partitioner;
    const double time = stats["latency"]["total"]["value"].get<double>() /
                            totals["schedule_time_ns"].get<double>() -
                        1;
    const double energy = stats["energy"]["total"]["value"].get<double>() /
                              totals["schedule_energy_pj"].get<double>() -
                          1;
    std::cout << "  " << network << " " << partitioner << ": time " << std::showpos << std::fixed
              << std::setprecision(1) << 100 * time << " %, energy " << 100 * energy << " %"
              << std::noshowpos << "\n";
    EXPECT_LE(std::abs(time), 0.15) << partitioner;
    EXPECT_LE(std::abs(energy), 0.15) << partitioner;
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionZoo,
                         ::testing::Values("convnext_tiny", "vit_b_16", "mnasnet0_5",
                                           "shufflenet_v2_x1_0", "mobilenet_v3_large",
                                           "efficientnet_b0", "regnet_y_400mf", "googlenet",
                                           "inception_v3", "densenet121", "vgg11_bn"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
