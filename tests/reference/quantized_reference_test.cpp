// The quantized reference (reference/quantized_matrix_ops.h) checked two independent ways:
// - its lowering (im2col order, groups, Gemm/MatMul layouts, scatter, bias) against oneDNN and
//   Eigen run on the dequantized operands: with an exact ADC the integer product of codes,
//   rescaled, is the float product of the dequantized tensors up to float rounding;
// - its quantization against the float reference: at 16-bit weights and activations the
//   torchvision networks keep a high SQNR, at 4 bits a much lower one (the bits matter).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "xbar/arch/arch_loader.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/matrix_layer.h"
#include "xbar/reference/npy.h"
#include "xbar/reference/quantized_matrix_ops.h"
#include "xbar/reference/vector_ops.h"

namespace xbar::reference {
namespace {

double sqnrDb(const Tensor& signal, const Tensor& approx) {
  double s = 0, e = 0;
  for (size_t i = 0; i < signal.data.size(); ++i) {
    s += static_cast<double>(signal.data[i]) * signal.data[i];
    const double d = static_cast<double>(signal.data[i]) - approx.data[i];
    e += d * d;
  }
  return 10 * std::log10(s / e);
}

double relativeL2(const Tensor& want, const Tensor& got) {
  double s = 0, e = 0;
  for (size_t i = 0; i < want.data.size(); ++i) {
    s += static_cast<double>(want.data[i]) * want.data[i];
    const double d = static_cast<double>(want.data[i]) - got.data[i];
    e += d * d;
  }
  return std::sqrt(e / s);
}

arch::ArchConfig archWith(const std::string& preset, const std::vector<std::string>& flags) {
  std::vector<arch::Override> overrides;
  for (const auto& f : flags) overrides.push_back(arch::parseOverride(f));
  return arch::loadArch(std::string(XBAR_ARCH_DIR) + "/" + preset + ".yaml", overrides);
}

// The dequantized operands through the float library kernels: quantizes the activation with
// the layer's quantizer and the weights per output channel in their own layout (axis 0 for
// Conv and Gemm with transB, the last axis for Gemm's B and MatMul's right operand).
class DequantizedFloatOps : public MatrixOpKernel {
 public:
  DequantizedFloatOps(const QuantizedMatrixOps& q, int64_t weightBits) : q_(q), bits_(weightBits) {}
  Tensor evaluate(const ir::Graph& g, ir::NodeId id,
                  const std::vector<const Tensor*>& in) override {
    const auto found = q_.layers().find(id);
    if (found == q_.layers().end()) return kernels_.evaluate(g, id, in);
    const auto& layer = found->second;
    const ir::Node& n = g.node(id);
    Tensor x = *in[0], w = *in[1];
    for (float& v : x.data) v = static_cast<float>(layer.input.dequantize(layer.input.quantize(v)));
    const bool outputsFirst = n.kind == ir::OpKind::Conv ||
                              (n.kind == ir::OpKind::Gemm && n.attrs.getInt("transB", 0, "") != 0);
    // A batched MatMul's weights (G, K, N) are G matrices, each with its own channels.
    const int64_t groups =
        outputsFirst ? 1 : w.elementCount() / (w.shape.back() * w.shape[w.shape.size() - 2]);
    const int64_t outs = outputsFirst ? w.shape[0] : w.shape.back();
    const int64_t per = w.elementCount() / (outs * groups);
    const double top = std::pow(2.0, bits_ - 1) - 1;
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t o = 0; o < outs; ++o) {
        auto at = [&](int64_t i) -> float& {
          return w.data[static_cast<size_t>(outputsFirst ? o * per + i : (g * per + i) * outs + o)];
        };
        double peak = 0;
        for (int64_t i = 0; i < per; ++i)
          peak = std::max(peak, std::fabs(static_cast<double>(at(i))));
        const double scale = peak > 0 ? peak / top : 1.0;
        for (int64_t i = 0; i < per; ++i)
          at(i) = static_cast<float>(std::nearbyint(at(i) / scale) * scale);
      }
    std::vector<const Tensor*> operands = in;
    operands[0] = &x;
    operands[1] = &w;
    return kernels_.evaluate(g, id, operands);
  }

 private:
  const QuantizedMatrixOps& q_;
  int64_t bits_;
  FloatKernels kernels_;
};

struct Case {
  std::string stem;
  std::string preset;
};

class QuantizedLowering : public ::testing::TestWithParam<Case> {};

// 8-bit weights and activations with an ADC wide enough to be exact: the lowering's integer
// result must equal the dequantized float computation to float rounding (1e-5 relative).
TEST_P(QuantizedLowering, EqualsTheDequantizedFloatProduct) {
  const std::string stem = std::string(XBAR_EXPORT_DIR) + "/" + GetParam().stem;
  const ir::Graph graph = frontend::loadPreparedGraph(stem + ".onnx");
  const Tensor input = readNpy(stem + ".input.npy");
  const auto arch =
      archWith(GetParam().preset,
               {"precision.weight_bits=8", "precision.activation_bits=8", "crossbar.adc_bits=16"});
  GraphRunner runner(graph);
  QuantizedMatrixOps quantized(graph, arch, calibrate(runner, {{input}}, 8));
  ASSERT_FALSE(quantized.anyClipping());
  ASSERT_FALSE(quantized.layers().empty());
  DequantizedFloatOps dequantized(quantized, 8);
  // Each layer on the quantized run's own operands: comparing whole runs would let one tie
  // rounding the other way in an early layer move every later one.
  const auto q = runner.run({input}, &quantized);
  for (const auto& [node, layer] : quantized.layers()) {
    std::vector<const Tensor*> operands;
    for (ir::ValueId v : graph.node(node).inputs)
      operands.push_back(v == ir::kNoValue ? nullptr : &q[static_cast<size_t>(v)]);
    const Tensor d = dequantized.evaluate(graph, node, operands);
    const auto out = static_cast<size_t>(graph.node(node).outputs[0]);
    EXPECT_LE(relativeL2(d, q[out]), 1e-5) << graph.describe(node);
  }
}

INSTANTIATE_TEST_SUITE_P(Networks, QuantizedLowering,
                         ::testing::Values(Case{"squeezenet1_1", "compass-sram-m"},
                                           Case{"mobilenet_v2", "isaac-reram"},
                                           Case{"ops/conv1d_chain", "compass-sram-s"},
                                           Case{"ops/shapes", "puma-reram"},
                                           Case{"ops/pooling", "compass-sram-m"}),
                         [](const auto& info) {
                           std::string name = info.param.stem + "_" + info.param.preset;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// resnet18: 16-bit weights and activations (ISAAC's precision) stay close to float; 4-bit
// (COMPASS's) lose far more. Numbers printed; the bounds are properties, not goldens.
TEST(QuantizedReference, MoreBitsGiveAHigherSqnr) {
  const std::string stem = std::string(XBAR_EXPORT_DIR) + "/resnet18";
  const ir::Graph graph = frontend::loadPreparedGraph(stem + ".onnx");
  const Tensor input = readNpy(stem + ".input.npy");
  GraphRunner runner(graph);
  const Tensor want = runner.run({input})[static_cast<size_t>(graph.outputs[0])];
  double sqnr[2] = {};
  const int64_t bits[2] = {16, 4};
  for (int k = 0; k < 2; ++k) {
    const std::string b = std::to_string(bits[k]);
    const auto arch = archWith(
        "isaac-reram",
        {"precision.weight_bits=" + b, "precision.activation_bits=" + b, "crossbar.adc_bits=16"});
    QuantizedMatrixOps quantized(graph, arch, calibrate(runner, {{input}}, bits[k]));
    const Tensor got = runner.run({input}, &quantized)[static_cast<size_t>(graph.outputs[0])];
    sqnr[k] = sqnrDb(want, got);
    std::printf("resnet18 at %lld bits: output SQNR %.1f dB\n", static_cast<long long>(bits[k]),
                sqnr[k]);
  }
  EXPECT_GT(sqnr[0], 60.0);  // 16 bits: ~6 dB per bit leaves well over 60 dB after 20 layers
  EXPECT_LT(sqnr[1], sqnr[0] - 30.0);
}

// A binary layer (+-1 weights times alpha, +-1 inputs) is integer-exact: fed the float run's
// signs, its crossbars compute the float layer's output up to float rounding, with one cell
// bit per weight and one input cycle. compass-sram-m's 8-bit ADC cannot hold a 256-row tile's
// 9-bit column sums (it clips, as validate reports); at 9 bits the product is exact.
TEST(QuantizedReference, BinaryLayersComputeTheFloatLayerExactly) {
  for (const std::string model : {"digits_bnn", "digits_bnn_shifted", "digits_bnn_insta"}) {
    const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
    const ir::Graph graph = frontend::loadPreparedGraph(digits + "/" + model + ".onnx");
    const Tensor images = readNpy(digits + "/dataset/inputs.npy");
    const auto arch = archWith("compass-sram-m", {"crossbar.adc_bits=9"});
    GraphRunner runner(graph);
    Tensor first = Tensor::filled({1, 1, 8, 8});
    std::copy(images.data.begin(), images.data.begin() + 64, first.data.begin());
    QuantizedMatrixOps quantized(graph, arch, calibrate(runner, {{first}}, 4));
    FloatKernels kernels;
    const auto f = runner.run({first});
    int binary = 0;
    for (const mapping::MatrixLayer& ml : mapping::matrixLayers(graph)) {
      if (!ml.binaryWeights || !ml.binaryInputs) continue;
      ++binary;
      const auto& layer = quantized.layers().at(ml.node);
      EXPECT_EQ(layer.numerics.weightBits, 1);
      EXPECT_EQ(layer.numerics.inputCycles(), 1);
      EXPECT_FALSE(layer.programmed.front().canClip()) << graph.describe(ml.node);
      std::vector<const Tensor*> operands;
      for (ir::ValueId v : graph.node(ml.node).inputs)
        operands.push_back(v == ir::kNoValue ? nullptr : &f[static_cast<size_t>(v)]);
      for (float v : operands[0]->data) ASSERT_NE(v, 0.0F) << "a sign(0) input";
      const Tensor q = quantized.evaluate(graph, ml.node, operands);
      const Tensor want = kernels.evaluate(graph, ml.node, operands);
      EXPECT_LE(relativeL2(want, q), 1e-6) << model << " " << graph.describe(ml.node);
    }
    EXPECT_EQ(binary, 2) << model;
  }
}

}  // namespace
}  // namespace xbar::reference
