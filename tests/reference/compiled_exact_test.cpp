// The compiled program equals the quantized reference bit for bit (docs/design.md §9) on the
// networks the issue names: resnet18 and squeezenet1_1, and the small newer models with
// weights (workloads/CMakeLists.txt: MnasNet, ShuffleNet, small ViT, Swin, ConvNeXt and MaxViT,
// and the small configuration of the SD-structured UNet with its three inputs), and the op zoo's
// transposed convolutions (strided, grouped, dilated, 1-D),
// every partitioner, on compass-sram-s
// (almost nothing fits: many partitions, spills, weight replacement) and compass-sram-m. The
// quantized reference is the unpartitioned computation, so each plan is checked against the
// single-partition one. Any difference is a compiler bug, named by xbar validate.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include <fmt/format.h>

#include "xbar/flow/pipeline.h"
#include "xbar/validate/validation.h"

namespace xbar::validate {
namespace {

class CompiledExact
    : public ::testing::TestWithParam<std::tuple<const char*, const char*, const char*>> {};

TEST_P(CompiledExact, EqualsTheQuantizedReference) {
  const auto& [model, arch, partitioner] = GetParam();
  ValidationRequest request;
  request.model = std::string(XBAR_EXPORT_DIR) + "/" + model + ".onnx";
  request.arch = flow::loadArch(arch, {}, XBAR_ARCH_DIR);
  request.partitioner = partitioner;
  const ValidationReport r = validateModel(request);
  EXPECT_TRUE(r.compiled.exact()) << r.compiled.firstDifference;
  // Every layer's values are compared: the small transformer configurations have tens of
  // thousands, the 224 x 224 networks millions.
  const std::string name = model;
  const int64_t least = name.starts_with("ops/")  ? 10000
                        : name.ends_with("_mini") ? 50000
                                                  : 1000000;
  EXPECT_GT(r.compiled.elementsCompared, least) << "every layer's values are compared";
  for (const LayerAgreement& l : r.layers) EXPECT_TRUE(l.compiledExact) << l.name;
  EXPECT_TRUE(r.passed());
}

INSTANTIATE_TEST_SUITE_P(
    Networks, CompiledExact,
    ::testing::Combine(::testing::Values("resnet18", "squeezenet1_1", "mnasnet0_5",
                                         "shufflenet_v2_x1_0", "vit_mini", "swin_mini",
                                         "convnext_mini", "maxvit_mini", "unet_mini", "ops/deconv"),
                       ::testing::Values("compass-sram-s", "compass-sram-m"),
                       ::testing::Values("greedy", "layerwise", "compass", "optimal")),
    [](const auto& info) {
      std::string name = fmt::format("{}_{}_{}", std::get<0>(info.param), std::get<1>(info.param),
                                     std::get<2>(info.param));
      for (char& c : name)
        if (c == '-' || c == '/') c = '_';
      return name;
    });

// Squeeze-and-excitation maps spilled to DRAM (PartitionSchedule::spills): maxvit_mini's MBConv
// blocks on compass-sram-s with a few KiB of local memory, where each map must wait in DRAM
// while its gate is computed and come back piece by piece (and a residual around the block is
// read from DRAM past it). The plan must spill (else the test shows nothing), and the program
// still computes exactly the quantized values, at batch 2 so that samples interleave.
class SpilledMaps : public ::testing::TestWithParam<std::tuple<int, const char*>> {};

TEST_P(SpilledMaps, EqualTheQuantizedReference) {
  const auto& [kib, partitioner] = GetParam();
  const std::string model = std::string(XBAR_EXPORT_DIR) + "/maxvit_mini.onnx";
  const arch::ArchConfig arch = flow::loadArch(
      "compass-sram-s", {fmt::format("core.local_memory.size_kib={}", kib)}, XBAR_ARCH_DIR);
  flow::PlanRequest plan;
  plan.partitioner = partitioner;
  plan.batch = 2;
  const flow::CompiledModel compiled = flow::compileModel(model, arch, plan);
  int spills = 0;
  for (const partition::Partition& p : compiled.planned.plan.partitions)
    for (uint8_t s : p.cost.spills) spills += s;
  EXPECT_GT(spills, 0) << "the plan spills no map: the test would show nothing";

  ValidationRequest request;
  request.model = model;
  request.arch = arch;
  request.partitioner = partitioner;
  request.batch = 2;
  const ValidationReport r = validateModel(request);
  EXPECT_TRUE(r.compiled.exact()) << r.compiled.firstDifference;
  for (const LayerAgreement& l : r.layers) EXPECT_TRUE(l.compiledExact) << l.name;
}

INSTANTIATE_TEST_SUITE_P(MaxVit, SpilledMaps,
                         ::testing::Combine(::testing::Values(4, 6),
                                            ::testing::Values("greedy", "layerwise", "compass",
                                                              "optimal")),
                         [](const auto& info) {
                           return fmt::format("kib{}_{}", std::get<0>(info.param),
                                              std::get<1>(info.param));
                         });

}  // namespace
}  // namespace xbar::validate
