// `xbar sweep` as a user runs it: every point runs, a killed sweep resumes to the same
// results, a failing point is recorded while the others go on, and bad sweep files are
// refused with one line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> lines(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class Sweep : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xbar_sweep_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a sweep file over the tiny models; `extra` adds or replaces lines.
  fs::path sweepFile(const std::string& name, const std::string& body) {
    const fs::path file = dir_ / name;
    std::ofstream(file) << body;
    return file;
  }
  std::string tiny(const std::string& model) const {
    return std::string(XBAR_TINY_DIR) + "/" + model;
  }

  int xbar(const std::string& args, std::string* err = nullptr) {
    const std::string command = std::string(XBAR_BINARY) + " " + args + " >" +
                                (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    if (err != nullptr) *err = slurp(dir_ / "err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
};

TEST_F(Sweep, EveryPointRunsAndAKilledSweepResumesToTheSameResults) {
  // 2 workloads x 2 grid values x 2 partitioners x 2 batches = 16 points.
  const fs::path file = sweepFile(
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

TEST_F(Sweep, AFailingPointIsRecordedAndTheOthersRun) {
  // unsupported_op.onnx exists but cannot be compiled: its point fails in its process.
  const fs::path file = sweepFile("s.yaml", "workloads: [" + tiny("unsupported_op.onnx") + ", " +
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
  };
  for (const auto& c : cases) {
    const fs::path file = sweepFile("bad.yaml", c.body);
    std::string err;
    EXPECT_EQ(xbar("sweep " + file.string() + " -o " + (dir_ / "r").string(), &err), 1) << c.body;
    EXPECT_TRUE(err.starts_with("xbar: error: " + file.string() + ":")) << err;
    EXPECT_NE(err.find(c.expected), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
  // A results directory belongs to one sweep file.
  const fs::path first = sweepFile("a.yaml", head + tail);
  ASSERT_EQ(xbar("sweep " + first.string() + " -o " + (dir_ / "mixed").string()), 0);
  const fs::path second = sweepFile("b.yaml", head + "partitioners: [compass]\nbatches: [1]\n");
  std::string err;
  EXPECT_EQ(xbar("sweep " + second.string() + " -o " + (dir_ / "mixed").string(), &err), 1);
  EXPECT_NE(err.find("holds the results of another sweep file"), std::string::npos) << err;
}

}  // namespace
