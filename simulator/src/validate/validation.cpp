#include "xbar/validate/validation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "compiled_run.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/matrix_layer.h"
#include "xbar/reference/graph_runner.h"
#include "xbar/reference/npy.h"
#include "xbar/reference/quantized_matrix_ops.h"
#include "xbar/support/error.h"

namespace xbar::validate {
namespace {

using reference::Tensor;
namespace fs = std::filesystem;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Tensor readFinite(const fs::path& path) {
  Tensor t = reference::readNpy(path);
  for (size_t i = 0; i < t.data.size(); ++i)
    if (!std::isfinite(t.data[i]))
      failInput(path.string(), "element {} is {}; inputs must be finite", i, t.data[i]);
  return t;
}

// MODEL.onnx -> MODEL.<suffix>, the exporter's naming.
fs::path beside(const fs::path& model, const std::string& suffix) {
  fs::path p = model;
  p.replace_extension(suffix);
  return p;
}

Tensor stack(const std::vector<Tensor>& parts) {
  Tensor all;
  if (parts.empty()) return all;
  all.shape = parts[0].shape;
  all.shape[0] = 0;
  for (const Tensor& t : parts) {
    all.shape[0] += t.shape[0];
    all.data.insert(all.data.end(), t.data.begin(), t.data.end());
  }
  return all;
}

// The class each row of `out` picks: argmax over the last axis.
std::vector<int64_t> top1(const Tensor& out) {
  std::vector<int64_t> picks;
  const auto width = static_cast<size_t>(out.shape.empty() ? 1 : out.shape.back());
  for (size_t r = 0; width > 0 && r < out.data.size() / width; ++r) {
    const auto b = out.data.begin() + static_cast<std::ptrdiff_t>(r * width);
    picks.push_back(std::max_element(b, b + static_cast<std::ptrdiff_t>(width)) - b);
  }
  return picks;
}

int64_t correct(const Tensor& outputs, const Tensor& labels) {
  const std::vector<int64_t> picks = top1(outputs);
  int64_t n = 0;
  for (size_t i = 0; i < picks.size(); ++i)
    n += static_cast<float>(picks[i]) == labels.data[i] ? 1 : 0;
  return n;
}

}  // namespace

void Agreement::add(const Tensor& signal, const Tensor& approx, bool rowsTop1) {
  for (size_t i = 0; i < signal.data.size(); ++i) {
    const double s = signal.data[i], a = approx.data[i], e = s - a;
    signalEnergy += s * s;
    approxEnergy += a * a;
    errorEnergy += e * e;
    dot += s * a;
    maxAbsError = std::max(maxAbsError, std::fabs(e));
  }
  if (!rowsTop1 || signal.shape.empty()) return;
  const auto width = static_cast<size_t>(signal.shape.back());
  for (size_t r = 0; width > 0 && r < signal.data.size() / width; ++r) {
    const auto sb = signal.data.begin() + static_cast<std::ptrdiff_t>(r * width);
    const auto ab = approx.data.begin() + static_cast<std::ptrdiff_t>(r * width);
    const auto w = static_cast<std::ptrdiff_t>(width);
    ++rows;
    if (std::max_element(sb, sb + w) - sb == std::max_element(ab, ab + w) - ab) ++top1Matches;
  }
}

double Agreement::sqnrDb() const {
  if (errorEnergy == 0) return std::numeric_limits<double>::infinity();
  return 10 * std::log10(signalEnergy / errorEnergy);
}
double Agreement::cosine() const {
  const double norms = std::sqrt(signalEnergy * approxEnergy);
  return norms > 0 ? dot / norms : (signalEnergy == approxEnergy ? 1.0 : 0.0);
}
double Agreement::relativeL2() const {
  return signalEnergy > 0 ? std::sqrt(errorEnergy / signalEnergy) : std::sqrt(errorEnergy);
}
double Agreement::top1Agreement() const {
  return rows > 0 ? static_cast<double>(top1Matches) / static_cast<double>(rows) : 1.0;
}

std::vector<std::string> ValidationReport::failures() const {
  std::vector<std::string> f;
  if (!compiled.exact())
    f.push_back(fmt::format("compiled program ({}, batch {}) vs quantized reference: {}",
                            compiled.partitioner, compiled.batch, compiled.firstDifference));
  if (floatVsPyTorch && !(floatVsPyTorch->relativeL2() <= kFloatVsPyTorchBound))
    f.push_back(fmt::format("float reference vs PyTorch: relative error {:.3g} > {:.0e}",
                            floatVsPyTorch->relativeL2(), kFloatVsPyTorchBound));
  return f;
}

bool ValidationReport::passed() const {
  return failures().empty();
}

namespace {

// ", d1, d2, ...": a shape's dims after the first, for messages.
std::string tailText(const std::vector<int64_t>& shape) {
  std::string tail;
  for (size_t k = 1; k < shape.size(); ++k) tail += ", " + std::to_string(shape[k]);
  return tail;
}

// A file's data cut into runs of the model input's shape.
std::vector<Tensor> cutRuns(const Tensor& all, const std::vector<int64_t>& inputShape) {
  std::vector<Tensor> runs;
  const int64_t per = reference::elementCountOf(inputShape);
  for (int64_t at = 0; at < all.elementCount(); at += per)
    runs.emplace_back(inputShape,
                      std::vector<float>(all.data.begin() + at, all.data.begin() + at + per));
  return runs;
}

// A spiking network's inputs: (N, T, ...) spikes of 0 or 1, each sample's T steps one run of
// the unrolled model, whose input is (T, ...).
std::vector<Tensor> splitSpikeSamples(const Tensor& all, const std::vector<int64_t>& inputShape,
                                      const std::string& file, const std::string& inputName,
                                      int64_t timesteps) {
  const bool sameTail = all.shape.size() == inputShape.size() + 1 &&
                        std::equal(all.shape.begin() + 2, all.shape.end(), inputShape.begin() + 1);
  if (!sameTail || all.shape[0] < 1)
    failInput(file, "shape {} does not fit the spiking model's input '{}': expected (N, {}{})",
              ir::shapeToString(all.shape), inputName, timesteps, tailText(inputShape));
  if (all.shape[1] != timesteps)
    failInput(file,
              "holds {} time steps per sample (shape {}), but the model runs {} (its metadata "
              "xbar.snn.timesteps)",
              all.shape[1], ir::shapeToString(all.shape), timesteps);
  for (size_t e = 0; e < all.data.size(); ++e)
    if (all.data[e] != 0.0F && all.data[e] != 1.0F)
      failInput(file, "element {} is {}; a spiking network's inputs are spikes, 0 or 1", e,
                all.data[e]);
  return cutRuns(all, inputShape);
}

}  // namespace

std::vector<Tensor> splitSamples(const Tensor& all, const std::vector<int64_t>& inputShape,
                                 const std::string& file, const std::string& inputName,
                                 int64_t timesteps) {
  if (timesteps > 0) return splitSpikeSamples(all, inputShape, file, inputName, timesteps);
  if (all.shape == inputShape) return {all};
  const bool sameTail = all.shape.size() == inputShape.size() && !inputShape.empty() &&
                        std::equal(all.shape.begin() + 1, all.shape.end(), inputShape.begin() + 1);
  if (!sameTail || inputShape[0] < 1 || all.shape[0] % inputShape[0] != 0 || all.shape[0] == 0)
    failInput(file, "shape {} does not fit the model's input '{}' of shape {}: expected (N x {}{})",
              ir::shapeToString(all.shape), inputName, ir::shapeToString(inputShape),
              inputShape.empty() ? 1 : inputShape[0], tailText(inputShape));
  return cutRuns(all, inputShape);
}

namespace {

// What one inference answers: the model's output, or for a spiking network its outputs summed
// over the T time steps (the output layer's spike counts).
Tensor inferenceOutput(const Tensor& out, int64_t steps) {
  if (steps == 0) return out;
  std::vector<int64_t> shape = out.shape;
  const size_t per = out.data.size() / static_cast<size_t>(steps);
  shape[0] = 1;
  Tensor sum = Tensor::filled(shape, 0.0F);
  for (size_t e = 0; e < out.data.size(); ++e) sum.data[e % per] += out.data[e];
  return sum;
}

}  // namespace

void BinaryActivation::add(const Tensor& floatValue, const Tensor& chipValue, int64_t steps) {
  const std::vector<float>& fs = floatValue.data;
  const std::vector<float>& qs = chipValue.data;
  elements += static_cast<int64_t>(fs.size());
  const size_t per = steps > 0 ? fs.size() / static_cast<size_t>(steps) : fs.size();
  if (spikes) onesPerStep.resize(static_cast<size_t>(steps), 0);
  for (size_t e = 0; e < fs.size(); ++e) {
    matches += fs[e] == qs[e] ? 1 : 0;
    ones += qs[e] > 0 ? 1 : 0;
    if (spikes && qs[e] > 0) ++onesPerStep[e / per];
  }
}

namespace {

// The samples every way of computing runs, per run a tensor per graph input.
struct Inputs {
  std::vector<std::vector<Tensor>> samples, calibration;
  std::string where;              // the input files, for messages
  std::string calibrationSource;  // for the report
  std::optional<fs::path> expected;
};

Inputs multipleInputs(const ValidationRequest& request, const ir::Graph& graph);
ValidationReport validateWith(const ValidationRequest& request, const ir::Graph& graph,
                              Inputs inputs);

}  // namespace

ValidationReport validateModel(const ValidationRequest& request) {
  if (request.batch < 1)
    failInput("--batch", "the program's batch should be at least 1, got {}", request.batch);
  const ir::Graph graph = frontend::loadPreparedGraph(request.model);
  const std::string where = request.model.string();
  if (graph.outputs.size() != 1)
    failInput(where, "has {} outputs; validate takes models with one", graph.outputs.size());
  if (graph.inputs.size() != 1) return validateWith(request, graph, multipleInputs(request, graph));
  const ir::Value& in = graph.value(graph.inputs[0]);
  if (!request.namedInputs.empty())
    failInput(where, "has one input; give its samples with --input, not --named-input");
  if (request.dataset && request.input)
    failInput(where, "--dataset and --input both give the inputs; pass one");
  const fs::path inputPath = request.dataset
                                 ? *request.dataset / "inputs.npy"
                                 : request.input.value_or(beside(request.model, ".input.npy"));
  Inputs inputs;
  inputs.expected = request.expected;
  if (!inputs.expected && !request.input && !request.dataset &&
      fs::exists(beside(request.model, ".output.npy")))
    inputs.expected = beside(request.model, ".output.npy");
  std::optional<fs::path> calibrationPath = request.calibration;
  if (!calibrationPath && request.dataset && fs::exists(*request.dataset / "calibration.npy"))
    calibrationPath = *request.dataset / "calibration.npy";
  const int64_t steps = graph.timesteps;
  for (Tensor& t :
       splitSamples(readFinite(inputPath), in.shape, inputPath.string(), in.name, steps))
    inputs.samples.push_back({std::move(t)});
  if (calibrationPath)
    for (Tensor& t : splitSamples(readFinite(*calibrationPath), in.shape, calibrationPath->string(),
                                  in.name, steps))
      inputs.calibration.push_back({std::move(t)});
  else
    inputs.calibration = inputs.samples;
  inputs.where = inputPath.string();
  inputs.calibrationSource = calibrationPath ? calibrationPath->string() : "the validation inputs";
  return validateWith(request, graph, std::move(inputs));
}

namespace {

// A model of several inputs (a diffusion UNet's latent, timestep features and text context):
// per input NAME, its samples from --named-input NAME=FILE or MODEL.NAME.npy beside the model,
// the same number of samples in each; calibrated on them. PyTorch's output is
// MODEL.output.npy when every input is the default.
Inputs multipleInputs(const ValidationRequest& request, const ir::Graph& graph) {
  const std::string where = request.model.string();
  if (request.input || request.dataset || request.calibration)
    failInput(where,
              "has {} inputs; give each one's samples with --named-input NAME=FILE (--input, "
              "--dataset and --calibration take one)",
              graph.inputs.size());
  Inputs inputs;
  bool defaults = true;
  std::vector<std::vector<Tensor>> perInput;
  for (ir::ValueId id : graph.inputs) {
    const ir::Value& in = graph.value(id);
    fs::path path = beside(request.model, "." + in.name + ".npy");
    for (const auto& [name, file] : request.namedInputs)
      if (name == in.name) {
        path = file;
        defaults = false;
      }
    perInput.push_back(
        splitSamples(readFinite(path), in.shape, path.string(), in.name, graph.timesteps));
    if (perInput.size() > 1 && perInput.back().size() != perInput.front().size())
      failInput(path.string(), "{} samples, but {} has {}", perInput.back().size(),
                graph.value(graph.inputs[0]).name, perInput.front().size());
    inputs.where += (inputs.where.empty() ? "" : ", ") + path.string();
  }
  for (const auto& [name, file] : request.namedInputs)
    if (std::none_of(graph.inputs.begin(), graph.inputs.end(),
                     [&](ir::ValueId id) { return graph.value(id).name == name; }))
      failInput(file.string(), "--named-input names '{}', which is not an input of {}", name,
                where);
  for (size_t k = 0; k < perInput.front().size(); ++k) {
    inputs.samples.emplace_back();
    for (auto& samples : perInput) inputs.samples.back().push_back(std::move(samples[k]));
  }
  inputs.calibration = inputs.samples;
  inputs.calibrationSource = "the validation inputs";
  inputs.expected = request.expected;
  if (!inputs.expected && defaults && fs::exists(beside(request.model, ".output.npy")))
    inputs.expected = beside(request.model, ".output.npy");
  return inputs;
}

ValidationReport validateWith(const ValidationRequest& request, const ir::Graph& graph,
                              Inputs inputs) {
  const int64_t steps = graph.timesteps;
  const std::vector<std::vector<Tensor>>& samples = inputs.samples;
  const std::optional<fs::path>& expectedPath = inputs.expected;
  const std::string& inputPath = inputs.where;

  ValidationReport report;
  report.model = graph.name;
  report.arch = request.arch.name;
  report.samples = static_cast<int64_t>(samples.size());
  report.timesteps = steps;
  report.calibrationSamples = static_cast<int64_t>(inputs.calibration.size());
  report.calibrationSource = inputs.calibrationSource;

  reference::GraphRunner runner(graph);
  reference::QuantizedMatrixOps quantized(
      graph, request.arch,
      reference::calibrate(runner, inputs.calibration, request.arch.precision.activation_bits));
  report.anyAdcClipping = quantized.anyClipping();
  report.nonidealities = request.arch.numerics;

  const auto layers = mapping::matrixLayers(graph);
  for (const auto& l : layers) report.layers.push_back({l.name, std::string(ir::opName(l.op)), {}});
  std::vector<size_t> signs;  // the values of binary activations and spikes
  for (const ir::Node& n : graph.nodes)
    if (!n.removed && (n.kind == ir::OpKind::Sign || n.kind == ir::OpKind::Lif)) {
      signs.push_back(static_cast<size_t>(n.outputs[0]));
      report.binaryActivations.push_back({n.name, n.kind == ir::OpKind::Lif});
    }
  const auto output = static_cast<size_t>(graph.outputs[0]);
  std::vector<Tensor> floatOutputs, quantizedOutputs, compiledOutputs;
  CompiledRun compiled(graph, request.arch, quantized, request, report);
  // The samples a batch at a time: both references per sample, then the program on the batch.
  for (size_t first = 0; first < samples.size(); first += static_cast<size_t>(request.batch)) {
    const size_t end = std::min(samples.size(), first + static_cast<size_t>(request.batch));
    std::vector<std::vector<Tensor>> quantizedValues;
    for (size_t k = first; k < end; ++k) {
      auto start = std::chrono::steady_clock::now();
      const std::vector<Tensor> f = runner.run(samples[k]);
      report.floatSeconds += secondsSince(start);
      start = std::chrono::steady_clock::now();
      quantized.setRun(k);  // the executor draws sample k's read noise as run k too
      quantizedValues.push_back(runner.run(samples[k], &quantized));
      report.quantizedSeconds += secondsSince(start);
      const std::vector<Tensor>& q = quantizedValues.back();
      for (size_t i = 0; i < layers.size(); ++i) {
        const auto v = static_cast<size_t>(graph.node(layers[i].node).outputs[0]);
        report.layers[i].quantizedVsFloat.add(f[v], q[v], false);
      }
      for (size_t i = 0; i < signs.size(); ++i)
        report.binaryActivations[i].add(f[signs[i]], q[signs[i]], steps);
      floatOutputs.push_back(inferenceOutput(f[output], steps));
      quantizedOutputs.push_back(inferenceOutput(q[output], steps));
      report.quantizedVsFloat.add(floatOutputs.back(), quantizedOutputs.back(), true);
    }
    for (Tensor& t : compiled.run({samples.begin() + static_cast<std::ptrdiff_t>(first),
                                   samples.begin() + static_cast<std::ptrdiff_t>(end)},
                                  quantizedValues, first))
      compiledOutputs.push_back(inferenceOutput(t, steps));
  }
  const Tensor floatAll = stack(floatOutputs);
  if (expectedPath) {
    const Tensor expected = reference::readNpy(*expectedPath);
    if (expected.shape != floatAll.shape)
      failInput(expectedPath->string(), "shape {}, but the model's outputs for {} stack to {}",
                ir::shapeToString(expected.shape), inputPath, ir::shapeToString(floatAll.shape));
    report.floatVsPyTorch.emplace();
    report.floatVsPyTorch->add(expected, floatAll, true);
  }
  if (request.dataset) {
    const fs::path labelsPath = *request.dataset / "labels.npy";
    const Tensor labels = reference::readNpy(labelsPath);
    const Tensor quantizedAll = stack(quantizedOutputs);
    if (static_cast<size_t>(labels.elementCount()) != top1(floatAll).size())
      failInput(labelsPath.string(), "{} labels for {} output rows (one class per sample)",
                labels.elementCount(), top1(floatAll).size());
    report.accuracy =
        Accuracy{labels.elementCount(), correct(floatAll, labels), correct(quantizedAll, labels),
                 correct(stack(compiledOutputs), labels)};
  }
  if (request.saveOutputs) {
    reference::writeNpy(*request.saveOutputs / "float.npy", floatAll);
    reference::writeNpy(*request.saveOutputs / "quantized.npy", stack(quantizedOutputs));
    reference::writeNpy(*request.saveOutputs / "compiled.npy", stack(compiledOutputs));
  }
  return report;
}

}  // namespace

}  // namespace xbar::validate
