// `make bench`, numerics rows (docs/design.md §9): the float reference on resnet18 at batch 1;
// the quantized reference and the compiled program's bit-exact execution on the fast path (ADCs
// wide enough: one integer GEMM per layer) and with the bit-sliced path forced (the slow
// path); xbar validate of resnet18 on the default chip; and the digits CNN validated at 8 ADC
// resolutions (float, quantized and compiled), as a sweep would. Wall times of one sample after a
// warm-up run (oneDNN builds its kernels on the first), minimum of three.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "xbar/execute/executor.h"
#include "xbar/flow/pipeline.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/reference/graph_runner.h"
#include "xbar/reference/npy.h"
#include "xbar/reference/quantized_matrix_ops.h"
#include "xbar/validate/validation.h"

namespace {

namespace fs = std::filesystem;
using xbar::reference::Tensor;

template <typename F>
double secondsOf(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <typename F>
double bestOfThree(F&& f) {
  f();  // warm-up
  double best = 1e300;
  for (int i = 0; i < 3; ++i) best = std::min(best, secondsOf(f));
  return best;
}

// A model compiled with compass's plan, its weight image, ready to execute one input.
struct Compiled {
  Compiled(const xbar::ir::Graph& graph, const xbar::arch::ArchConfig& arch,
           const xbar::reference::QuantizedMatrixOps& ops)
      : mapping(xbar::mapping::mapGraph(graph, arch)),
        planned(xbar::flow::planModel(graph, mapping, arch, {})),
        program(xbar::flow::generateProgram(planned, arch)),
        image(program, planned.costs->groups(), mapping, ops),
        model{graph, arch, mapping, planned.costs->groups(), ops} {}
  void execute(const Tensor& input, const xbar::execute::ExecutionOptions& options = {}) const {
    xbar::execute::executeProgram(model, program, image, {{input}}, options);
  }
  xbar::mapping::Mapping mapping;
  xbar::flow::PlannedModel planned;
  xbar::codegen::Program program;
  xbar::execute::WeightImage image;
  xbar::execute::ExecutionModel model;
};

void benchResnet18(const fs::path& exports) {
  const fs::path model = exports / "resnet18.onnx";
  const xbar::ir::Graph graph = xbar::frontend::loadPreparedGraph(model);
  const Tensor input = xbar::reference::readNpy(exports / "resnet18.input.npy");
  xbar::reference::GraphRunner runner(graph);
  const double floatS = bestOfThree([&] { runner.run({input}); });
  fmt::print("{:<58} {:>9.3f} s\n", "float reference, resnet18, batch 1", floatS);
  for (const char* archName : {"compass-sram-m", "isaac-reram"}) {
    // 16-bit ADCs: nothing clips, every layer takes the fast path.
    const xbar::arch::ArchConfig arch =
        xbar::flow::loadArch(archName, {"crossbar.adc_bits=16"}, XBAR_ARCH_DIR);
    xbar::reference::QuantizedMatrixOps ops(
        graph, arch, xbar::reference::calibrate(runner, {{input}}, arch.precision.activation_bits));
    const double fastS = bestOfThree([&] { runner.run({input}, &ops); });
    ops.forceBitSliced(true);
    const double slowS = secondsOf([&] { runner.run({input}, &ops); });  // once: it is slow
    ops.forceBitSliced(false);
    fmt::print("{:<58} {:>9.3f} s  ({:.1f} x float)\n",
               fmt::format("quantized reference, fast path, {} (16-bit ADC)", archName), fastS,
               fastS / floatS);
    fmt::print("{:<58} {:>9.3f} s  ({:.1f} x float)\n",
               fmt::format("quantized reference, bit-sliced forced, {}", archName), slowS,
               slowS / floatS);
    // The compiled program (compass's plan) executed, on the same two paths.
    const Compiled compiled(graph, arch, ops);
    const double execS = bestOfThree([&] { compiled.execute(input); });
    const double execSlowS = secondsOf([&] { compiled.execute(input, {.forceBitSliced = true}); });
    fmt::print("{:<58} {:>9.3f} s  ({:.1f} x float, {:.1f} x quantized)\n",
               fmt::format("compiled program bit-exact, fast path, {}", archName), execS,
               execS / floatS, execS / fastS);
    fmt::print("{:<58} {:>9.3f} s  ({:.1f} x float, {:.1f} x quantized)\n",
               fmt::format("compiled program bit-exact, bit-sliced forced, {}", archName),
               execSlowS, execSlowS / floatS, execSlowS / slowS);
  }
  // xbar validate as a user runs it: float, quantized and compiled on the default chip.
  xbar::validate::ValidationRequest request;
  request.model = model;
  request.arch = xbar::flow::loadArch("compass-sram-m", {}, XBAR_ARCH_DIR);
  const double validateS = secondsOf([&] { xbar::validate::validateModel(request); });
  fmt::print("{:<58} {:>9.3f} s\n", "xbar validate resnet18, compass-sram-m (all three ways)",
             validateS);
}

// Functional execution of a binarized and a spiking network, batch 1 (issue 14: under 2 s
// each): the float reference, the quantized reference and the compiled program (compass's plan
// on compass-sram-m) executed bit-exact, one inference each.
void benchBinaryAndSpiking(const fs::path& exports) {
  for (const char* net : {"resnet18_bnn", "snn_784_800_10"}) {
    const xbar::ir::Graph graph =
        xbar::frontend::loadPreparedGraph(exports / (std::string(net) + ".onnx"));
    Tensor input = xbar::reference::readNpy(exports / (std::string(net) + ".input.npy"));
    if (graph.timesteps > 0) input.shape.erase(input.shape.begin());  // (1, T, ...) to (T, ...)
    const xbar::arch::ArchConfig arch = xbar::flow::loadArch("compass-sram-m", {}, XBAR_ARCH_DIR);
    xbar::reference::GraphRunner runner(graph);
    xbar::reference::QuantizedMatrixOps ops(
        graph, arch, xbar::reference::calibrate(runner, {{input}}, arch.precision.activation_bits));
    const double floatS = bestOfThree([&] { runner.run({input}); });
    const double quantS = bestOfThree([&] { runner.run({input}, &ops); });
    const Compiled compiled(graph, arch, ops);
    const double execS = bestOfThree([&] { compiled.execute(input); });
    fmt::print("{:<58} {:>9.3f} s  (float {:.3f} s, quantized {:.3f} s)\n",
               fmt::format("compiled program bit-exact, {}, compass-sram-m", net), execS, floatS,
               quantS);
  }
}

void benchDigitsSweep(const fs::path& exports) {
  const fs::path digits = exports / "digits";
  std::vector<std::string> lines;
  const double total = secondsOf([&] {
    for (int bits = 3; bits <= 10; ++bits) {
      xbar::validate::ValidationRequest request;
      request.model = digits / "digits_cnn.onnx";
      request.arch = xbar::flow::loadArch(
          "compass-sram-m", {"crossbar.adc_bits=" + std::to_string(bits)}, XBAR_ARCH_DIR);
      request.dataset = digits / "dataset";
      const xbar::validate::ValidationReport r = xbar::validate::validateModel(request);
      lines.push_back(fmt::format(
          "  adc_bits {:>2}: compiled top-1 {:.2f} %, quantized {:.2f} % (float {:.2f} %), {}",
          bits, 100 * r.accuracy->compiledTop1(), 100 * r.accuracy->quantizedTop1(),
          100 * r.accuracy->floatTop1(), r.compiled.exact() ? "bit-exact" : "DIFFERENT"));
    }
  });
  fmt::print("{:<58} {:>9.3f} s\n", "digits CNN, 450 images, 8 ADC settings on compass-sram-m",
             total);
  for (const std::string& l : lines) fmt::print("{}\n", l);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: xbar_numerics_bench EXPORT_DIR\n");
    return 1;
  }
  try {
    fmt::print("numerics: one sample's wall time, minimum of three after a warm-up\n\n");
    benchResnet18(argv[1]);
    benchBinaryAndSpiking(argv[1]);
    benchDigitsSweep(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xbar_numerics_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
