// `xbar validate`: a model's values computed three ways on real inputs and compared
// (docs/design.md §9): the float reference (oneDNN, Eigen) against the output PyTorch saved,
// the quantized reference (the crossbars' arithmetic, unpartitioned) against the float one,
// layer by layer. Statistics accumulate over every sample.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xbar/arch/arch_config.h"
#include "xbar/reference/tensor.h"

namespace xbar::validate {

struct ValidationRequest {
  std::filesystem::path model;
  arch::ArchConfig arch;
  // Samples along the first axis: a tensor of the model input's shape is one run; (N·b, ...)
  // with the model's batch b is N runs. Default: MODEL.input.npy beside the model.
  std::optional<std::filesystem::path> input;
  // A model of several inputs: NAME=FILE per input; default MODEL.NAME.npy beside the model.
  std::vector<std::pair<std::string, std::filesystem::path>> namedInputs;
  // Calibration samples, same rule; default: the inputs themselves.
  std::optional<std::filesystem::path> calibration;
  // PyTorch's output for the inputs; default MODEL.output.npy when the input is the default.
  std::optional<std::filesystem::path> expected;
  std::optional<std::filesystem::path> saveOutputs;  // DIR for float.npy, quantized.npy
  // A labelled data set: DIR/inputs.npy and DIR/labels.npy (class per sample), and
  // DIR/calibration.npy when present. Top-1 accuracy is reported for every way of computing.
  std::optional<std::filesystem::path> dataset;
  // The compiled program the executor runs: this partitioner's plan for this arch, compiled
  // for `batch` samples; the inputs run through it `batch` at a time.
  std::string partitioner = "compass";
  int64_t batch = 1;
};

// Top-1 accuracy against labels: argmax over the output's last axis, one row per label.
struct Accuracy {
  int64_t labels = 0, floatCorrect = 0, quantizedCorrect = 0, compiledCorrect = 0;
  double floatTop1() const { return labels ? static_cast<double>(floatCorrect) / labels : 0; }
  double quantizedTop1() const {
    return labels ? static_cast<double>(quantizedCorrect) / labels : 0;
  }
  double compiledTop1() const { return labels ? static_cast<double>(compiledCorrect) / labels : 0; }
};

// Agreement of an approximation with a signal, accumulated over samples.
struct Agreement {
  double signalEnergy = 0, errorEnergy = 0, dot = 0, approxEnergy = 0, maxAbsError = 0;
  int64_t rows = 0, top1Matches = 0;  // argmax over the last axis, row by row
  void add(const reference::Tensor& signal, const reference::Tensor& approx, bool rowsTop1);
  double sqnrDb() const;  // 10 log10(signal / error); +inf when equal
  double cosine() const;
  double relativeL2() const;  // ||error|| / ||signal||
  double top1Agreement() const;
};

struct LayerAgreement {
  std::string name, op;
  Agreement quantizedVsFloat;
  bool compiledExact = true;  // the compiled program made exactly the quantized values
};

// A binary activation (a Sign's output) or a LIF's spikes (docs/design.md §9b): how often the
// chip's value (the quantized reference's, which the compiled program equals bit for bit) is
// the float reference's, and the share of +1s (the binary activation rate, the spike rate),
// for spikes per time step too (summed over samples).
struct BinaryActivation {
  std::string name;
  bool spikes = false;
  int64_t elements = 0, matches = 0, ones = 0;
  std::vector<int64_t> onesPerStep;
  void add(const reference::Tensor& floatValue, const reference::Tensor& chipValue, int64_t steps);
  double agreement() const {
    return elements ? static_cast<double>(matches) / static_cast<double>(elements) : 1;
  }
  double onesRate() const {
    return elements ? static_cast<double>(ones) / static_cast<double>(elements) : 0;
  }
};

// The compiled program against the quantized reference (docs/design.md §9): equal bit for bit
// in every value a core made and at the output, or the first difference.
struct CompiledCheck {
  std::string partitioner;
  int64_t batch = 1;
  int32_t partitions = 0;
  int64_t instructions = 0;
  int64_t elementsCompared = 0;
  std::string firstDifference;  // empty when every compared element is equal
  bool exact() const { return firstDifference.empty(); }
};

struct ValidationReport {
  std::string model, arch;
  int64_t samples = 0, calibrationSamples = 0;
  std::string calibrationSource;
  std::optional<Agreement> floatVsPyTorch;          // when PyTorch's output is known
  Agreement quantizedVsFloat;                       // at the model's output
  std::vector<LayerAgreement> layers;               // each matrix layer's output, in graph order
  std::vector<BinaryActivation> binaryActivations;  // each Sign's and LIF's, in graph order
  int64_t timesteps = 0;                            // a spiking network's T
  CompiledCheck compiled;
  std::optional<Accuracy> accuracy;  // with --dataset
  bool anyAdcClipping = false;
  arch::NonidealityConfig nonidealities;  // the arch's numerics.* keys the quantized run used
  double floatSeconds = 0, quantizedSeconds = 0;
  double compileSeconds = 0, compiledSeconds = 0;  // compiling the program; executing it
  // The stated tolerances and whether each holds.
  static constexpr double kFloatVsPyTorchBound = 1e-4;  // relative L2, the bound
  bool passed() const;
  std::vector<std::string> failures() const;
};

ValidationReport validateModel(const ValidationRequest& request);

nlohmann::json toJson(const ValidationReport& report);
std::string summaryText(const ValidationReport& report);

// The samples of a .npy file for a model input of shape `inputShape`: one tensor per run.
// A spiking network (timesteps T > 0, its input unrolled to (T, ...)) takes (N, T, ...) spikes.
// InputError naming the file when the shape fits neither rule, the T differs, or a spiking
// input is not 0 or 1.
std::vector<reference::Tensor> splitSamples(const reference::Tensor& all,
                                            const std::vector<int64_t>& inputShape,
                                            const std::string& file, const std::string& inputName,
                                            int64_t timesteps = 0);

}  // namespace xbar::validate
