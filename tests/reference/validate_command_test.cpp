// `xbar validate` as a user runs it: the verdict and exit status (0 passed, 3 a tolerance
// failed, 1 bad input), the saved outputs, samples stacked on the first axis, and each bad
// input refused with one line naming the file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "command_fixture.h"
#include "xbar/reference/npy.h"

namespace xbar::testing {
namespace {

using reference::Tensor;

std::string exported(const std::string& file) {
  return std::string(XBAR_EXPORT_DIR) + "/" + file;
}

class ValidateCommand : public CommandTest {};

TEST_F(ValidateCommand, PassesOnAnExportWithItsSavedOutput) {
  const fs::path out = dir_ / "outputs";
  ASSERT_EQ(
      xbar("validate " + exported("squeezenet1_1.onnx") + " --arch isaac-reram --save-outputs " +
           out.string() + " --json " + (dir_ / "v.json").string()),
      0)
      << slurp(dir_ / "err");
  const auto j = nlohmann::json::parse(slurp(dir_ / "v.json"));
  EXPECT_TRUE(j["passed"].get<bool>());
  EXPECT_LE(j["float_vs_pytorch"]["relative_l2"].get<double>(), 1e-4);
  EXPECT_EQ(j["float_vs_pytorch"]["top1_agreement"].get<double>(), 1.0);
  EXPECT_EQ(j["layers"].size(), 26U);  // squeezenet1_1's convolutions
  for (const char* name : {"float.npy", "quantized.npy", "compiled.npy"})
    EXPECT_EQ(reference::readNpy(out / name).shape, (std::vector<int64_t>{1, 1000})) << name;
  // The compiled program (compass's plan by default) executed: every element compared.
  EXPECT_TRUE(j["compiled"]["exact"].get<bool>()) << j["compiled"]["first_difference"];
  EXPECT_EQ(j["compiled"]["partitioner"], "compass");
  EXPECT_GT(j["compiled"]["elements_compared"].get<int64_t>(), 1000);
  EXPECT_EQ(reference::readNpy(out / "compiled.npy").data,
            reference::readNpy(out / "quantized.npy").data);
}

// The SD-structured UNet's small configuration takes a latent, timestep features and a text
// context: each read from MODEL.NAME.npy beside the model, or from --named-input NAME=FILE.
TEST_F(ValidateCommand, AModelOfSeveralInputsReadsEachOne) {
  const std::string unet = exported("unet_mini.onnx");
  ASSERT_EQ(xbar("validate " + unet + " --json " + (dir_ / "v.json").string()), 0)
      << slurp(dir_ / "err");
  auto j = nlohmann::json::parse(slurp(dir_ / "v.json"));
  EXPECT_TRUE(j["compiled"]["exact"].get<bool>()) << j["compiled"]["first_difference"];
  EXPECT_LE(j["float_vs_pytorch"]["relative_l2"].get<double>(), 1e-4);
  // Given by name, the inputs are the user's: there is no PyTorch output to compare with,
  // unless --expected names one.
  std::string named;
  for (const char* input : {"latent", "time_features", "context"})
    named += std::string(" --named-input ") + input + "=" +
             exported("unet_mini." + std::string(input) + ".npy");
  ASSERT_EQ(xbar("validate " + unet + named + " --json " + (dir_ / "n.json").string()), 0)
      << slurp(dir_ / "err");
  j = nlohmann::json::parse(slurp(dir_ / "n.json"));
  EXPECT_TRUE(j["compiled"]["exact"].get<bool>());
  EXPECT_TRUE(!j.contains("float_vs_pytorch") || j["float_vs_pytorch"].is_null());
}

TEST_F(ValidateCommand, SamplesStackOnTheFirstAxis) {
  // Three samples: the exporter's input, then it scaled by -1 and 0.5.
  const Tensor one = reference::readNpy(exported("squeezenet1_1.input.npy"));
  Tensor three = one;
  three.shape[0] = 3;
  for (float scale : {-1.0F, 0.5F})
    for (float v : one.data) three.data.push_back(v * scale);
  reference::writeNpy(dir_ / "x.npy", three);
  const fs::path out = dir_ / "outputs";
  // The program compiled for 2 samples: the three inputs run as a batch of 2, then one of 1.
  ASSERT_EQ(xbar("validate " + exported("squeezenet1_1.onnx") + " --input " +
                 (dir_ / "x.npy").string() + " --save-outputs " + out.string() +
                 " --arch compass-sram-s --partitioner layerwise --batch 2"),
            0)
      << slurp(dir_ / "err");
  const Tensor f = reference::readNpy(out / "float.npy");
  EXPECT_EQ(f.shape, (std::vector<int64_t>{3, 1000}));
  const Tensor compiled = reference::readNpy(out / "compiled.npy");
  EXPECT_EQ(compiled.shape, (std::vector<int64_t>{3, 1000}));
  EXPECT_EQ(compiled.data, reference::readNpy(out / "quantized.npy").data);
  EXPECT_NE(slurp(dir_ / "out").find("compiled vs quantized: bit-exact"), std::string::npos)
      << slurp(dir_ / "out");
  // The first sample's row is PyTorch's output for it.
  const Tensor want = reference::readNpy(exported("squeezenet1_1.output.npy"));
  double err = 0, ref = 0;
  for (size_t i = 0; i < 1000; ++i) {
    err += (f.data[i] - want.data[i]) * (f.data[i] - want.data[i]);
    ref += want.data[i] * want.data[i];
  }
  EXPECT_LE(std::sqrt(err / ref), 1e-4);
  EXPECT_NE(slurp(dir_ / "out").find("3 samples"), std::string::npos);
  EXPECT_NE(slurp(dir_ / "out").find("no PyTorch output given"), std::string::npos);
}

TEST_F(ValidateCommand, AWrongExpectedOutputFailsWithStatusThree) {
  std::string err;
  EXPECT_EQ(xbar("validate " + exported("squeezenet1_1.onnx") + " --expected " +
                     exported("alexnet.output.npy"),
                 &err),
            3);
  EXPECT_NE(err.find("validation failed: float reference vs PyTorch: relative error"),
            std::string::npos)
      << err;
}

TEST_F(ValidateCommand, BadInputsAreRefusedNamingTheFile) {
  const std::string model = exported("squeezenet1_1.onnx");
  const std::string snn = std::string(XBAR_TINY_DIR) + "/tiny_snn.onnx";
  const std::string unet = exported("unet_mini.onnx");
  reference::writeNpy(dir_ / "short.npy", Tensor({1, 3, 224}, std::vector<float>(672, 0.0F)));
  reference::writeNpy(dir_ / "t3.npy", Tensor({2, 3, 2, 6, 6}, std::vector<float>(432, 1.0F)));
  reference::writeNpy(dir_ / "half.npy", Tensor({1, 4, 2, 6, 6}, std::vector<float>(288, 0.5F)));
  Tensor nan = reference::readNpy(exported("squeezenet1_1.input.npy"));
  nan.data[5] = std::nanf("");
  reference::writeNpy(dir_ / "nan.npy", nan);
  struct Case {
    std::string args, expected;
  };
  const Case cases[] = {
      {"validate " + exported("squeezenet1_1.stripped.onnx"), "weights were stripped"},
      {"validate " + model + " --input " + (dir_ / "short.npy").string(),
       "short.npy: shape [1x3x224] does not fit the model's input"},
      {"validate " + model + " --calibration " + (dir_ / "short.npy").string(),
       "short.npy: shape [1x3x224] does not fit the model's input"},
      {"validate " + model + " --input " + (dir_ / "nan.npy").string(),
       "nan.npy: element 5 is nan; inputs must be finite"},
      {"validate " + model + " --input " + (dir_ / "absent.npy").string(), "cannot open"},
      {"validate " + model + " --batch 0", "--batch: the program's batch should be at least 1"},
      {"validate " + model + " --partitioner bogus", "unknown partitioner"},
      // A spiking network's inputs: (N, T, ...) spikes at the model's T (4 for tiny_snn).
      {"validate " + snn + " --input " + (dir_ / "t3.npy").string(),
       "t3.npy: holds 3 time steps per sample (shape [2x3x2x6x6]), but the model runs 4"},
      {"validate " + snn + " --input " + (dir_ / "half.npy").string(),
       "half.npy: element 0 is 0.5; a spiking network's inputs are spikes, 0 or 1"},
      // A model of several inputs (the UNet's latent, time features and text context).
      {"validate " + unet + " --input " + (dir_ / "short.npy").string(),
       "has 3 inputs; give each one's samples with --named-input NAME=FILE"},
      {"validate " + unet + " --named-input latent", "'latent': expected NAME=FILE"},
      {"validate " + unet + " --named-input prompt=" + exported("unet_mini.context.npy"),
       "--named-input names 'prompt', which is not an input of"},
      {"validate " + unet + " --named-input context=" + (dir_ / "short.npy").string(),
       "short.npy: shape [1x3x224] does not fit the model's input"},
      {"validate " + model + " --named-input latent=" + (dir_ / "short.npy").string(),
       "has one input; give its samples with --input, not --named-input"},
  };
  for (const Case& c : cases) {
    std::string err;
    EXPECT_EQ(xbar(c.args, &err), 1) << c.args;
    EXPECT_NE(err.find(c.expected), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

}  // namespace
}  // namespace xbar::testing

namespace xbar::testing {
namespace {

// workloads/train_digits.py's CNN through --dataset: accuracy over the 450 test images of a
// trained model, float and quantized, from the labels (not from PyTorch's logits).
TEST_F(ValidateCommand, ReportsTopOneAccuracyOnTheDigitsTestSplit) {
  const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
  ASSERT_EQ(xbar("validate " + digits + "/digits_cnn.onnx --arch compass-sram-m --dataset " +
                 digits + "/dataset --json " + (dir_ / "v.json").string()),
            0)
      << slurp(dir_ / "err");
  const auto j = nlohmann::json::parse(slurp(dir_ / "v.json"));
  EXPECT_EQ(j["accuracy"]["labels"].get<int64_t>(), 450);
  EXPECT_EQ(j["samples"].get<int64_t>(), 450);
  EXPECT_EQ(j["calibration"]["samples"].get<int64_t>(), 128);  // dataset/calibration.npy
  // A trained model: well above chance (10 %); the exporter prints PyTorch's figure.
  EXPECT_GT(j["accuracy"]["float_top1"].get<double>(), 0.9);
  EXPECT_GT(j["accuracy"]["quantized_top1"].get<double>(), 0.8);
  // Through the compiled program: the same images, the same predictions, bit for bit.
  EXPECT_TRUE(j["compiled"]["exact"].get<bool>()) << j["compiled"]["first_difference"];
  EXPECT_EQ(j["accuracy"]["compiled_top1"], j["accuracy"]["quantized_top1"]);
}

// The digits BNNs (workloads/export_bnn.py) on both chips the issue names: the compiled program
// executes bit-exact, and float, quantized and compiled accuracy are real (labels, 450 test
// images). Each binary activation's sign agreement with the float run is reported: where no
// ADC can clip (isaac-reram's 16-bit layers, but for INSTA-BNN's threshold layers) all but a
// few signs agree; compass-sram-m's 4-bit first layer and 8-bit ADCs flip up to 12 %.
TEST_F(ValidateCommand, BinaryNetworksValidateExactlyWithRealAccuracy) {
  const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
  for (const std::string model : {"digits_bnn", "digits_bnn_shifted", "digits_bnn_insta"})
    for (const std::string arch : {"compass-sram-m", "isaac-reram"}) {
      const fs::path json = dir_ / (model + arch + ".json");
      ASSERT_EQ(xbar("validate " + digits + "/" + model + ".onnx --arch " + arch + " --dataset " +
                     digits + "/dataset --json " + json.string()),
                0)
          << model << " " << arch << ": " << slurp(dir_ / "err");
      const auto j = nlohmann::json::parse(slurp(json));
      EXPECT_TRUE(j["compiled"]["exact"].get<bool>()) << j["compiled"]["first_difference"];
      EXPECT_GT(j["accuracy"]["float_top1"].get<double>(), 0.95) << model;
      EXPECT_GT(j["accuracy"]["quantized_top1"].get<double>(), 0.9) << model << " " << arch;
      EXPECT_EQ(j["accuracy"]["compiled_top1"], j["accuracy"]["quantized_top1"]);
      ASSERT_EQ(j["binary_activations"].size(), 3u) << model;
      for (const auto& b : j["binary_activations"]) {
        EXPECT_GT(b["ones_rate"].get<double>(), 0.2) << b;  // neither stuck at -1 nor at +1
        EXPECT_LT(b["ones_rate"].get<double>(), 0.8) << b;
        EXPECT_GT(b["agreement_with_float"].get<double>(),
                  j["adc_can_clip"].get<bool>() ? 0.8 : 0.99)
            << b;
      }
    }
}

// The digits SNNs (workloads/export_snn.py: rate-coded spikes, T = 16, weights on the 4-bit
// grid with power-of-two scales, so every synaptic sum is exact in float32 and on a 4-bit
// crossbar whose ADC holds it; compass-sram-m's does, for these layers of at most 144 rows):
// PyTorch's output spike counts equal the float reference's exactly, the quantized and the
// compiled program's spike trains equal the float ones element for element, and each LIF's
// spikes per time step equal the ones PyTorch counted. On isaac-reram (16-bit weights, ADCs
// that clip) the compiled program still equals the quantized reference bit for bit.
TEST_F(ValidateCommand, SpikingNetworksMatchPyTorchSpikeForSpike) {
  const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
  for (const std::string model : {"digits_snn_fc", "digits_snn_conv"})
    for (const std::string arch : {"compass-sram-m", "isaac-reram"}) {
      const fs::path json = dir_ / (model + arch + ".json");
      const std::string stem = digits + "/" + model;
      ASSERT_EQ(xbar("validate " + stem + ".onnx --arch " + arch + " --dataset " + digits +
                     "/snn_dataset --expected " + stem + ".output.npy --json " + json.string()),
                0)
          << model << " " << arch << ": " << slurp(dir_ / "err");
      const auto j = nlohmann::json::parse(slurp(json));
      EXPECT_EQ(j["timesteps"].get<int64_t>(), 16);
      EXPECT_EQ(j["float_vs_pytorch"]["relative_l2"].get<double>(), 0.0) << model;
      EXPECT_TRUE(j["compiled"]["exact"].get<bool>()) << j["compiled"]["first_difference"];
      EXPECT_EQ(j["accuracy"]["compiled_top1"], j["accuracy"]["quantized_top1"]);
      EXPECT_GT(j["accuracy"]["float_top1"].get<double>(), 0.8) << model;
      if (arch != "compass-sram-m") continue;
      EXPECT_EQ(j["accuracy"]["quantized_top1"], j["accuracy"]["float_top1"]) << model;
      const auto pytorch = nlohmann::json::parse(slurp(fs::path(stem + ".spikes.json")));
      const auto& perLayer = pytorch["spikes_per_layer_and_step"];
      ASSERT_EQ(j["binary_activations"].size(), perLayer.size()) << model;
      for (size_t l = 0; l < perLayer.size(); ++l) {
        const auto& lif = j["binary_activations"][l];
        EXPECT_EQ(lif["kind"], "spikes");
        EXPECT_EQ(lif["agreement_with_float"].get<double>(), 1.0) << lif["name"];
        std::vector<int64_t> want;
        for (const auto& v : perLayer[l]) want.push_back(static_cast<int64_t>(v.get<double>()));
        EXPECT_EQ(lif["spikes_per_step"].get<std::vector<int64_t>>(), want) << lif["name"];
      }
    }
}

// Stuck cells (numerics.* keys) through xbar validate on the digits MLP: at rate 0 the run is
// the ideal one to the last bit, with a seed given or not; at 1e-2 of cells stuck at each end
// the quantized accuracy drops, while the float reference does not move.
TEST_F(ValidateCommand, StuckCellsLowerDigitsAccuracyAndRateZeroIsIdeal) {
  const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
  const auto validate = [&](const std::string& flags, const char* name) {
    const fs::path json = dir_ / name;
    EXPECT_EQ(xbar("validate " + digits + "/digits_mlp.onnx --arch compass-sram-m --dataset " +
                   digits + "/dataset --json " + json.string() + flags),
              0)
        << slurp(dir_ / "err");
    nlohmann::json j = nlohmann::json::parse(slurp(json));
    j.erase("seconds");
    return j;
  };
  nlohmann::json ideal = validate("", "ideal.json");
  nlohmann::json zero = validate(
      " -p numerics.stuck_at_zero_rate=0 -p numerics.programming_noise_sigma=0 -p numerics.seed=9",
      "zero.json");
  EXPECT_EQ(zero["nonidealities"]["seed"].get<int64_t>(), 9);
  zero.erase("nonidealities");
  ideal.erase("nonidealities");
  EXPECT_EQ(zero, ideal);
  const nlohmann::json stuck =
      validate(" -p numerics.stuck_at_zero_rate=0.01 -p numerics.stuck_at_one_rate=0.01", "s.json");
  EXPECT_EQ(stuck["accuracy"]["float_top1"], ideal["accuracy"]["float_top1"]);
  // Faults are drawn by the stored weight, so the compiled program sees the reference's.
  EXPECT_TRUE(stuck["compiled"]["exact"].get<bool>()) << stuck["compiled"]["first_difference"];
  EXPECT_LT(stuck["accuracy"]["quantized_top1"].get<double>(),
            ideal["accuracy"]["quantized_top1"].get<double>());
}

}  // namespace
}  // namespace xbar::testing
