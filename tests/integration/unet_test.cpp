// The UNet with Stable Diffusion v1.5's block structure (workloads/export_unet.py): 860 M
// parameters, about 430 MB of 4-bit weights against compass-sram-m's 2 MiB of crossbars, the
// extreme case of a network larger than the chip. One denoising step (one inference at batch
// 1) compiles with compass and optimal and simulates; the simulation moves the DRAM bytes the
// estimate counts, and every weight is loaded once: the bytes are the graph's matrix weights
// at the arch's weight bits, counted here from the ONNX graph itself, not from the mapping.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../support/run_outputs.h"
#include "xbar/frontend/onnx_loader.h"

namespace {

namespace fs = std::filesystem;

// Elements of the constant operands (rank >= 2) of the graph's Conv, Gemm and MatMul nodes.
double matrixWeights(const xbar::ir::Graph& g) {
  double total = 0;
  for (const xbar::ir::Node& n : g.nodes) {
    if (n.removed || (n.kind != xbar::ir::OpKind::Conv && n.kind != xbar::ir::OpKind::Gemm &&
                      n.kind != xbar::ir::OpKind::MatMul))
      continue;
    for (xbar::ir::ValueId in : n.inputs)
      if (in != xbar::ir::kNoValue && g.value(in).isConstant && g.value(in).shape.size() >= 2)
        total += static_cast<double>(g.value(in).elementCount());
  }
  return total;
}

TEST(UnetSd, OneDenoisingStepCompilesWithCompassAndOptimalAndSimulates) {
  const fs::path model = fs::path(XBAR_EXPORT_DIR) / "unet_sd.stripped.onnx";
  const xbar::ir::Graph graph = xbar::frontend::loadPreparedGraph(model.string());
  const double weights = matrixWeights(graph);
  // The script checks its 859,520,964 parameters; all but the biases and the norms' scales
  // and shifts are crossbar weights.
  EXPECT_GT(weights, 0.999 * 859520964.0);
  EXPECT_LT(weights, 859520964.0);
  const double weightBytes = weights * 4 / 8;  // compass-sram-m: 4-bit weights
  const fs::path dir = fs::temp_directory_path() / ("xbar_unet_" + std::to_string(::getpid()));
  for (const char* partitioner : {"compass", "optimal"}) {
    const fs::path out = dir / partitioner;
    fs::create_directories(dir);
    const std::string command = std::string(XBAR_BINARY) + " run " + model.string() +
                                " --arch compass-sram-m --partitioner " + partitioner + " -o " +
                                out.string() + " > /dev/null 2> " + (dir / "err").string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n"
                                               << std::ifstream(dir / "err").rdbuf();
    const xbar::testing::RunComparison c = xbar::testing::compareRun(out);
    EXPECT_NEAR(c.simulatedDram, c.estimatedDram, 1e-3 * c.estimatedDram) << partitioner;
    const nlohmann::json stats = xbar::testing::readJson(out / "stats.json");
    // Whole bytes per partition unit: at most one byte of rounding per unit.
    EXPECT_NEAR(stats["dram"]["weight_bytes_read"]["value"].get<double>(), weightBytes,
                1e-5 * weightBytes)
        << partitioner;
    // Larger than the chip: at least 430 MB / 2 MiB partitions, each replacing the weights.
    const nlohmann::json plan = xbar::testing::readJson(out / "plan.json");
    EXPECT_GE(static_cast<double>(plan["partitions"].size()), weightBytes / (2 << 20))
        << partitioner;
    std::cout << "  unet_sd " << partitioner << ": " << plan["partitions"].size()
              << " partitions, time " << 100 * c.time << " %, energy " << 100 * c.energy
              << " % (simulated vs estimate)\n";
  }
  fs::remove_all(dir);
}

}  // namespace
