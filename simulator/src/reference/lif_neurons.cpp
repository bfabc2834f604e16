#include "xbar/reference/lif_neurons.h"

#include <vector>

#include "xbar/support/error.h"

namespace xbar::reference {

LifParameters LifParameters::of(const ir::Node& node, const std::string& where) {
  // The frontend requires every attribute (frontend/spiking_model.h); a graph built by hand
  // without one fails here rather than take a default.
  const auto get = [&](const char* name) {
    if (!node.attrs.has(name)) failInput(where, "has no attribute '{}'", name);
    return node.attrs.getFloat(name, 0.0F, where);
  };
  return {get("alpha_i"), get("alpha_v"), get("beta_i"),
          get("beta_v"),  get("beta_b"),  get("theta")};
}

Tensor lifSpikes(const LifParameters& p, const Tensor& x, const Tensor* bias,
                 const std::string& where) {
  if (x.shape.empty() || x.shape[0] < 1) failInput(where, "has no time axis to run over");
  const int64_t steps = x.shape[0];
  const int64_t perStep = x.elementCount() / steps;
  const int64_t channels = x.shape.size() > 1 ? x.shape[1] : 1;
  const int64_t inner = perStep / channels;
  if (bias != nullptr && bias->elementCount() != channels)
    failInput(where, "has a bias of {} elements for {} channels; expected one per channel",
              bias->elementCount(), channels);
  std::vector<float> current(static_cast<size_t>(perStep), 0.0F);
  std::vector<float> potential(current.size(), 0.0F), spiked(current.size(), 0.0F);
  Tensor s = Tensor::filled(x.shape, 0.0F);
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t j = 0; j < perStep; ++j) {
      const auto k = static_cast<size_t>(j);
      const float keep = 1.0F - spiked[k];
      current[k] =
          p.betaI * x.data[static_cast<size_t>(t * perStep + j)] + (p.alphaI * keep) * current[k];
      float drive = p.betaV * current[k];
      if (bias != nullptr) drive = drive + p.betaB * bias->data[static_cast<size_t>(j / inner)];
      potential[k] = drive + (p.alphaV * keep) * potential[k];
      spiked[k] = potential[k] >= p.theta ? 1.0F : 0.0F;
      s.data[static_cast<size_t>(t * perStep + j)] = spiked[k];
    }
  return s;
}

}  // namespace xbar::reference
