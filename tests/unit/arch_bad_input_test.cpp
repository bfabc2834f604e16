// Bad arch configs: each error names the file and line (or the -p flag) and what was expected.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "xbar/arch/arch_loader.h"
#include "xbar/support/error.h"

namespace xbar::arch {
namespace {

const std::string kArchDir = XBAR_ARCH_DIR;

std::string errorOf(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    loadArchFromString(yaml, "bad.yaml", kArchDir, overrides);
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    return message;
  }
  ADD_FAILURE() << "accepted:\n" << yaml;
  return {};
}

void expectContains(const std::string& message, std::initializer_list<const char*> parts) {
  for (const char* part : parts)
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

TEST(ArchBadInput, UnknownKeyNamesKeyLineAndAlternatives) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: 128\n  colz: 64\n"),
                 {"bad.yaml:4", "unknown key 'crossbar.colz'", "cols"});
}

TEST(ArchBadInput, UnknownSectionIsRejected) {
  expectContains(errorOf("extends: compass-sram-m\ncache:\n  size: 1\n"),
                 {"bad.yaml:2", "unknown key 'cache'"});
}

TEST(ArchBadInput, ZeroSizeIsRejected) {
  expectContains(errorOf("extends: compass-sram-m\ncore:\n  crossbars: 0\n"),
                 {"bad.yaml:3", "'core.crossbars' is 0", "≥ 1"});
}

TEST(ArchBadInput, NegativeSizeIsRejected) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: -256\n"),
                 {"bad.yaml:3", "'crossbar.rows' is -256"});
}

TEST(ArchBadInput, NegativeLatencyIsRejected) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  read_latency_ns: -1\n"),
                 {"bad.yaml:3", "read_latency_ns", "> 0"});
}

TEST(ArchBadInput, WrongTypeIsRejected) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: many\n"),
                 {"bad.yaml:3", "'crossbar.rows' should be an integer", "'many'"});
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: 12.5\n"),
                 {"should be an integer"});
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  read_latency_ns: fast\n"),
                 {"should be a number (ns)"});
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: [1, 2]\n"),
                 {"got a list or mapping"});
  expectContains(errorOf("extends: compass-sram-m\ncrossbar: 5\n"), {"'crossbar' is a section"});
}

TEST(ArchBadInput, BadChoiceListsTheChoices) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  device: dram\n"),
                 {"bad.yaml:3", "sram, reram, pcm", "'dram'"});
}

TEST(ArchBadInput, MissingKeyIsNamed) {
  std::string full = saveArch(loadArch(resolveArchPath("compass-sram-m", kArchDir)));
  const auto at = full.find("  adc_bits:");
  full.erase(at, full.find('\n', at) - at + 1);
  expectContains(errorOf(full), {"bad.yaml", "missing key 'crossbar.adc_bits'"});
}

TEST(ArchBadInput, MeshMustMatchCoreCount) {
  expectContains(errorOf("extends: isaac-reram\nchip:\n  cores: 100\n"),
                 {"14 x 12 mesh", "chip.cores is 100"});
  expectContains(errorOf("extends: compass-sram-m\nchip:\n  interconnect:\n    mesh_rows: 4\n"),
                 {"only meaningful with chip.interconnect.topology: mesh"});
}

TEST(ArchBadInput, WeightWiderThanCrossbarIsRejected) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  cols: 2\n"), {"needs 4 columns"});
}

TEST(ArchBadInput, MissingFileAndMissingBaseAreNamed) {
  try {
    loadArch("/nonexistent/arch.yaml");
    FAIL();
  } catch (const InputError& e) {
    expectContains(e.what(), {"/nonexistent/arch.yaml", "no such file"});
  }
  expectContains(errorOf("extends: no-such-chip\n"),
                 {"bad.yaml:1", "extends 'no-such-chip'", "does not exist"});
  try {
    resolveArchPath("compass-sram-xl", kArchDir);
    FAIL();
  } catch (const InputError& e) {
    expectContains(e.what(), {"compass-sram-xl", "presets are", "compass-sram-m"});
  }
}

TEST(ArchBadInput, YamlSyntaxErrorHasLineAndColumn) {
  expectContains(errorOf("name: x\ncrossbar:\n  rows: [128\n"), {"bad.yaml:", "YAML syntax error"});
}

TEST(ArchBadInput, BadOverrides) {
  expectContains(errorOf("extends: compass-sram-m\n", {Override{"crossbar.rowz", "128"}}),
                 {"-p crossbar.rowz=128", "unknown key"});
  expectContains(errorOf("extends: compass-sram-m\n", {Override{"crossbar.rows", "0"}}),
                 {"-p crossbar.rows=0", "is 0"});
  try {
    parseOverride("crossbar.rows");
    FAIL();
  } catch (const InputError& e) {
    expectContains(e.what(), {"-p crossbar.rows", "key.path=value"});
  }
}

TEST(ArchBadInput, ExtendsCycleIsDetected) {
  // compass-sram-m.yaml extends base/compass-sram.yaml; a file extending itself must not loop.
  const auto dir =
      std::filesystem::temp_directory_path() / ("xbar_arch_cycle_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "a.yaml") << "extends: b\n";
    std::ofstream(dir / "b.yaml") << "extends: a\n";
  }
  try {
    loadArch(dir / "a.yaml");
    ADD_FAILURE() << "cycle accepted";
  } catch (const InputError& e) {
    expectContains(e.what(), {"extends itself"});
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xbar::arch

namespace xbar::arch {
namespace {

// Counts are bounded (kMaxCores and friends): rows near 2^63 once divided by zero in mapping,
// 2^32 cores or crossbars ended in vector length errors, 2^31 cores hung.
TEST(ArchBadInput, CountsBeyondTheirLimitsAreRefused) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: 9223372036854775807\n"),
                 {"bad.yaml:3", "'crossbar.rows'", "≤ 65536"});
  expectContains(errorOf("extends: compass-sram-m\nchip:\n  cores: 4294967296\n"),
                 {"'chip.cores'", "≤ 65536"});
  expectContains(errorOf("extends: compass-sram-m", {parseOverride("chip.cores=2147483648")}),
                 {"-p chip.cores=2147483648", "≤ 65536"});
  expectContains(errorOf("extends: compass-sram-m\ncore:\n  crossbars: 4294967296\n"),
                 {"'core.crossbars'", "≤ 4096"});
  expectContains(
      errorOf("extends: compass-sram-m\nchip:\n  cores: 65536\ncore:\n  crossbars: 64\n"),
      {"65536 x 64 = 4194304 crossbars; expected at most 1048576"});
}

// .inf passed every "> 0" key and made times NaN; a denormal is no real value.
TEST(ArchBadInput, InfiniteAndDenormalNumbersAreRefused) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  read_latency_ns: .inf\n"),
                 {"bad.yaml:3", "'crossbar.read_latency_ns' is .inf; expected a finite number"});
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  read_latency_ns: 1e-310\n"),
                 {"too small to be a real value"});
  expectContains(errorOf("extends: compass-sram-m\n", {parseOverride("chip.clock_mhz=-.inf")}),
                 {"-p chip.clock_mhz=-.inf", "finite"});
}

// YAML allows a key once per mapping; a second one used to win silently. A quoted value is a
// string, not a number.
TEST(ArchBadInput, DuplicateKeysAndQuotedNumbersAreRefused) {
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: 128\n  rows: 64\n"),
                 {"bad.yaml:4", "key 'rows' appears twice (first on line 3)"});
  expectContains(errorOf("extends: compass-sram-m\ncrossbar:\n  rows: '128'\n"),
                 {"bad.yaml:3", "'crossbar.rows' should be an integer", "quoted string '128'"});
}

}  // namespace
}  // namespace xbar::arch

namespace xbar::arch {
namespace {

// DRAM timings that contradict each other would time requests nonsensically (a row precharged
// before it could be read); each is refused naming the key, from a file or -p.
TEST(ArchBadInput, InconsistentDramTimingsAreRefused) {
  expectContains(errorOf("extends: compass-sram-m\ndram:\n  tras_cycles: 10\n"),
                 {"bad.yaml:3", "dram.tras_cycles is 10 but dram.trcd_cycles is 15",
                  "expected dram.tras_cycles >= dram.trcd_cycles"});
  expectContains(
      errorOf("extends: compass-sram-m\n", {parseOverride("dram.trfc_cycles=5000")}),
      {"(preset LPDDR3-1600)", "dram.trfc_cycles = 5000", "interval longer than the refresh"});
  expectContains(errorOf("extends: compass-sram-m\n", {parseOverride("dram.preset=DDR4-2400"),
                                                       parseOverride("dram.tccd_s_cycles=8")}),
                 {"dram.tccd_l_cycles is 6 but dram.tccd_s_cycles is 8"});
  expectContains(errorOf("extends: compass-sram-m\ndram:\n  burst_length: 7\n"),
                 {"bad.yaml:3", "dram.burst_length is 7; expected an even number"});
}

// Every quantity carries its unit in its name: `dram.trcd` could be cycles or nanoseconds.
TEST(ArchBadInput, ATimingKeyWithoutItsUnitIsRefused) {
  expectContains(errorOf("extends: compass-sram-m\ndram:\n  trcd: 17\n"),
                 {"bad.yaml:3", "unknown key 'dram.trcd'", "expected dram.trcd_cycles"});
  expectContains(errorOf("extends: compass-sram-m\n", {parseOverride("dram.tck=1")}),
                 {"-p dram.tck=1", "expected dram.tck_ns"});
}

}  // namespace
}  // namespace xbar::arch

namespace xbar::arch {
namespace {

TEST(ArchBadInput, NonidealityRatesOutsideZeroToOneAreRefused) {
  expectContains(errorOf("extends: compass-sram-m\nnumerics:\n  stuck_at_zero_rate: 1.5\n"),
                 {"bad.yaml:3", "'numerics.stuck_at_zero_rate' is 1.5", "≤ 1"});
  expectContains(
      errorOf("extends: compass-sram-m\n", {parseOverride("numerics.stuck_at_one_rate=-0.1")}),
      {"numerics.stuck_at_one_rate", "-0.1", "≥ 0"});
  expectContains(errorOf("extends: compass-sram-m\nnumerics:\n  read_noise_sigma: -1\n"),
                 {"bad.yaml:3", "read_noise_sigma", "≥ 0"});
  // Each rate is within [0, 1] but a cell cannot be stuck both ways.
  expectContains(errorOf("extends: compass-sram-m\nnumerics:\n  stuck_at_zero_rate: 0.6\n  "
                         "stuck_at_one_rate: 0.5\n"),
                 {"bad.yaml:4", "0.6 + 0.5", "at most 1"});
}

}  // namespace
}  // namespace xbar::arch
