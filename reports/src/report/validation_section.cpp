#include "xbar/report/validation_section.h"

#include <fmt/format.h>

#include "xbar/report/json_input.h"

namespace xbar::report {
namespace {

namespace fs = std::filesystem;

// One comparison as a row named `name` under `column`: SQNR and the rest are null where
// validate wrote null (an exact match has infinite SQNR).
nlohmann::json comparisonRow(const char* column, const std::string& name, const nlohmann::json& a,
                             const fs::path& file) {
  return {{column, name},
          {"sqnr_db", need(a, "sqnr_db", file)},
          {"cosine", need(a, "cosine", file)},
          {"relative_l2", need(a, "relative_l2", file)},
          {"max_abs_error", need(a, "max_abs_error", file)},
          {"top1_agreement", need(a, "top1_agreement", file)}};
}

}  // namespace

bool hasValidation(const fs::path& dir) {
  return fs::is_regular_file(dir / "validation.json");
}

nlohmann::json validationSection(const fs::path& dir) {
  const fs::path file = dir / "validation.json";
  const nlohmann::json v = readJson(file);
  nlohmann::json comparisons = nlohmann::json::array();
  if (const nlohmann::json& p = need(v, "float_vs_pytorch", file); !p.is_null())
    comparisons.push_back(comparisonRow("comparison", "float reference vs PyTorch", p, file));
  comparisons.push_back(
      comparisonRow("comparison", "quantized vs float", need(v, "quantized_vs_float", file), file));
  nlohmann::json layers = nlohmann::json::array();
  for (const nlohmann::json& l : need(v, "layers", file)) {
    nlohmann::json row = comparisonRow("layer", need(l, "name", file).get<std::string>(), l, file);
    row["op"] = need(l, "op", file);
    row["compiled_exact"] = need(l, "compiled_exact", file);
    layers.push_back(std::move(row));
  }
  nlohmann::json accuracy = nlohmann::json::array();
  nlohmann::json labels = 0;
  if (const nlohmann::json& a = need(v, "accuracy", file); !a.is_null()) {
    accuracy.push_back({{"reference", "float"}, {"top1", need(a, "float_top1", file)}});
    accuracy.push_back({{"reference", "quantized"}, {"top1", need(a, "quantized_top1", file)}});
    accuracy.push_back(
        {{"reference", "compiled program"}, {"top1", need(a, "compiled_top1", file)}});
    labels = need(a, "labels", file);
  }
  // Binary activations and spikes (docs/design.md §9b), with spikes per time step flattened
  // for a chart; absent from files validate wrote before it reported them.
  nlohmann::json binary = nlohmann::json::array(), spikes = nlohmann::json::array();
  for (const nlohmann::json& b : v.value("binary_activations", nlohmann::json::array())) {
    binary.push_back({{"name", need(b, "name", file)},
                      {"kind", need(b, "kind", file)},
                      {"agreement", need(b, "agreement_with_float", file)},
                      {"ones_rate", need(b, "ones_rate", file)}});
    if (const auto perStep = b.find("spikes_per_step"); perStep != b.end())
      for (size_t t = 0; t < perStep->size(); ++t)
        spikes.push_back({{"layer", b["name"]}, {"step", t}, {"spikes", (*perStep)[t]}});
  }
  const nlohmann::json& calibration = need(v, "calibration", file);
  return {{"model", need(v, "model", file)},
          {"arch", need(v, "arch", file)},
          {"samples", need(v, "samples", file)},
          {"calibration_samples", need(calibration, "samples", file)},
          {"adc_can_clip", need(v, "adc_can_clip", file)},
          {"nonidealities", v.value("nonidealities", nlohmann::json::object())},
          {"passed", need(v, "passed", file)},
          {"failures", need(v, "failures", file)},
          {"compiled", need(v, "compiled", file)},
          {"comparisons", comparisons},
          {"layers", layers},
          {"accuracy", accuracy},
          {"labels", labels},
          {"timesteps", v.value("timesteps", 0)},
          {"binary_activations", binary},
          {"spikes_per_step", spikes}};
}

nlohmann::json validationReport(const fs::path& dir) {
  nlohmann::json section = validationSection(dir);
  return {{"kind", "validation"},
          {"directory", dir.string()},
          {"title", fmt::format("validation of {} on {}", section["model"].get<std::string>(),
                                section["arch"].get<std::string>())},
          {"validation", std::move(section)}};
}

}  // namespace xbar::report
