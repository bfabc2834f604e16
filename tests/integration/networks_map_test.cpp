// Every exported network maps on every preset, and the mapping is self-consistent.
#include <gtest/gtest.h>

#include "xbar/arch/arch_loader.h"
#include "xbar/cost/cost_model.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping.h"
#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

#include "../support/local_memory_refusals.h"

namespace xbar {
namespace {

const char* const kNetworks[] = {"resnet18",      "resnet50",     "vgg16",
                                 "squeezenet1_1", "mobilenet_v2", "alexnet"};

class EveryNetwork : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryNetwork, MapsOnEveryPreset) {
  frontend::LoadOptions options;
  options.shapesOnly = true;
  ir::Graph g = frontend::loadOnnx(
      std::string(XBAR_EXPORT_DIR) + "/" + GetParam() + ".stripped.onnx", options);
  passes::runStandardPasses(g);
  // torchvision exports fold BatchNorm and drop Dropout already; nothing of them may remain.
  for (const ir::Node& n : g.nodes) {
    EXPECT_NE(n.kind, ir::OpKind::Identity) << n.name;
    EXPECT_NE(n.kind, ir::OpKind::Dropout) << n.name;
  }
  for (const std::string& preset : arch::presetNames(XBAR_ARCH_DIR)) {
    const arch::ArchConfig arch = arch::loadArch(arch::resolveArchPath(preset, XBAR_ARCH_DIR));
    const mapping::Mapping m = mapping::mapGraph(g, arch);
    ASSERT_FALSE(m.layers.empty()) << preset;
    int64_t crossbars = 0;
    for (const mapping::PartitionUnit& u : m.units) {
      EXPECT_LE(u.crossbars, arch.core.crossbars) << preset << ": a unit must fit one core";
      crossbars += u.crossbars;
    }
    EXPECT_EQ(crossbars, m.totals.crossbars) << preset << ": units cover every crossbar once";
    for (const mapping::LayerMapping& l : m.layers) {
      EXPECT_GT(l.utilisation, 0.0) << preset << " " << l.layer.name;
      EXPECT_LE(l.utilisation, 1.0) << preset << " " << l.layer.name;
    }
    EXPECT_EQ(m.totals.fits, m.totals.coresNeeded <= arch.chip.cores) << preset;
    // "fits" is what the partitioners can place: the whole network as one partition.
    if (!testing::localMemoryRefusal(GetParam(), preset).empty()) {
      EXPECT_THROW(cost::CostModel(g, m, arch, 1), InputError) << preset;
      continue;
    }
    const cost::CostModel costs(g, m, arch, 1);
    EXPECT_EQ(m.totals.fits, costs.maxEnd(0) == costs.unitCount()) << preset;
  }
}

INSTANTIATE_TEST_SUITE_P(Torchvision, EveryNetwork, ::testing::ValuesIn(kNetworks),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace xbar
