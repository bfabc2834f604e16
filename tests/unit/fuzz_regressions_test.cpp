// Every input a fuzzer ever crashed on (tests/fuzz/regressions/<target>/) is replayed through
// its target's checks (tests/fuzz/harness.h) in every test run, here and under the sanitizers.
#include <gtest/gtest.h>

#include <filesystem>

#include "../fuzz/harness.h"
#include "xbar/support/atomic_file.h"

namespace xbar::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs(const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(XBAR_FUZZ_REGRESSIONS) / target;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  return files;
}

TEST(FuzzRegressions, EveryCrashInputIsRefusedOrAccepted) {
  size_t replayed = 0;
  for (const fs::path& f : inputs("xasm")) {
    SCOPED_TRACE(f.string());
    EXPECT_NO_THROW(checkXasm(readFile(f)));
    ++replayed;
  }
  for (const fs::path& f : inputs("arch")) {
    SCOPED_TRACE(f.string());
    EXPECT_NO_THROW(checkArch(readFile(f), XBAR_ARCH_DIR));
    ++replayed;
  }
  for (const fs::path& f : inputs("onnx")) {
    SCOPED_TRACE(f.string());
    EXPECT_NO_THROW(checkOnnx(readFile(f), XBAR_ARCH_DIR));
    ++replayed;
  }
  for (const fs::path& f : inputs("sweep")) {
    SCOPED_TRACE(f.string());
    EXPECT_NO_THROW(checkSweep(readFile(f), XBAR_ARCH_DIR, XBAR_TINY_DIR));
    ++replayed;
  }
  EXPECT_GE(replayed, 3u) << "the committed regressions were found";
}

}  // namespace
}  // namespace xbar::fuzz
