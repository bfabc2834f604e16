#include <iostream>

#include "cli.h"
#include "xbar/reference/tensor.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"
#include "xbar/validate/validation.h"

namespace xbar::cli {
namespace {

struct ValidateOptions {
  std::string model;
  std::string arch = "compass-sram-m";
  std::vector<std::string> overrides;
  std::string input, calibration, expected, saveOutputs, json, dataset;
  std::vector<std::string> namedInputs;
  std::string partitioner = "compass";
  int64_t batch = 1;
};

void validate(const ValidateOptions& o) {
  validate::ValidationRequest request;
  request.model = o.model;
  request.arch = loadArchFromFlags(o.arch, o.overrides);
  if (!o.input.empty()) request.input = o.input;
  for (const std::string& named : o.namedInputs) {
    const size_t eq = named.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == named.size())
      failInput("--named-input", "'{}': expected NAME=FILE (a model input's name and its .npy)",
                named);
    request.namedInputs.emplace_back(named.substr(0, eq), named.substr(eq + 1));
  }
  if (!o.calibration.empty()) request.calibration = o.calibration;
  if (!o.expected.empty()) request.expected = o.expected;
  if (!o.saveOutputs.empty()) request.saveOutputs = o.saveOutputs;
  if (!o.dataset.empty()) request.dataset = o.dataset;
  request.partitioner = o.partitioner;
  request.batch = o.batch;
  const validate::ValidationReport report = validate::validateModel(request);
  std::cout << validate::summaryText(report);
  if (!o.json.empty()) {
    writeFileAtomically(o.json, validate::toJson(report).dump(2) + "\n");
    std::cout << "wrote " << o.json << "\n";
  }
  if (!report.passed()) throw CheckFailed(report.failures().front());
}

}  // namespace

void addValidateCommand(CLI::App& app, Action& action) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* v = app.add_subcommand(
      "validate",
      "Compute a model's values three ways on real inputs (float reference, quantized "
      "reference, the compiled program executed) and compare them; exit 3 when a tolerance "
      "fails");
  v->add_option("model", o->model, "ONNX model file with its weights")->required();
  v->add_option("-a,--arch", o->arch, "Arch config file or preset name")->capture_default_str();
  v->add_option("-p,--param", o->overrides, "Override an arch key: key.path=value");
  v->add_option("--input", o->input,
                ".npy of inputs, samples on the first axis (default MODEL.input.npy)");
  v->add_option("--named-input", o->namedInputs,
                "NAME=FILE: a model of several inputs reads input NAME's samples from FILE "
                "(default MODEL.NAME.npy)");
  v->add_option("--calibration", o->calibration,
                ".npy of calibration samples for the activation scales (default: the inputs)");
  v->add_option("--expected", o->expected,
                ".npy of PyTorch's outputs for the inputs (default MODEL.output.npy when "
                "--input is not given)");
  v->add_option("--save-outputs", o->saveOutputs,
                "Directory for float.npy, quantized.npy and compiled.npy");
  v->add_option("--dataset", o->dataset,
                "Labelled data: DIR/inputs.npy, DIR/labels.npy (and DIR/calibration.npy); reports "
                "top-1 accuracy");
  v->add_option("--partitioner", o->partitioner,
                "The plan the compiled program runs: greedy, layerwise, compass or optimal")
      ->capture_default_str();
  v->add_option("--batch", o->batch,
                "Samples the program is compiled for; the inputs run through it that many at a "
                "time")
      ->capture_default_str();
  v->add_option("--json", o->json, "Write the validation report as JSON");
  v->callback([o, &action] { action = [o] { validate(*o); }; });
}

}  // namespace xbar::cli
