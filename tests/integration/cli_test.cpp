// The xbar command as a user runs it: exit codes (0 ok, 1 bad input), one-line errors,
// help and version, and the JSON it writes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct Result {
  int exitCode;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xbar_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result xbar(const std::string& args) {
    const std::string command = std::string(XBAR_BINARY) + " " + args + " >" +
                                (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir_ / "out"), slurp(dir_ / "err")};
  }

  static void expectOneLineError(const Result& r) {
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(r.err.starts_with("xbar: error: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }

  fs::path dir_;
  const std::string resnet18_ = std::string(XBAR_EXPORT_DIR) + "/resnet18.stripped.onnx";
};

TEST_F(Cli, VersionAndHelpExitZero) {
  Result v = xbar("--version");
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_NE(v.out.find("xbar "), std::string::npos);
  Result h = xbar("compile --help");
  EXPECT_EQ(h.exitCode, 0);
  EXPECT_NE(h.out.find("--map-only"), std::string::npos);
}

TEST_F(Cli, MapOnlyPrintsTableAndWritesJson) {
  const fs::path json = dir_ / "nested" / "map.json";
  Result r =
      xbar("compile " + resnet18_ + " --arch compass-sram-m --map-only --json " + json.string());
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("mapping of resnet18.stripped on compass-sram-m"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("fits on chip: no"), std::string::npos) << r.out;
  const auto parsed = nlohmann::json::parse(slurp(json));
  EXPECT_EQ(parsed["layers"].size(), 21u);  // 20 convs (3 downsample) + fc
  EXPECT_NEAR(parsed["totals"]["weight_mib"].get<double>(), 5.569, 0.01);
  for (const auto& entry : fs::directory_iterator(json.parent_path()))
    EXPECT_EQ(entry.path().filename(), "map.json") << "no temporary file left behind";
}

TEST_F(Cli, OverridesChangeTheMapping) {
  Result base = xbar("compile " + resnet18_ + " --map-only --json " + (dir_ / "a.json").string());
  Result wide = xbar("compile " + resnet18_ + " --map-only -p crossbar.cols=512 --json " +
                     (dir_ / "b.json").string());
  ASSERT_EQ(base.exitCode, 0);
  ASSERT_EQ(wide.exitCode, 0) << wide.err;
  const auto a = nlohmann::json::parse(slurp(dir_ / "a.json"));
  const auto b = nlohmann::json::parse(slurp(dir_ / "b.json"));
  EXPECT_LT(b["totals"]["crossbars"].get<int>(), a["totals"]["crossbars"].get<int>());
}

TEST_F(Cli, ArchShowSavesAConfigThatCompilesIdentically) {
  ASSERT_EQ(xbar("arch show compass-sram-s -o " + (dir_ / "s.yaml").string()).exitCode, 0);
  Result preset = xbar("compile " + resnet18_ + " --arch compass-sram-s --map-only");
  Result saved =
      xbar("compile " + resnet18_ + " --arch " + (dir_ / "s.yaml").string() + " --map-only");
  EXPECT_EQ(preset.exitCode, 0);
  EXPECT_EQ(preset.out, saved.out);
}

TEST_F(Cli, BadInputExitsOneWithOneLine) {
  expectOneLineError(xbar("compile " + (dir_ / "absent.onnx").string() + " --map-only"));
  expectOneLineError(
      xbar("compile " + std::string(XBAR_TINY_DIR) + "/unsupported_op.onnx --map-only"));
  expectOneLineError(
      xbar("compile " + std::string(XBAR_TINY_DIR) + "/dynamic_batch.onnx --map-only"));
  expectOneLineError(xbar("compile " + resnet18_ + " --arch no-such-chip --map-only"));
  expectOneLineError(xbar("compile " + resnet18_ + " --map-only -p crossbar.rows=-1"));
  expectOneLineError(xbar("compile " + resnet18_ + " --map-only -p crossbar.rows"));
  expectOneLineError(xbar("compile " + std::string(XBAR_TINY_DIR) +
                          "/dynamic_batch.onnx --map-only --dim N=zero"));
  expectOneLineError(xbar("compile " + resnet18_ + " --no-such-flag"));
  expectOneLineError(xbar(""));  // a subcommand is required
}

TEST_F(Cli, DimFlagBindsSymbolicDimension) {
  Result r =
      xbar("compile " + std::string(XBAR_TINY_DIR) + "/dynamic_batch.onnx --map-only --dim N=2");
  EXPECT_EQ(r.exitCode, 0) << r.err;
}

}  // namespace

namespace {

TEST_F(Cli, CompileWritesProgramAndPlanThatDisasmReads) {
  Result r = xbar("compile " + resnet18_ + " --partitioner compass --batch 4 -o " + dir_.string());
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("partitions; batch time"), std::string::npos) << r.out;
  const auto plan = nlohmann::json::parse(slurp(dir_ / "plan.json"));
  EXPECT_EQ(plan["partitioner"], "compass");
  EXPECT_EQ(plan["batch"], 4);
  EXPECT_GT(plan["partitions"].size(), 1u) << "resnet18 does not fit compass-sram-m";
  double sum = 0;
  for (const auto& p : plan["partitions"]) sum += p["time_ns"]["total"].get<double>();
  EXPECT_NEAR(sum, plan["totals"]["time_ns"].get<double>(), 1e-6 * sum);
  Result d = xbar("disasm " + (dir_ / "program.xasm").string());
  ASSERT_EQ(d.exitCode, 0) << d.err;
  EXPECT_NE(d.out.find("xasm 4"), std::string::npos);
  EXPECT_NE(d.out.find("MVM "), std::string::npos);
}

TEST_F(Cli, CompileBadInputs) {
  expectOneLineError(xbar("compile " + resnet18_ + " --partitioner random -o " + dir_.string()));
  expectOneLineError(xbar("compile " + resnet18_ + " --objective speed"));
  expectOneLineError(xbar("compile " + resnet18_ + " --batch 0"));
  // The program holds every sample's instructions: a billion samples was a hang, not an error.
  Result huge = xbar("compile " + resnet18_ + " --batch 1000000000 -o " + dir_.string());
  expectOneLineError(huge);
  EXPECT_NE(huge.err.find("the batch must be from 1 to 4096"), std::string::npos) << huge.err;
  Result tiny = xbar("compile " + resnet18_ + " -p core.local_memory.size_kib=1");
  expectOneLineError(tiny);
  EXPECT_NE(tiny.err.find("cannot run even one partition unit per core"), std::string::npos)
      << tiny.err;
  EXPECT_NE(tiny.err.find("layer '"), std::string::npos) << tiny.err;
}

TEST_F(Cli, DisasmRejectsMalformedProgramsWithTheLine) {
  std::ofstream(dir_ / "bad.xasm")
      << "xasm 4\nmodel m\narch a 0\ncores 1 crossbars 1\nbatch 1 partitions 1\n"
         "dram weights 0 activations 0\ncore 0\n  FLY to=moon\n";
  Result r = xbar("disasm " + (dir_ / "bad.xasm").string());
  expectOneLineError(r);
  EXPECT_NE(r.err.find("bad.xasm:8: unknown opcode 'FLY'"), std::string::npos) << r.err;
  std::ofstream(dir_ / "old.xasm") << "xasm 3\n";
  EXPECT_NE(xbar("disasm " + (dir_ / "old.xasm").string()).err.find("version 3 is not supported"),
            std::string::npos);
}

}  // namespace

namespace {

TEST_F(Cli, SimulationIsDeterministicAndWritesAValidTrace) {
  ASSERT_EQ(xbar("compile " + resnet18_ + " --batch 2 -o " + dir_.string()).exitCode, 0);
  const std::string program = (dir_ / "program.xasm").string();
  Result first = xbar("simulate " + program + " -o " + (dir_ / "a").string() + " --trace " +
                      (dir_ / "trace.json").string());
  ASSERT_EQ(first.exitCode, 0) << first.err;
  Result second = xbar("simulate " + program + " -o " + (dir_ / "b").string());
  ASSERT_EQ(second.exitCode, 0) << second.err;
  EXPECT_EQ(slurp(dir_ / "a" / "stats.json"), slurp(dir_ / "b" / "stats.json"))
      << "same program, same bytes";
  const auto stats = nlohmann::json::parse(slurp(dir_ / "a" / "stats.json"));
  EXPECT_EQ(stats["latency"]["total"]["unit"], "ns");
  EXPECT_GT(stats["energy"]["total"]["value"].get<double>(), 0);
  // Chrome/Perfetto trace-event JSON: complete events with a time, a duration and a track.
  const auto trace = nlohmann::json::parse(slurp(dir_ / "trace.json"));
  ASSERT_TRUE(trace["traceEvents"].is_array());
  int spans = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    ++spans;
    EXPECT_TRUE(e["ts"].is_number() && e["dur"].is_number() && e["tid"].is_number() &&
                e["name"].is_string());
  }
  EXPECT_GT(spans, 100);
}

TEST_F(Cli, RunCountsAgreeWithTheAnalyticModel) {
  // The estimate and the simulation count the same activity: DRAM bytes and conversions
  // must agree exactly (timing may differ: the simulator sees contention and rendezvous).
  Result r = xbar("run " + resnet18_ + " --batch 4 -o " + dir_.string());
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("analytic"), std::string::npos) << r.out;
  const auto plan = nlohmann::json::parse(slurp(dir_ / "plan.json"));
  const auto stats = nlohmann::json::parse(slurp(dir_ / "stats.json"));
  const double weights = plan["totals"]["dram_bytes"]["weights"].get<double>();
  const double activations = plan["totals"]["dram_bytes"]["activations"].get<double>();
  EXPECT_NEAR(stats["dram"]["weight_bytes_read"]["value"].get<double>(), weights, 1e-3 * weights);
  EXPECT_NEAR(stats["dram"]["activation_bytes_read"]["value"].get<double>() +
                  stats["dram"]["activation_bytes_written"]["value"].get<double>(),
              activations, 1e-3 * activations);
  const double adc = plan["totals"]["energy_pj"]["adc"].get<double>();
  EXPECT_NEAR(stats["energy"]["adc"]["value"].get<double>(), adc, 1e-6 * adc);
}

TEST_F(Cli, SimulateRejectsAProgramForAnotherArch) {
  ASSERT_EQ(xbar("compile " + resnet18_ + " --arch compass-sram-m -o " + dir_.string()).exitCode,
            0);
  Result r = xbar("simulate " + (dir_ / "program.xasm").string() + " --arch compass-sram-s");
  expectOneLineError(r);
  EXPECT_NE(r.err.find("was built for arch 'compass-sram-m'"), std::string::npos) << r.err;
}

// Each model of tests/inputs/bad_onnx/ (make_bad_onnx.py) is one class of bad input that once
// crashed xbar (segfault in the GA, SIGFPE in shape inference), or was accepted silently. Both
// `compile -o` and `run` must refuse it with one line naming the file and the fault.
TEST_F(Cli, BadModelsAreRefusedWithOneLine) {
  const struct {
    const char* model;
    const char* expected;
  } cases[] = {
      {"no_crossbar_layer", "has no crossbar layer"},
      {"matmul_of_activations", "has no crossbar layer"},
      {"matmul_1d_weight", "has no crossbar layer"},
      {"conv_stride_0", "node 'conv' (op 'Conv', opset 13): attribute 'strides' holds 0"},
      {"maxpool_stride_0", "attribute 'strides' holds 0; expected positive values"},
      {"conv_kernel_0", "attribute 'kernel_shape' holds 0"},
      {"conv_unknown_auto_pad", "auto_pad is 'WEIRD'"},
      {"opset_99", "imports opset 99; expected 1 to"},
      {"huge_input", "input 'x' has shape 4611686018427387904x4611686018427387904 with more"},
      {"reshape_count_mismatch", "turns [1x8] (8 elements) into [3x3] (9 elements)"},
      {"gemm_bias_length", "bias C has shape [7], which does not broadcast to the output [1x4]"},
      {"batchnorm_length", "scale has shape [3]; expected (2)"},
      // ONNX's shape inference refuses these two, naming the node.
      {"slice_step_0", "(op_type:Slice, node name: slice): [ShapeInferenceError] 'step' cannot"},
      {"expand_incompatible",
       "(op_type:Expand, node name: expand): [ShapeInferenceError] "
       "Incompatible dimensions"},
      {"resize_cubic",
       "node 'upsample' (Resize): Resize mode 'cubic' is not supported; expected nearest or "
       "linear"},
      {"where_activation_condition", "node 'select' (Where): its condition 'c' is not a constant"},
      {"conv_transpose_same_upper",
       "node 'up' (ConvTranspose): ConvTranspose with auto_pad SAME_UPPER is not "
       "supported; expected explicit pads and output_padding"},
      {"attention_shapes_disagree",
       "(op_type:MatMul, node name: scores): [ShapeInferenceError] Incompatible dimensions for "
       "matrix multiplication"},
  };
  for (const auto& c : cases) {
    const std::string model = std::string(XBAR_BAD_ONNX_DIR) + "/" + c.model + ".onnx";
    const std::string commands[] = {"compile " + model + " -o " + (dir_ / "o").string(),
                                    "run " + model};
    for (const std::string& command : commands) {
      const Result r = xbar(command);
      expectOneLineError(r);
      EXPECT_NE(r.err.find("xbar: error: " + model + ": "), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.model << ": " << r.err;
    }
  }
  // And valid models of shapes that once crashed or exited 2 compile and run.
  for (const char* edge : {"edge_batchnorm_after_relu", "edge_no_graph_inputs"})
    EXPECT_EQ(xbar("run " + std::string(XBAR_BAD_ONNX_DIR) + "/" + edge + ".onnx").exitCode, 0)
        << edge << ": " << slurp(dir_ / "err");
}

}  // namespace

namespace {

// An ADC narrower than a column's sum is reported where a researcher reads the plan: 256 rows
// of 1-bit cells and 1-bit inputs sum to 0..256, 9 bits, against compass-sram-m's 8.
TEST_F(Cli, CompileReportsColumnsTheAdcCanClip) {
  Result r = xbar("compile " + resnet18_);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("used columns can clip at 8 bits (their sums need up to 9 bits)"),
            std::string::npos)
      << r.out;
  Result wide = xbar("compile " + resnet18_ + " -p crossbar.adc_bits=9");
  EXPECT_EQ(wide.out.find("can clip"), std::string::npos) << wide.out;
}

}  // namespace
