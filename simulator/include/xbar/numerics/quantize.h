// Quantization of weights and activations to the integers the crossbars compute on
// (docs/design.md §9). Weights: symmetric, per output channel, to precision.weight_bits.
// Activations: one scale per tensor, calibrated on a calibration set; unsigned when every
// calibration value is >= 0 (after ReLU), signed otherwise. Rounding is to nearest, ties to
// even (as torch.round).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace xbar::numerics {

// The largest weight code at `bits`: symmetric codes lie within +-(2^(bits-1) - 1); binary
// (1-bit) codes are +-1.
inline int64_t weightCodeMax(int64_t bits) {
  return bits == 1 ? 1 : (int64_t{1} << (bits - 1)) - 1;
}

// q[o][i] = round(w[o][i] / scale[o]) with scale[o] = max|w[o]| / (2^(bits-1) - 1), so
// |q| <= 2^(bits-1) - 1. A channel of zeros gets scale 1 and q = 0. At 1 bit (a binary
// layer, whose channels are +-s) q = -1 where w < 0, else +1, and scale[o] = max|w[o]| (0 for
// a channel of zeros, which then adds nothing).
struct QuantizedWeights {
  int64_t outputs = 0, inputs = 0, bits = 0;
  std::vector<int64_t> q;      // outputs x inputs, row-major
  std::vector<double> scales;  // per output
};
QuantizedWeights quantizeWeights(std::span<const float> w, int64_t outputs, int64_t inputs,
                                 int64_t bits);

// x ≈ scale * q: unsigned q in [0, 2^bits - 1], signed q in [-2^(bits-1), 2^(bits-1) - 1],
// clamped. The scale maps the calibration set's largest magnitude to the largest code.
// At 1 bit signed (a binary layer's input, a Sign's output) q is -1 where x < 0, else +1,
// scale 1: a sign(0) = 0, and a convolution's zero padding, are fed as +1 (a comparator's
// x >= delta) [A]. At 1 bit unsigned (spikes) q is 0 or 1.
struct ActivationQuantizer {
  double scale = 1;
  bool isUnsigned = true;
  int64_t bits = 0;
  bool binary() const { return bits == 1 && !isUnsigned; }
  int64_t minCode() const { return binary() ? -1 : isUnsigned ? 0 : -(int64_t{1} << (bits - 1)); }
  int64_t maxCode() const {
    return binary() ? 1 : isUnsigned ? (int64_t{1} << bits) - 1 : (int64_t{1} << (bits - 1)) - 1;
  }
  int64_t quantize(double x) const;
  double dequantize(int64_t q) const { return scale * static_cast<double>(q); }
  static ActivationQuantizer calibrate(std::span<const float> calibration, int64_t bits);
  // The same from the calibration set's smallest value and largest magnitude.
  static ActivationQuantizer fromRange(double lowest, double peak, int64_t bits);
};

// The bit widths the numerics handle: 1 (binary +-1 codes) to 30. Throws
// std::invalid_argument naming the key.
void checkPrecision(int64_t weightBits, int64_t activationBits);

}  // namespace xbar::numerics
