#include "xbar/numerics/crossbar_numerics.h"

#include "xbar/arch/component_laws.h"

namespace xbar::numerics {

CrossbarNumerics CrossbarNumerics::fromArch(const arch::ArchConfig& arch) {
  return fromArch(arch, arch.operandBits());
}

CrossbarNumerics CrossbarNumerics::fromArch(const arch::ArchConfig& arch, arch::OperandBits bits) {
  CrossbarNumerics n;
  n.rows = arch.crossbar.rows;
  n.weightBits = bits.weight;
  n.cellBits = arch.crossbar.cell_bits;
  n.activationBits = bits.activation;
  n.dacBits = arch.crossbar.dac_bits;
  n.adcBits = arch.crossbar.adc_bits;
  n.sign = arch.crossbar.sign_scheme;
  n.noise = arch.numerics;
  return n;
}

int64_t CrossbarNumerics::adcBitsNeeded(int64_t rows) const {
  return arch::adcBitsNeeded(rows, cellBits, weightBits, dacBits, activationBits);
}

AdcConversion AdcConversion::forRows(const CrossbarNumerics& n, int64_t rows) {
  const int64_t needed = n.adcBitsNeeded(rows);
  AdcConversion a;
  a.maxCode = (int64_t{1} << n.adcBits) - 1;
  a.shift = needed > n.adcBits ? needed - n.adcBits : 0;
  return a;
}

}  // namespace xbar::numerics
