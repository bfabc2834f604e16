#include "xbar/numerics/quantize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace xbar::numerics {

void checkPrecision(int64_t weightBits, int64_t activationBits) {
  // 30 bits leave the bit-sliced sums (bits + bits + log2 rows) inside int64.
  if (weightBits < 1 || weightBits > 30)
    throw std::invalid_argument("precision.weight_bits " + std::to_string(weightBits) +
                                ": the crossbar numerics need 1 to 30 bits");
  if (activationBits < 1 || activationBits > 30)
    throw std::invalid_argument("precision.activation_bits " + std::to_string(activationBits) +
                                ": the crossbar numerics need 1 to 30 bits");
}

QuantizedWeights quantizeWeights(std::span<const float> w, int64_t outputs, int64_t inputs,
                                 int64_t bits) {
  if (static_cast<int64_t>(w.size()) != outputs * inputs)
    throw std::invalid_argument("quantizeWeights: " + std::to_string(w.size()) + " weights for a " +
                                std::to_string(outputs) + " x " + std::to_string(inputs) +
                                " matrix");
  QuantizedWeights r{outputs, inputs, bits, std::vector<int64_t>(w.size()),
                     std::vector<double>(static_cast<size_t>(outputs))};
  const auto top = static_cast<double>(weightCodeMax(bits));
  for (int64_t o = 0; o < outputs; ++o) {
    const auto row = w.subspan(static_cast<size_t>(o * inputs), static_cast<size_t>(inputs));
    double peak = 0;
    for (float v : row) peak = std::max(peak, std::fabs(static_cast<double>(v)));
    if (bits == 1) {  // binary: the sign, and the channel's magnitude as its scale
      r.scales[static_cast<size_t>(o)] = peak;
      for (int64_t i = 0; i < inputs; ++i)
        r.q[static_cast<size_t>(o * inputs + i)] = row[static_cast<size_t>(i)] < 0 ? -1 : 1;
      continue;
    }
    const double scale = peak > 0 ? peak / top : 1.0;
    r.scales[static_cast<size_t>(o)] = scale;
    for (int64_t i = 0; i < inputs; ++i) {
      const double q = std::nearbyint(static_cast<double>(row[static_cast<size_t>(i)]) / scale);
      r.q[static_cast<size_t>(o * inputs + i)] = static_cast<int64_t>(std::clamp(q, -top, top));
    }
  }
  return r;
}

int64_t ActivationQuantizer::quantize(double x) const {
  if (binary()) return x < 0 ? -1 : 1;
  const double q = std::nearbyint(x / scale);
  return static_cast<int64_t>(
      std::clamp(q, static_cast<double>(minCode()), static_cast<double>(maxCode())));
}

ActivationQuantizer ActivationQuantizer::calibrate(std::span<const float> calibration,
                                                   int64_t bits) {
  double peak = 0, lowest = 0;
  for (float v : calibration) {
    peak = std::max(peak, std::fabs(static_cast<double>(v)));
    lowest = std::min(lowest, static_cast<double>(v));
  }
  return fromRange(lowest, peak, bits);
}

ActivationQuantizer ActivationQuantizer::fromRange(double lowest, double peak, int64_t bits) {
  ActivationQuantizer a;
  a.bits = bits;
  a.isUnsigned = lowest >= 0;
  if (a.binary()) return a;  // +-1 at scale 1, whatever the range
  a.scale = peak > 0 ? peak / static_cast<double>(a.maxCode()) : 1.0;
  return a;
}

}  // namespace xbar::numerics
