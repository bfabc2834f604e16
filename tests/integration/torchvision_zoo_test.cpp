// The newer torchvision models (workloads/export_torchvision.py; transformers, NAS-found and
// grouped-conv networks, Inception's and DenseNet's branches) compile with every partitioner on
// compass-sram-m and simulate: `xbar run` per point, in its own process, and the simulation
// moves the DRAM bytes the estimate counts. Each point prints how far the simulated batch time
// and energy are from the estimate (README "Simulator fidelity"; not asserted here: ShuffleNet's
// channel shuffles and DenseNet's concatenations are outside the 15 % the fidelity test holds
// the other networks to). The networks with squeeze-and-excitation blocks run too: where a
// block's map does not fit local memory the partition spills it to DRAM (PartitionSchedule::
// spills); support/local_memory_refusals.h lists no refusal on compass-sram-m.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../support/local_memory_refusals.h"
#include "../support/run_outputs.h"

namespace {

namespace fs = std::filesystem;

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
    const int status = std::system(command.c_str());
    if (xbar::testing::refusedAsListed(network, "compass-sram-m", status, dir / "err", command))
      continue;
    ASSERT_EQ(status, 0) << command << "\n" << std::ifstream(dir / "err").rdbuf();
    const xbar::testing::RunComparison c = xbar::testing::compareRun(out);
    EXPECT_NEAR(c.simulatedDram, c.estimatedDram, 1e-3 * c.estimatedDram + 64) << partitioner;
    const double time = c.time, energy = c.energy;
    std::cout << "  " << network << " " << partitioner << ": time " << std::showpos << std::fixed
              << std::setprecision(1) << 100 * time << " %, energy " << 100 * energy << " %"
              << std::noshowpos << "\n";
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionZoo,
                         ::testing::Values("convnext_tiny", "vit_b_16", "swin_t", "maxvit_t",
                                           "mnasnet0_5", "shufflenet_v2_x1_0", "mobilenet_v3_large",
                                           "efficientnet_b0", "regnet_y_400mf", "googlenet",
                                           "inception_v3", "densenet121", "vgg11_bn",
                                           "fcn_resnet50", "deeplabv3_mobilenet_v3_large",
                                           "lraspp_mobilenet_v3_large"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
