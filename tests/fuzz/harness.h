// What each fuzz target checks for one input, shared by the libFuzzer targets (fuzz_*.cpp)
// and the replay of every committed crash input in the unit tests
// (tests/unit/fuzz_regressions_test.cpp). An input is fine when it loads or raises one
// InputError; anything else escaping (another exception, a sanitizer report, a broken
// property) is a bug.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "xbar/arch/arch_loader.h"
#include "xbar/codegen/program_text.h"
#include "xbar/flow/pipeline.h"
#include "xbar/support/error.h"
#include "xbar/sweep/sweep_spec.h"

namespace xbar::fuzz {

inline void writeBytes(const std::filesystem::path& file, std::string_view bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A program parses or is refused; one that parses prints and parses back to itself.
inline void checkXasm(std::string_view text) {
  try {
    const codegen::Program p = codegen::parseProgramText(text, "fuzz.xasm");
    if (!(codegen::parseProgramText(codegen::writeProgramText(p), "printed.xasm") == p))
      throw std::logic_error("a parsed program does not print and parse back to itself");
  } catch (const InputError&) {
  }
}

// Lines up to the first blank line are `key=value` overrides, the rest the YAML. A config
// loads or is refused; one that loads saves and loads back to the same text.
inline void checkArch(std::string_view input, const std::string& archDir) {
  const std::string text(input);
  const size_t split = text.find("\n\n");
  try {
    std::vector<arch::Override> overrides;
    for (size_t at = 0; split != std::string::npos && at < split;) {
      const size_t end = std::min(text.find('\n', at), split);
      if (end > at) overrides.push_back(arch::parseOverride(text.substr(at, end - at)));
      at = end + 1;
    }
    const std::string yaml = split == std::string::npos ? text : text.substr(split + 2);
    const std::string saved =
        arch::saveArch(arch::loadArchFromString(yaml, "fuzz.yaml", archDir, overrides));
    if (arch::saveArch(arch::loadArchFromString(saved, "saved.yaml", archDir)) != saved)
      throw std::logic_error("a loaded arch does not save and load back to itself");
  } catch (const InputError&) {
  }
}

// The model is compiled end to end for the small edge chip: loaded with its weights, mapped,
// planned greedily and turned into a program.
inline void checkOnnx(std::string_view bytes, const std::string& archDir) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("xbar_fuzz_onnx_" + std::to_string(::getpid()) + ".onnx");
  writeBytes(file, bytes);
  try {
    frontend::LoadOptions load;
    load.dimValues = {{"N", 1}, {"batch", 1}};
    flow::compileModel(file, flow::loadArch("edge-small", {}, archDir),
                       {"greedy", "throughput", 2, 1}, load);
  } catch (const InputError&) {
  }
}

// The sweep file is written beside a copy of a tiny model, so workloads can resolve.
inline void checkSweep(std::string_view yaml, const std::string& archDir,
                       const std::string& tinyDir) {
  namespace fs = std::filesystem;
  static const fs::path dir = [&] {
    const fs::path d =
        fs::temp_directory_path() / ("xbar_fuzz_sweep_" + std::to_string(::getpid()));
    fs::create_directories(d);
    fs::copy_file(tinyDir + "/mlp_gemm.onnx", d / "mlp_gemm.onnx",
                  fs::copy_options::overwrite_existing);
    return d;
  }();
  writeBytes(dir / "sweep.yaml", yaml);
  try {
    sweep::loadSweep(dir / "sweep.yaml", {archDir, dir});
  } catch (const InputError&) {
  }
}

}  // namespace xbar::fuzz
