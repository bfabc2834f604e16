// `make bench`: load + passes + map time of each exported network on compass-sram-m, with
// shapes only and with weights, and the peak memory of each. Every configuration runs in its
// own forked process so its peak RSS is its own. A benchmark, not a test: it asserts nothing.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "child_process.h"

#include "xbar/arch/arch_loader.h"
#include "xbar/cost/cost_model.h"
#include "xbar/flow/pipeline.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping.h"

namespace {

namespace fs = std::filesystem;

struct Sample {
  double minMs = 0;
  double medianMs = 0;
  long peakKib = 0;
  int runs = 0;
  bool ok = false;
};

// One compile: load, passes, map and, when `partitioner` is set, cost model, partitioning
// (batch 16 unless told) and code generation. Returns false when the mapping came out empty.
bool compileOnce(const fs::path& model, bool shapesOnly, const xbar::arch::ArchConfig& arch,
                 const std::string& partitioner, int64_t batch = 16) {
  xbar::frontend::LoadOptions options;
  options.shapesOnly = shapesOnly;
  const xbar::ir::Graph g = xbar::frontend::loadPreparedGraph(model, options);
  const xbar::mapping::Mapping m = xbar::mapping::mapGraph(g, arch);
  if (m.layers.empty()) return false;
  if (partitioner.empty()) return true;
  const xbar::flow::PlannedModel planned =
      xbar::flow::planModel(g, m, arch, {partitioner, "throughput", batch, 1});
  return xbar::flow::generateProgram(planned, arch).instructionCount() > 0;
}

// Runs a compile repeatedly (at least 3 times, until 2 s have passed, at most 20).
Sample measure(const fs::path& model, bool shapesOnly, const xbar::arch::ArchConfig& arch,
               const std::string& partitioner, int64_t batch = 16) {
  std::vector<double> times;
  const auto start = std::chrono::steady_clock::now();
  while (times.size() < 3 || (times.size() < 20 &&
                              std::chrono::steady_clock::now() - start < std::chrono::seconds(2))) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = compileOnce(model, shapesOnly, arch, partitioner, batch);
    const auto t1 = std::chrono::steady_clock::now();
    if (!ok) return {};
    times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(times.begin(), times.end());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {times.front(), times[times.size() / 2], usage.ru_maxrss, static_cast<int>(times.size()),
          true};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: xbar_bench EXPORT_DIR\n");
    return 1;
  }
  const fs::path dir = argv[1];
  const auto arch =
      xbar::arch::loadArch(xbar::arch::resolveArchPath("compass-sram-m", XBAR_ARCH_DIR));
  // The torchvision exports, the ResNet-18 BNN and the 784-800-10 SNN at T = 300 (issue 14),
  // and the transformers (issue 15; stripped only).
  const char* networks[] = {"resnet18",     "resnet50", "vgg16",        "squeezenet1_1",
                            "mobilenet_v2", "alexnet",  "resnet18_bnn", "snn_784_800_10",
                            "vit_b_16",     "swin_t"};
  struct Mode {
    const char* label;
    const char* suffix;
    bool shapesOnly;
  } modes[] = {{"stripped, shapes-only", ".stripped.onnx", true},
               {"full file, shapes-only", ".onnx", true},
               {"full file, with weights", ".onnx", false}};
  fmt::print(
      "load + passes + map on compass-sram-m ({} cores here), min / median of repeated runs\n\n",
      std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  fmt::print("{:<14} {:<24} {:>9} {:>10} {:>11} {:>12} {:>5}\n", "network", "mode", "file MiB",
             "min ms", "median ms", "peak RSS MiB", "runs");
  for (const char* net : networks) {
    for (const Mode& mode : modes) {
      const fs::path model = dir / (std::string(net) + mode.suffix);
      if (!fs::exists(model)) {
        fmt::print("{:<14} {:<24} (missing: {})\n", net, mode.label, model.string());
        continue;
      }
      const Sample s = xbar::bench::runInChild<Sample>(
          [&] { return measure(model, mode.shapesOnly, arch, ""); });
      if (!s.ok) {
        fmt::print("{:<14} {:<24} failed\n", net, mode.label);
        continue;
      }
      fmt::print("{:<14} {:<24} {:>9.2f} {:>10.2f} {:>11.2f} {:>12.1f} {:>5}\n", net, mode.label,
                 static_cast<double>(fs::file_size(model)) / (1 << 20), s.minMs, s.medianMs,
                 static_cast<double>(s.peakKib) / 1024.0, s.runs);
    }
  }
  fmt::print(
      "\ncost model: every valid partition (start, end) evaluated once, batch 16, "
      "compass-sram-m\n\n");
  fmt::print("{:<14} {:>12} {:>12} {:>14}\n", "network", "partitions", "total ms", "us/partition");
  for (const char* net : networks) {
    const fs::path model = dir / (std::string(net) + ".stripped.onnx");
    if (!fs::exists(model)) continue;
    xbar::frontend::LoadOptions options;
    options.shapesOnly = true;
    const xbar::ir::Graph g = xbar::frontend::loadPreparedGraph(model, options);
    const xbar::mapping::Mapping m = xbar::mapping::mapGraph(g, arch);
    const xbar::cost::CostModel costs(g, m, arch, 16);
    int64_t count = 0;
    double checksum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int32_t start = 0; start < costs.unitCount(); ++start)
      for (int32_t end = start + 1; end <= costs.maxEnd(start); ++end, ++count)
        checksum +=
            costs.evaluateBestReplication(start, end, xbar::cost::Objective::Throughput).totalNs;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("{:<14} {:>12} {:>12.2f} {:>14.2f}{}\n", net, count, ms,
               1000.0 * ms / static_cast<double>(count), checksum > 0 ? "" : " (?)");
  }
  fmt::print(
      "\ncompile end to end (load, map, cost model, partition, codegen) at batch 16 on "
      "compass-sram-m\n\n");
  fmt::print("{:<14} {:<24} {:<10} {:>10} {:>11} {:>12} {:>5}\n", "network", "model file",
             "partitioner", "min ms", "median ms", "peak RSS MiB", "runs");
  for (const char* net : networks) {
    for (const char* partitioner : {"greedy", "layerwise", "compass", "optimal"}) {
      for (const Mode& mode : {modes[0], modes[2]}) {
        const fs::path model = dir / (std::string(net) + mode.suffix);
        if (!fs::exists(model)) continue;
        const Sample s = xbar::bench::runInChild<Sample>(
            [&] { return measure(model, mode.shapesOnly, arch, partitioner); });
        if (!s.ok) {
          fmt::print("{:<14} {:<24} {:<10} failed\n", net, mode.label, partitioner);
          continue;
        }
        fmt::print("{:<14} {:<24} {:<10} {:>10.2f} {:>11.2f} {:>12.1f} {:>5}\n", net, mode.label,
                   partitioner, s.minMs, s.medianMs, static_cast<double>(s.peakKib) / 1024.0,
                   s.runs);
      }
    }
  }
  // Issue 15's goal: one denoising step of the SD-scale UNet (workloads/export_unet.py)
  // compiles in under 10 s on compass-sram-l.
  fmt::print("\nSD-scale UNet (unet_sd, stripped): compile end to end at batch 1\n\n");
  fmt::print("{:<16} {:<10} {:>10} {:>11} {:>12} {:>5}\n", "arch", "partitioner", "min ms",
             "median ms", "peak RSS MiB", "runs");
  const fs::path unet = dir / "unet_sd.stripped.onnx";
  for (const char* preset : {"compass-sram-l", "compass-sram-m"})
    for (const char* partitioner : {"compass", "optimal"}) {
      if (!fs::exists(unet)) break;
      const auto unetArch =
          xbar::arch::loadArch(xbar::arch::resolveArchPath(preset, XBAR_ARCH_DIR));
      const Sample s = xbar::bench::runInChild<Sample>(
          [&] { return measure(unet, true, unetArch, partitioner, 1); });
      if (!s.ok) {
        fmt::print("{:<16} {:<10} failed\n", preset, partitioner);
        continue;
      }
      fmt::print("{:<16} {:<10} {:>10.2f} {:>11.2f} {:>12.1f} {:>5}\n", preset, partitioner,
                 s.minMs, s.medianMs, static_cast<double>(s.peakKib) / 1024.0, s.runs);
    }
  return 0;
}
