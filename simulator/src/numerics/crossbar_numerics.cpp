#include "xbar/numerics/crossbar_numerics.h"

#include "xbar/arch/component_laws.h"

namespace xbar::numerics {

CrossbarNumerics CrossbarNumerics::fromArch(const arch::ArchConfig& arch) {
  CrossbarNumerics n;
  n.rows = arch.crossbar.rows;
  n.weightBits = arch.precision.weight_bits;
  n.cellBits = arch.crossbar.cell_bits;
  n.activationBits = arch.precision.activation_bits;
  n.dacBits = arch.crossbar.dac_bits;
  n.adcBits = arch.crossbar.adc_bits;
  n.sign = arch.crossbar.sign_scheme;
  n.noise = arch.numerics;
  return n;
}

AdcConversion AdcConversion::forRows(const CrossbarNumerics& n, int64_t rows) {
  const int64_t needed = arch::adcBitsNeeded(rows, n.cellBits, n.dacBits);
  AdcConversion a;
  a.maxCode = (int64_t{1} << n.adcBits) - 1;
  a.shift = needed > n.adcBits ? needed - n.adcBits : 0;
  return a;
}

}  // namespace xbar::numerics
