// xbar::LIF, leaky integrate-and-fire neurons (docs/design.md §9b), over the time axis a
// spiking network is unrolled along (the first axis of its values):
//   I[t] = beta_i W.x[t] + alpha_i (1 - s[t-1]) I[t-1]
//   V[t] = beta_v I[t] + beta_b b + alpha_v (1 - s[t-1]) V[t-1]
//   s[t] = 1 if V[t] >= theta else 0,   I, V and s zero before the first step.
// In float32, each product and sum in that order (an export script that computes the same
// expressions in the same order gets the same spikes bit for bit).
#pragma once

#include <string>

#include "xbar/ir/node.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

struct LifParameters {
  float alphaI = 0, alphaV = 0, betaI = 0, betaV = 0, betaB = 0, theta = 0;
  static LifParameters of(const ir::Node& node, const std::string& where);
};

// x: (T, C, ...) the synaptic input of every step; bias: none, or one value per channel C.
Tensor lifSpikes(const LifParameters& p, const Tensor& x, const Tensor* bias,
                 const std::string& where);

}  // namespace xbar::reference
