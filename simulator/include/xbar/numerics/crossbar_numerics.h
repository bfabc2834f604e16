// What a crossbar does to numbers (docs/design.md §9), from the arch config: weights of
// precision.weight_bits sliced into crossbar.cell_bits cells (offset or differential sign),
// inputs of precision.activation_bits fed crossbar.dac_bits per input cycle, each column's sum
// over a row tile converted by a crossbar.adc_bits ADC, then shift-and-add over slices and
// cycles and digital addition over row tiles. A binary layer (docs/design.md §9b) has 1-bit
// operands: +-1 weights stored as one bit b (q = 2b - 1, offset scheme) or |q| = 1 on the side
// of its sign (differential), and +-1 inputs fed in one cycle as u (x = 2u - 1); a spiking
// layer's 1-bit inputs are unsigned, 0 or 1, fed as they are.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "xbar/arch/arch_config.h"

namespace xbar::numerics {

struct CrossbarNumerics {
  int64_t rows = 0;  // a row tile's height
  int64_t weightBits = 0, cellBits = 0;
  int64_t activationBits = 0, dacBits = 0;
  int64_t adcBits = 0;
  arch::SignScheme sign = arch::SignScheme::Offset;
  arch::NonidealityConfig noise;  // all zero: the ideal chip

  static CrossbarNumerics fromArch(const arch::ArchConfig& arch);
  // A layer whose operands take `bits` (mapping::operandBits).
  static CrossbarNumerics fromArch(const arch::ArchConfig& arch, arch::OperandBits bits);
  bool binaryWeights() const { return weightBits == 1; }
  // 1-bit inputs: +-1 where signed (binary activations), 0 or 1 where not (spikes).
  bool oneBitInputs() const { return activationBits == 1; }
  // Bits a column sum over `rows` rows needs (arch::ArchConfig::adcBitsNeeded).
  int64_t adcBitsNeeded(int64_t rows) const;
  // Bits a stored weight code takes: offset stores q + 2^(w-1) in w bits; differential stores
  // |q| < 2^(w-1) on each side, sliced as w bits as the mapping counts columns.
  int64_t weightSlices() const { return (weightBits + cellBits - 1) / cellBits; }
  int64_t inputCycles() const { return (activationBits + dacBits - 1) / dacBits; }
  // What the offset scheme adds to every weight code before storing it (a binary weight's
  // stored bit is (q + 1) / 2 instead).
  int64_t weightOffset() const { return int64_t{1} << (weightBits - 1); }
  // Arrays a weight matrix takes: one (offset), or a positive and a negative (differential).
  int64_t signParts() const { return sign == arch::SignScheme::Differential ? 2 : 1; }
};

// One ADC conversion of a column sum over `rows` rows. The largest sum is rows x (2^cell - 1)
// x (2^dac - 1), which needs n bits (arch::adcBitsNeeded, the figure the mapping reports).
// With b >= n bits the conversion is exact. Otherwise the ADC keeps the top b of the n bits:
// its step is 2^(n-b), codes round to nearest (ties up) and the top code clips, so its full
// scale is (2^b - 1) x 2^(n-b). A power-of-two step is an assumption [A]: it is what a
// shift-and-add datapath consumes without a multiplier.
struct AdcConversion {
  int64_t shift = 0;    // n - b, or 0 when exact
  int64_t maxCode = 0;  // 2^b - 1
  static AdcConversion forRows(const CrossbarNumerics& n, int64_t rows);
  bool exact() const { return shift == 0; }
  int64_t convert(int64_t sum) const {
    if (shift == 0) return sum;
    const int64_t code = (sum + (int64_t{1} << (shift - 1))) >> shift;
    return (code < maxCode ? code : maxCode) << shift;
  }
  // The same conversion of an analog sum (one with noise in it) by a converter whose offset
  // is `offsetSteps` of its steps: round to nearest (ties up), clip to [0, maxCode]. With an
  // integer sum and no offset it equals convert().
  int64_t convertAnalog(double sum, double offsetSteps) const {
    const double code = std::floor(std::ldexp(sum, -static_cast<int>(shift)) + offsetSteps + 0.5);
    return static_cast<int64_t>(std::clamp(code, 0.0, static_cast<double>(maxCode))) << shift;
  }
};

}  // namespace xbar::numerics
