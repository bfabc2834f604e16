// A sweep file (YAML): workloads x arch configs x a grid of arch overrides x partitioners x
// batch sizes, under one objective. Every combination is a point; points are numbered in the
// order the file lists things, so a results directory can be resumed.
//
//   workloads: [models/resnet18.onnx]   # paths relative to the sweep file
//   archs: [compass-sram-m]             # presets or YAML files
//   configs:                            # optional: override sets, one point each
//     - {core.crossbars: 16, crossbar.rows: 128}
//     - {core.crossbars: 9, crossbar.rows: 256}
//   grid:                               # arch overrides, each a list of values (a product)
//     crossbar.rows: [128, 256]
//   partitioners: [greedy, compass]
//   batches: [1, 16]
//   objective: throughput               # optional; or a list: [throughput, edp]
//   validate: {dataset: digits/dataset}  # optional: also run xbar validate at every point
//
// A workload that names no file and has no extension (vgg16) is a network the build exports
// (SweepPaths::exports): NAME.stripped.onnx, else NAME.onnx; NAME.onnx only when the sweep
// validates (validation needs the weights). A relative workload or dataset path that is not
// beside the sweep file is looked for in the exports. `{workload}` in a dataset path stands for
// each workload's file name without .onnx: a dataset per workload (a spiking network's inputs
// hold its own number of time steps).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xbar::sweep {

// Where a sweep's names resolve: arch presets, and networks the build exports.
struct SweepPaths {
  std::filesystem::path archPresets;
  std::filesystem::path exports;
};

// The most points one sweep file may ask for (100,000 points take about 40 minutes at
// 2,500 points per minute on two cores; README "Limits").
inline constexpr uint64_t kMaxSweepPoints = 100'000;

// `validate:` in a sweep file: every point also computes the float and quantized references
// on real inputs (docs/design.md §9) and records their agreement and accuracy. `true` takes
// each model's exported input and PyTorch output (MODEL.input.npy, MODEL.output.npy);
// `{dataset: DIR}` a labelled set (inputs.npy, labels.npy, optional calibration.npy).
struct SweepValidation {
  bool enabled = false;
  std::optional<std::filesystem::path> dataset;
};

struct SweepPoint {
  int32_t index = 0;
  std::filesystem::path workload;
  std::string arch;
  std::vector<std::pair<std::string, std::string>> overrides;  // arch key -> value
  std::string partitioner;
  int64_t batch = 1;
  std::string objective;
  SweepValidation validation;
  std::string id() const;  // "p0007"
};

struct SweepSpec {
  std::vector<std::string> overrideKeys;  // every key configs or grid sets, in file order
  SweepValidation validation;
  std::vector<SweepPoint> points;
  SweepPaths paths;
};

// Throws InputError naming the file, the line and what was expected: unknown keys, empty
// lists, workloads that do not exist, grid keys or values the arch loader rejects (every
// arch of every point is loaded once here, before anything runs).
SweepSpec loadSweep(const std::filesystem::path& file, const SweepPaths& paths);

}  // namespace xbar::sweep
