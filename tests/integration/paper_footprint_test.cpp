// The COMPASS paper's weight footprints at 4-bit weights (Conv and Linear weight elements,
// biases aside; the paper writes MB for 2^20 bytes), checked within 1 % on the exported
// torchvision networks. Source: Park et al., COMPASS, DATE 2025, as quoted in issue 2.
#include <gtest/gtest.h>

#include <cmath>

#include "xbar/arch/arch_loader.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping.h"
#include "xbar/passes/passes.h"

namespace xbar {
namespace {

struct Footprint {
  const char* network;
  double totalMiB;
  double linearMiB;  // < 0: the paper gives no split
  double convMiB;
};

void PrintTo(const Footprint& f, std::ostream* os) {
  *os << f.network;
}

class PaperFootprint : public ::testing::TestWithParam<Footprint> {};

TEST_P(PaperFootprint, WithinOnePercentAtFourBitWeights) {
  const Footprint& f = GetParam();
  frontend::LoadOptions options;
  options.shapesOnly = true;
  ir::Graph g = frontend::loadOnnx(
      std::string(XBAR_EXPORT_DIR) + "/" + f.network + ".stripped.onnx", options);
  passes::runStandardPasses(g);
  const arch::ArchConfig arch =
      arch::loadArch(arch::resolveArchPath("compass-sram-m", XBAR_ARCH_DIR));
  ASSERT_EQ(arch.precision.weight_bits, 4);
  const mapping::Mapping m = mapping::mapGraph(g, arch);
  double linear = 0, conv = 0;
  for (const auto& l : m.layers)
    (l.layer.op == ir::OpKind::Conv ? conv : linear) += l.weightBytes / (1 << 20);
  EXPECT_NEAR(m.totals.weightBytes / (1 << 20), f.totalMiB, 0.01 * f.totalMiB);
  if (f.linearMiB >= 0) {
    EXPECT_NEAR(linear, f.linearMiB, 0.01 * f.linearMiB);
    EXPECT_NEAR(conv, f.convMiB, 0.01 * f.convMiB);
  }
}

INSTANTIATE_TEST_SUITE_P(Compass, PaperFootprint,
                         ::testing::Values(Footprint{"vgg16", 65.97, 58.95, 7.02},
                                           Footprint{"resnet18", 5.569, 0.244, 5.324},
                                           Footprint{"squeezenet1_1", 0.587, -1, -1}),
                         [](const auto& info) { return std::string(info.param.network); });

}  // namespace
}  // namespace xbar
