// `make bench`, simulator rows: wall time of one simulation (compile excluded), simulated
// samples per second, SystemC delta cycles per second and peak memory, for resnet18 and vgg16
// at batch 1 and 16 on compass-sram-m and isaac-reram, and one step of the SD-scale UNet on
// compass-sram-l and -m. One simulation per process
// (SystemC elaborates once), so every row runs in a forked child. First, the DRAM bank model
// alone: requests per second it times, for each preset.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <systemc>
#include "child_process.h"

#include "xbar/arch/arch_loader.h"
#include "xbar/arch/dram_banks.h"
#include "xbar/arch/dram_presets.h"
#include "xbar/flow/pipeline.h"
#include "xbar/sim/simulator.h"

namespace {

namespace fs = std::filesystem;

struct Row {
  bool ok = false;
  double wallS = 0;
  double simulatedSamplesPerS = 0;
  double wallSamplesPerS = 0;
  double deltasPerS = 0;
  double instructions = 0;
  long peakKib = 0;
  char refusal[400] = {};  // why the compile refused the point (local memory, for one)
};

Row simulateOnce(const fs::path& model, const std::string& archName, int64_t batch) {
  Row row;
  std::optional<xbar::flow::CompiledModel> compiled;
  try {
    compiled = xbar::flow::compileModel(model, xbar::flow::loadArch(archName, {}, XBAR_ARCH_DIR),
                                        {"compass", "throughput", batch, 1});
  } catch (const std::exception& e) {
    std::snprintf(row.refusal, sizeof row.refusal, "%s", e.what());
    return row;
  }
  const xbar::flow::CompiledModel& c = *compiled;
  const xbar::arch::ArchConfig& arch = c.arch;
  const xbar::codegen::Program& program = c.program;
  const auto t0 = std::chrono::steady_clock::now();
  const xbar::sim::SimResult r = xbar::sim::simulate(program, arch);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  row.ok = true;
  row.wallS = wall;
  row.simulatedSamplesPerS = r.stats.child("latency").get("throughput");
  row.wallSamplesPerS = static_cast<double>(batch) / wall;
  row.deltasPerS = static_cast<double>(sc_core::sc_delta_count()) / wall;
  row.instructions = static_cast<double>(program.instructionCount());
  row.peakKib = usage.ru_maxrss;
  return row;
}

// A mix like a program's: 64 B to 16 KiB requests, half continuing a stream, half elsewhere.
void benchDram() {
  fmt::print("DRAM bank model: requests per second of wall time (timing only)\n\n");
  fmt::print("{:<12} {:>10} {:>12} {:>14} {:>14}\n", "preset", "requests", "bursts", "requests/s",
             "bursts/s");
  for (const xbar::arch::DramPreset& p : xbar::arch::dramPresets()) {
    xbar::arch::DramBanks banks(p.config);
    constexpr int kRequests = 200000;
    uint64_t address = 0, state = 12345;
    double t = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRequests; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const int64_t bytes = int64_t{64} << ((state >> 33) % 9);
      if ((state >> 40) & 1) address = (state >> 20) % (uint64_t{1} << 30);
      t = banks.access(t, address, bytes, ((state >> 41) & 3) == 0);
      address += static_cast<uint64_t>(bytes);
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& n = banks.counts();
    const double bursts = static_cast<double>(n.readBursts + n.writeBursts);
    fmt::print("{:<12} {:>10} {:>12.0f} {:>14.3g} {:>14.3g}\n", p.name, kRequests, bursts,
               kRequests / wall, bursts / wall);
  }
  fmt::print("\n");
}

}  // namespace

extern "C" int sc_main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: xbar_sim_bench EXPORT_DIR\n");
    return 1;
  }
  benchDram();
  fmt::print(
      "simulation (compass plan, one process each): wall time of sc_start and what it "
      "simulated\n\n");
  fmt::print("{:<14} {:<15} {:>3} {:>12} {:>9} {:>16} {:>14} {:>14} {:>9}\n", "network", "arch",
             "B", "instructions", "wall s", "sim samples/s", "wall samples/s", "deltas/s",
             "RSS MiB");
  struct Point {
    const char* net;
    const char* arch;
    int64_t batch;
  };
  std::vector<Point> points;
  for (const char* net : {"resnet18", "vgg16", "resnet18_bnn", "snn_784_800_10"})
    for (const char* arch : {"compass-sram-m", "isaac-reram"})
      for (int64_t batch : {1, 16}) points.push_back({net, arch, batch});
  // Issue 15's goal: one denoising step of the SD-scale UNet simulates in under 30 s on
  // compass-sram-l.
  for (const char* arch : {"compass-sram-l", "compass-sram-m"})
    points.push_back({"unet_sd", arch, 1});
  for (const auto& [net, arch, batch] : points) {
    const fs::path model = fs::path(argv[1]) / (std::string(net) + ".stripped.onnx");
    const Row r = xbar::bench::runInChild<Row>([&] { return simulateOnce(model, arch, batch); });
    if (!r.ok) {
      fmt::print("{:<14} {:<15} {:>3} {}\n", net, arch, batch,
                 r.refusal[0] != 0 ? std::string("refused: ") + r.refusal : "failed");
      continue;
    }
    fmt::print("{:<14} {:<15} {:>3} {:>12.0f} {:>9.3f} {:>16.1f} {:>14.1f} {:>14.3g} {:>9.1f}\n",
               net, arch, batch, r.instructions, r.wallS, r.simulatedSamplesPerS, r.wallSamplesPerS,
               r.deltasPerS, static_cast<double>(r.peakKib) / 1024.0);
  }
  return 0;
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
