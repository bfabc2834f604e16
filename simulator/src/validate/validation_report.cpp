#include <cmath>

#include <fmt/format.h>

#include "xbar/validate/validation.h"

namespace xbar::validate {
namespace {

// JSON has no infinity: an SQNR of identical tensors is written as null.
nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

nlohmann::json agreementJson(const Agreement& a) {
  return {{"sqnr_db", number(a.sqnrDb())},
          {"cosine", number(a.cosine())},
          {"relative_l2", number(a.relativeL2())},
          {"max_abs_error", number(a.maxAbsError)},
          {"top1_agreement", a.rows > 0 ? nlohmann::json(a.top1Agreement()) : nlohmann::json()},
          {"rows", a.rows}};
}

std::string db(double v) {
  return std::isfinite(v) ? fmt::format("{:.1f} dB", v) : "exact";
}

}  // namespace

nlohmann::json toJson(const ValidationReport& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerAgreement& l : r.layers) {
    nlohmann::json j = agreementJson(l.quantizedVsFloat);
    j["name"] = l.name;
    j["op"] = l.op;
    j["compiled_exact"] = l.compiledExact;
    layers.push_back(std::move(j));
  }
  nlohmann::json binary = nlohmann::json::array();
  for (const BinaryActivation& b : r.binaryActivations) {
    nlohmann::json j = {{"name", b.name},
                        {"kind", b.spikes ? "spikes" : "sign"},
                        {"elements", b.elements},
                        {"agreement_with_float", b.agreement()},
                        {"ones_rate", b.onesRate()}};
    if (b.spikes) j["spikes_per_step"] = b.onesPerStep;
    binary.push_back(std::move(j));
  }
  nlohmann::json j = {
      {"model", r.model},
      {"arch", r.arch},
      {"samples", r.samples},
      {"timesteps", r.timesteps},
      {"calibration", {{"samples", r.calibrationSamples}, {"source", r.calibrationSource}}},
      {"adc_can_clip", r.anyAdcClipping},
      {"nonidealities",
       {{"programming_noise_sigma", r.nonidealities.programming_noise_sigma},
        {"read_noise_sigma", r.nonidealities.read_noise_sigma},
        {"stuck_at_zero_rate", r.nonidealities.stuck_at_zero_rate},
        {"stuck_at_one_rate", r.nonidealities.stuck_at_one_rate},
        {"adc_offset_sigma_lsb", r.nonidealities.adc_offset_sigma_lsb},
        {"seed", r.nonidealities.seed}}},
      {"quantized_vs_float", agreementJson(r.quantizedVsFloat)},
      {"layers", layers},
      {"binary_activations", binary},
      {"compiled",
       {{"partitioner", r.compiled.partitioner},
        {"batch", r.compiled.batch},
        {"partitions", r.compiled.partitions},
        {"instructions", r.compiled.instructions},
        {"elements_compared", r.compiled.elementsCompared},
        {"exact", r.compiled.exact()},
        {"first_difference", r.compiled.firstDifference}}},
      {"seconds",
       {{"float", r.floatSeconds},
        {"quantized", r.quantizedSeconds},
        {"compile", r.compileSeconds},
        {"compiled", r.compiledSeconds}}},
      {"passed", r.passed()},
      {"failures", r.failures()}};
  j["accuracy"] = nlohmann::json();
  if (r.accuracy)
    j["accuracy"] = {{"labels", r.accuracy->labels},
                     {"float_top1", r.accuracy->floatTop1()},
                     {"quantized_top1", r.accuracy->quantizedTop1()},
                     {"compiled_top1", r.accuracy->compiledTop1()}};
  j["float_vs_pytorch"] = nlohmann::json();
  if (r.floatVsPyTorch) {
    j["float_vs_pytorch"] = agreementJson(*r.floatVsPyTorch);
    j["float_vs_pytorch"]["bound_relative_l2"] = ValidationReport::kFloatVsPyTorchBound;
  }
  return j;
}

std::string summaryText(const ValidationReport& r) {
  std::string s =
      fmt::format("{} on {}: {} sample{}, activations calibrated on {} sample{} ({})\n", r.model,
                  r.arch, r.samples, r.samples == 1 ? "" : "s", r.calibrationSamples,
                  r.calibrationSamples == 1 ? "" : "s", r.calibrationSource);
  if (r.floatVsPyTorch)
    s += fmt::format(
        "float vs PyTorch:   relative error {:.3g} (bound {:.0e}), max |error| {:.3g}, "
        "top-1 agreement {:.1f} %\n",
        r.floatVsPyTorch->relativeL2(), ValidationReport::kFloatVsPyTorchBound,
        r.floatVsPyTorch->maxAbsError, 100 * r.floatVsPyTorch->top1Agreement());
  else
    s += "float vs PyTorch:   no PyTorch output given (--expected)\n";
  if (const arch::NonidealityConfig& n = r.nonidealities; !n.ideal())
    s += fmt::format(
        "non-idealities (seed {}): programming noise {:g}, read noise {:g}, stuck at 0 {:g}, "
        "stuck at 1 {:g}, ADC offset {:g} LSB\n",
        n.seed, n.programming_noise_sigma, n.read_noise_sigma, n.stuck_at_zero_rate,
        n.stuck_at_one_rate, n.adc_offset_sigma_lsb);
  const Agreement& q = r.quantizedVsFloat;
  s += fmt::format(
      "quantized vs float: SQNR {}, cosine {:.6f}, max |error| {:.3g}, top-1 "
      "agreement {:.1f} %{}\n",
      db(q.sqnrDb()), q.cosine(), q.maxAbsError, 100 * q.top1Agreement(),
      r.anyAdcClipping ? " (some ADCs can clip: bit-sliced path)" : "");
  const CompiledCheck& c = r.compiled;
  s += fmt::format(
      "compiled vs quantized: {} ({} partitioner, {} partition{}, {} instructions at batch {})\n",
      c.exact() ? fmt::format("bit-exact over {} elements", c.elementsCompared)
                : "DIFFERENT: " + c.firstDifference,
      c.partitioner, c.partitions, c.partitions == 1 ? "" : "s", c.instructions, c.batch);
  if (r.accuracy)
    s += fmt::format(
        "top-1 accuracy over {} labelled samples: float {:.2f} %, quantized {:.2f} %, compiled "
        "{:.2f} %\n",
        r.accuracy->labels, 100 * r.accuracy->floatTop1(), 100 * r.accuracy->quantizedTop1(),
        100 * r.accuracy->compiledTop1());
  s += "per layer (quantized vs float, SQNR):";
  for (size_t i = 0; i < r.layers.size(); ++i)
    s += fmt::format("{}{} {}", i % 4 == 0 ? "\n  " : ", ", r.layers[i].name,
                     db(r.layers[i].quantizedVsFloat.sqnrDb()));
  if (!r.binaryActivations.empty()) {
    s += r.timesteps > 0 ? fmt::format(
                               "\nspikes over {} time steps (agreement with float, "
                               "spike rate):",
                               r.timesteps)
                         : std::string(
                               "\nbinary activations (sign agreement with float, "
                               "share of +1):");
    for (size_t i = 0; i < r.binaryActivations.size(); ++i) {
      const BinaryActivation& b = r.binaryActivations[i];
      s += fmt::format("{}{} {:.2f} % ({:.1f} %)", i % 3 == 0 ? "\n  " : ", ", b.name,
                       100 * b.agreement(), 100 * b.onesRate());
    }
  }
  s += fmt::format(
      "\ntime: float {:.3f} s, quantized {:.3f} s, compile {:.3f} s, compiled {:.3f} s\n",
      r.floatSeconds, r.quantizedSeconds, r.compileSeconds, r.compiledSeconds);
  for (const std::string& f : r.failures()) s += "FAILED: " + f + "\n";
  if (r.passed()) s += "validation passed\n";
  return s;
}

}  // namespace xbar::validate
