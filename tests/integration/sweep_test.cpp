// `xbar sweep` as a user runs it: every point runs, a killed sweep resumes to the same
// results, a failing point is recorded while the others go on, and bad sweep files are
// refused with one line.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "command_fixture.h"

namespace {

using namespace xbar::testing;

class Sweep : public CommandTest {};

// The fields of a results.csv row that quotes nothing (no commas in these paths or values).
std::vector<std::string> splitCsv(const std::string& row) {
  std::vector<std::string> fields(1);
  for (char c : row) {
    if (c == ',')
      fields.emplace_back();
    else
      fields.back().push_back(c);
  }
  return fields;
}

// The index of a results.csv column, failing the test when the header lacks it.
size_t columnOf(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name << " not in the header";
  return static_cast<size_t>(it - header.begin());
}

TEST_F(Sweep, EveryPointRunsAndAKilledSweepResumesToTheSameResults) {
  // 2 workloads x 2 grid values x 2 partitioners x 2 batches = 16 points.
  const fs::path file = writeFile(
      "s.yaml", "workloads: [" + tiny("mlp_gemm.onnx") + ", " + tiny("two_conv_cnn.onnx") +
                    "]\narchs: [compass-sram-m]\ngrid:\n  crossbar.rows: [128, 256]\n"
                    "partitioners: [greedy, compass]\nbatches: [1, 2]\n");
  const fs::path out = dir_ / "results";
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string() + " -j 2"), 0);
  const std::string full = slurp(out / "results.csv");
  ASSERT_EQ(lines(out / "results.csv").size(), 17u) << "a header and 16 points";
  ASSERT_EQ(lines(out / "journal.jsonl").size(), 16u);

  // Killed half way: 8 points journaled and a torn ninth line; no results written yet.
  const std::vector<std::string> journal = lines(out / "journal.jsonl");
  {
    std::ofstream cut(out / "journal.jsonl", std::ios::trunc);
    for (size_t i = 0; i < 8; ++i) cut << journal[i] << "\n";
    cut << journal[8].substr(0, journal[8].size() / 2);
  }
  fs::remove(out / "results.csv");
  std::string err;
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string() + " -j 2", &err), 0) << err;
  EXPECT_NE(err.find("8 of 16 points already"), std::string::npos) << err;
  EXPECT_EQ(slurp(out / "results.csv"), full) << "the resumed sweep ends where the full one did";

  // Done: running again runs nothing.
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string(), &err), 0);
  EXPECT_NE(err.find("16 of 16 points already"), std::string::npos) << err;
}

TEST_F(Sweep, AHundredPointSweepKilledHalfWayResumesToTheUninterruptedResults) {
  // 2 workloads x 5 crossbars per core x 5 batches x 2 partitioners = 100 points.
  const fs::path file = writeFile(
      "s.yaml", "workloads: [" + tiny("mlp_gemm.onnx") + ", " + tiny("two_conv_cnn.onnx") +
                    "]\narchs: [compass-sram-m]\ngrid:\n  core.crossbars: [4, 8, 16, 32, 64]\n"
                    "partitioners: [greedy, compass]\nbatches: [1, 2, 4, 8, 16]\n");
  const fs::path whole = dir_ / "whole", killed = dir_ / "killed";
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + whole.string() + " -j 2"), 0);
  ASSERT_EQ(lines(whole / "results.csv").size(), 101u) << "a header and 100 points";

  // The same sweep, killed (the whole process group, as ^C or a scheduler does) once half
  // of its points are journaled.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(XBAR_BINARY, XBAR_BINARY, "sweep", file.c_str(), "-o", killed.c_str(), "-j", "2",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (lines(killed / "journal.jsonl").size() < 50 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the sweep was still running when it was killed";
  const size_t journaled = lines(killed / "journal.jsonl").size();
  ASSERT_GE(journaled, 50u);
  ASSERT_LT(journaled, 100u) << "killed before the end";
  EXPECT_FALSE(fs::exists(killed / "results.csv")) << "results are written at the end";

  std::string err;
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + killed.string() + " -j 2", &err), 0) << err;
  EXPECT_NE(err.find("of 100 points already"), std::string::npos) << err;
  EXPECT_EQ(slurp(killed / "results.csv"), slurp(whole / "results.csv"))
      << "the resumed sweep ends with the uninterrupted sweep's results";
  EXPECT_EQ(slurp(killed / "results.jsonl"), slurp(whole / "results.jsonl"));
}

TEST_F(Sweep, APointPastItsTimeoutIsFailedAndTheOthersRun) {
  // The exact DP for resnet50 on the 1104-core PUMA chip takes minutes; mlp_gemm takes ms.
  const fs::path file =
      writeFile("s.yaml", "workloads: [" + std::string(XBAR_EXPORT_DIR) +
                              "/resnet50.stripped.onnx, " + tiny("mlp_gemm.onnx") +
                              "]\narchs: [puma-reram]\npartitioners: [optimal]\nbatches: [16]\n");
  const fs::path out = dir_ / "results";
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string() + " -j 2 --timeout 2"), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(60))
      << "the slow point was stopped, not waited for";
  const std::vector<std::string> rows = lines(out / "results.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].find(",failed,"), std::string::npos) << rows[1];
  EXPECT_NE(rows[1].find("timed out after 2 s"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(",done,"), std::string::npos) << rows[2];
}

TEST_F(Sweep, ConfigsAreOnePointEachAndCombineWithTheGrid) {
  // Two override sets (not their product) x a grid of two DRAM presets = 4 points; the second
  // set leaves crossbar.rows as the preset has it, so its column is empty.
  const fs::path file = writeFile("s.yaml", "workloads: [" + tiny("mlp_gemm.onnx") +
                                                "]\narchs: [compass-sram-m]\nconfigs:\n"
                                                "  - {core.crossbars: 16, crossbar.rows: 128}\n"
                                                "  - {core.crossbars: 9}\n"
                                                "grid:\n  dram.preset: [LPDDR4-3200, HBM2]\n"
                                                "partitioners: [greedy]\nbatches: [1]\n");
  const fs::path out = dir_ / "results";
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string()), 0);
  const std::vector<std::string> rows = lines(out / "results.csv");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_TRUE(rows[0].starts_with("id,workload,arch,core.crossbars,crossbar.rows,dram.preset,"))
      << rows[0];
  EXPECT_TRUE(rows[1].starts_with("p0000,mlp_gemm,compass-sram-m,16,128,LPDDR4-3200,")) << rows[1];
  EXPECT_TRUE(rows[4].starts_with("p0003,mlp_gemm,compass-sram-m,9,,HBM2,")) << rows[4];
  EXPECT_NE(rows[4].find(",done,"), std::string::npos) << rows[4];
}

// `validate:` runs the references at every point (docs/design.md §9): the trained digits CNN
// at two ADC resolutions. The float reference does not depend on the ADC; the quantized one
// must lose accuracy when 4-bit ADCs round away what 9 bits keep exactly (1-bit cells and
// DACs on 256 rows need 9).
TEST_F(Sweep, ValidateRecordsAccuracyAtEveryPoint) {
  const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
  const fs::path file = writeFile(
      "s.yaml", "workloads: [" + digits + "/digits_cnn.onnx]\narchs: [compass-sram-m]\n" +
                    "grid:\n  crossbar.adc_bits: [4, 9]\npartitioners: [greedy]\nbatches: [1]\n" +
                    "validate: {dataset: " + digits + "/dataset}\n");
  const fs::path out = dir_ / "results";
  std::string err;
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string() + " -j 2", &err), 0) << err;
  const std::vector<std::string> rows = lines(out / "results.csv");
  ASSERT_EQ(rows.size(), 3u);
  const std::vector<std::string> header = splitCsv(rows[0]);
  const auto column = [&](const std::string& name) { return columnOf(header, name); };
  const std::vector<std::string> four = splitCsv(rows[1]), nine = splitCsv(rows[2]);
  EXPECT_EQ(four[column("float_top1")], nine[column("float_top1")]);
  EXPECT_LT(std::stod(four[column("quantized_top1")]), std::stod(nine[column("quantized_top1")]));
  EXPECT_GT(std::stod(nine[column("quantized_top1")]), 0.9);
  EXPECT_EQ(nine[column("validation_passed")], "true");
  EXPECT_EQ(nine[column("float_vs_pytorch_relative_l2")], "") << "no PyTorch output with labels";
  EXPECT_NE(slurp(out / "results.jsonl").find("\"validation\""), std::string::npos);
}

// The committed sweep over a spiking network's time steps (arch-configs/sweeps/
// snn-timesteps.yaml): each model's own dataset through `{workload}`, names resolved in the
// exports. More steps cost more energy (each MVM runs once per step) and, for this network,
// buy accuracy (PyTorch: 85 % at T = 4, 98 % at T = 32); the program stays bit-exact.
TEST_F(Sweep, TimestepsTradeAccuracyForEnergy) {
  const fs::path out = dir_ / "results";
  std::string err;
  ASSERT_EQ(xbar("sweep " + std::string(XBAR_ARCH_DIR) + "/sweeps/snn-timesteps.yaml -o " +
                     out.string() + " -j 2",
                 &err),
            0)
      << err;
  const std::vector<std::string> rows = lines(out / "results.csv");
  ASSERT_EQ(rows.size(), 5u);
  const std::vector<std::string> header = splitCsv(rows[0]);
  const auto column = [&](const std::string& name) { return columnOf(header, name); };
  double lastEnergy = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::vector<std::string> row = splitCsv(rows[r]);
    EXPECT_EQ(row[column("compiled_exact")], "true") << rows[r];
    const double energy = std::stod(row[column("energy_pj")]);
    EXPECT_GT(energy, lastEnergy) << rows[r];
    lastEnergy = energy;
  }
  EXPECT_LT(std::stod(splitCsv(rows[1])[column("float_top1")]),
            std::stod(splitCsv(rows[4])[column("float_top1")]));
}

TEST_F(Sweep, AFailingPointIsRecordedAndTheOthersRun) {
  // unsupported_op.onnx exists but cannot be compiled: its point fails in its process.
  const fs::path file = writeFile("s.yaml", "workloads: [" + tiny("unsupported_op.onnx") + ", " +
                                                tiny("mlp_gemm.onnx") +
                                                "]\narchs: [compass-sram-m]\n"
                                                "partitioners: [greedy]\nbatches: [1]\n");
  const fs::path out = dir_ / "results";
  ASSERT_EQ(xbar("sweep " + file.string() + " -o " + out.string()), 0);
  const std::vector<std::string> rows = lines(out / "results.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].find(",failed,"), std::string::npos) << rows[1];
  EXPECT_NE(rows[1].find("unsupported_op.onnx"), std::string::npos)
      << "the error is kept: " << rows[1];
  EXPECT_NE(rows[2].find(",done,"), std::string::npos) << rows[2];
}

TEST_F(Sweep, BadSweepFilesAreRefusedWithOneLine) {
  const std::string head = "workloads: [" + tiny("mlp_gemm.onnx") + "]\narchs: [compass-sram-m]\n";
  const std::string tail = "partitioners: [greedy]\nbatches: [1]\n";
  const struct {
    std::string body, expected;
  } cases[] = {
      {head + "grid:\n  crossbar.rowz: [128]\n" + tail, "unknown key 'crossbar.rowz'"},
      {head + "grid:\n  crossbar.rows: []\n" + tail, "'crossbar.rows' should be a non-empty list"},
      {"workloads: [nope.onnx]\narchs: [compass-sram-m]\n" + tail,
       "workload 'nope.onnx' does not exist"},
      {head + tail + "speed: 3\n", "unknown key 'speed'"},
      {head + "partitioners: [greedy]\nbatches: [0]\n", "batch '0' should be a positive integer"},
      {head + "configs:\n  - 3\n" + tail, "each entry of 'configs' should map arch keys to values"},
      {head + "configs:\n  - {crossbar.rows: 128}\ngrid:\n  crossbar.rows: [256]\n" + tail,
       "'crossbar.rows' is set by both configs and grid"},
      {head + "configs:\n  - {crossbar.rowz: 128}\n" + tail, "unknown key 'crossbar.rowz'"},
      {head + tail + "objective: [throughput, speed]\n", "speed"},
      {head + tail + "validate: {datset: d}\n", "unknown key 'datset' in validate"},
      {head + tail + "validate: {dataset: " + dir_.string() + "}\n", "has no inputs.npy"},
      {head + tail + "validate: [1]\n", "'validate' should be true, false or {dataset: DIR}"},
      {head + tail + "validate: true\n", "mlp_gemm.input.npy beside the model"},
      {"workloads: [" + std::string(XBAR_EXPORT_DIR) +
           "/squeezenet1_1.stripped.onnx]\narchs: [compass-sram-m]\n" + tail + "validate: true\n",
       "has its weights stripped"},
  };
  for (const auto& c : cases) {
    const fs::path file = writeFile("bad.yaml", c.body);
    std::string err;
    EXPECT_EQ(xbar("sweep " + file.string() + " -o " + (dir_ / "r").string(), &err), 1) << c.body;
    EXPECT_TRUE(err.starts_with("xbar: error: " + file.string() + ":")) << err;
    EXPECT_NE(err.find(c.expected), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
  // A results directory belongs to one sweep file.
  const fs::path first = writeFile("a.yaml", head + tail);
  ASSERT_EQ(xbar("sweep " + first.string() + " -o " + (dir_ / "mixed").string()), 0);
  const fs::path second = writeFile("b.yaml", head + "partitioners: [compass]\nbatches: [1]\n");
  std::string err;
  EXPECT_EQ(xbar("sweep " + second.string() + " -o " + (dir_ / "mixed").string(), &err), 1);
  EXPECT_NE(err.find("holds the results of another sweep file"), std::string::npos) << err;
  // A sweep is counted before it is expanded: a grid of 10^12 points, or six keys sharing
  // one anchored list of ten (a million points), is refused at once instead of filling memory.
  std::string grid = "grid:\n";
  for (int k = 0; k < 12; ++k)
    grid += "  crossbar.rows" + std::to_string(k) + ": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n";
  const std::string bomb =
      head + tail +
      "grid:\n  crossbar.rows: &a [1,2,3,4,5,6,7,8,9,10]\n  crossbar.cols: *a\n"
      "  core.crossbars: *a\n  chip.cores: *a\n  crossbar.adc_latency_ns: *a\n"
      "  crossbar.read_latency_ns: *a\n";
  for (const std::string& body : {head + tail + grid, bomb}) {
    const fs::path big = writeFile("big.yaml", body);
    EXPECT_EQ(xbar("sweep " + big.string() + " -o " + (dir_ / "big").string(), &err), 1);
    EXPECT_NE(err.find("asks for more than 100000 points"), std::string::npos) << err;
  }
  // So is a batch beyond the largest the program can hold.
  const fs::path batch =
      writeFile("batch.yaml", head + "partitioners: [greedy]\nbatches: [1000000000]\n");
  EXPECT_EQ(xbar("sweep " + batch.string() + " -o " + (dir_ / "batch").string(), &err), 1);
  EXPECT_NE(err.find("batch 1000000000 is more than the largest, 4096"), std::string::npos) << err;
  // -o at a file is refused with one line (it once escaped as a filesystem error, exit 2).
  const fs::path file = writeFile("not-a-dir", "x");
  EXPECT_EQ(xbar("sweep " + first.string() + " -o " + file.string(), &err), 1);
  EXPECT_NE(err.find(file.string() + ": is not a directory"), std::string::npos) << err;
}

}  // namespace
