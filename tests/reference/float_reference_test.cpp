// The float reference against PyTorch: every exported torchvision network, run on the input
// its exporter saved, must give the output PyTorch computed (workloads/export_torchvision.py
// writes both) within 1e-4 relative error, the bound. Float32 summation orders differ
// between oneDNN/Eigen and PyTorch, so the outputs are not bitwise equal; a wrong op (a
// transposed weight, a missed pad, an off-by-one pool) is off by far more.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>

#include "xbar/frontend/onnx_loader.h"
#include "xbar/reference/graph_runner.h"
#include "xbar/reference/npy.h"

namespace xbar::reference {
namespace {

struct Errors {
  double relativeL2 = 0;         // ||a - b|| / ||b||
  double maxAbs = 0;             // max |a - b|
  double maxRelativeToPeak = 0;  // max |a - b| / max |b|
};

Errors compare(const Tensor& got, const Tensor& want) {
  double diff2 = 0, ref2 = 0, peak = 0, maxAbs = 0;
  for (size_t i = 0; i < want.data.size(); ++i) {
    const double d = static_cast<double>(got.data[i]) - want.data[i];
    diff2 += d * d;
    ref2 += static_cast<double>(want.data[i]) * want.data[i];
    peak = std::max(peak, std::abs(static_cast<double>(want.data[i])));
    maxAbs = std::max(maxAbs, std::abs(d));
  }
  return {std::sqrt(diff2 / ref2), maxAbs, maxAbs / peak};
}

class FloatReferenceVsPyTorch : public ::testing::TestWithParam<std::string> {};

// Param: a path under the export directory, without ".onnx".
TEST_P(FloatReferenceVsPyTorch, OutputWithinOneInTenThousand) {
  const std::string stem = std::string(XBAR_EXPORT_DIR) + "/" + GetParam();
  const ir::Graph graph = frontend::loadPreparedGraph(stem + ".onnx");
  const Tensor input = readNpy(stem + ".input.npy");
  const Tensor want = readNpy(stem + ".output.npy");
  GraphRunner runner(graph);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Tensor> values = runner.run({input});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(graph.outputs.size(), 1U);
  const Tensor& got = values[static_cast<size_t>(graph.outputs[0])];
  ASSERT_EQ(got.shape, want.shape);
  const Errors e = compare(got, want);
  std::printf("%s: relative L2 %.3g, max |error| %.3g (%.3g of the peak), %.3f s\n",
              GetParam().c_str(), e.relativeL2, e.maxAbs, e.maxRelativeToPeak, seconds);
  EXPECT_LE(e.relativeL2, 1e-4);
  EXPECT_LE(e.maxRelativeToPeak, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Torchvision, FloatReferenceVsPyTorch,
                         ::testing::Values("resnet18", "resnet50", "vgg16", "squeezenet1_1",
                                           "mobilenet_v2", "alexnet", "mnasnet0_5",
                                           "shufflenet_v2_x1_0", "vit_mini", "swin_mini",
                                           "convnext_mini", "maxvit_mini"));
// workloads/export_op_zoo.py: the ops torchvision's CNNs do not use (activations, softmax,
// unfolded BN, dilated grouped Conv1d, ceil-mode and padded pooling, batched MatMul; and the
// transformer module's LayerNorm, GELU, SiLU, Mish, InstanceNorm, GroupNorm, reductions, slicing,
// split, expand, repeat, where, min, max and element-wise functions, as torch decomposes them; the
// segmentation heads' nearest and bilinear Resize).
// The transformer module's decomposed LayerNorm, GELU, SiLU and Mish reach the reference as
// one fused op each (passes::fuseActivations, fuseLayerNormalization): what it checks against
// PyTorch is the fused kernels, and nothing of the decompositions is left.
TEST(OpZooTransformer, TheDecomposedOpsAreFusedBeforeTheyAreComputed) {
  const ir::Graph g =
      frontend::loadPreparedGraph(std::string(XBAR_EXPORT_DIR) + "/ops/transformer.onnx");
  std::map<ir::OpKind, int> count;
  for (const ir::Node& n : g.nodes)
    if (!n.removed) ++count[n.kind];
  EXPECT_EQ(count[ir::OpKind::LayerNormalization], 1);
  EXPECT_EQ(count[ir::OpKind::Gelu], 1);
  EXPECT_EQ(count[ir::OpKind::Silu], 1);
  EXPECT_EQ(count[ir::OpKind::Mish], 1);
  EXPECT_EQ(count[ir::OpKind::Erf], 1);   // torch.erf(x), not GELU's
  EXPECT_EQ(count[ir::OpKind::Sqrt], 1);  // torch.sqrt(|x| + 1), not LayerNorm's
  EXPECT_EQ(count[ir::OpKind::Softplus], 0);
}

INSTANTIATE_TEST_SUITE_P(OpZoo, FloatReferenceVsPyTorch,
                         ::testing::Values("ops/activations", "ops/conv1d_chain", "ops/pooling",
                                           "ops/shapes", "ops/transformer", "ops/resizing",
                                           "ops/deconv"),
                         [](const auto& info) { return info.param.substr(4); });

}  // namespace
}  // namespace xbar::reference
