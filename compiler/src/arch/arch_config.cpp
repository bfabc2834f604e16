#include "xbar/arch/arch_config.h"

namespace xbar::arch {

double ArchConfig::weightCapacityBytes() const {
  const int64_t weightsPerRow = crossbar.cols / columnsPerWeight();
  return static_cast<double>(totalCrossbars()) * static_cast<double>(crossbar.rows) *
         static_cast<double>(weightsPerRow) * static_cast<double>(precision.weight_bits) / 8.0;
}

int64_t ArchConfig::columnsPerWeight() const {
  const int64_t slices = (precision.weight_bits + crossbar.cell_bits - 1) / crossbar.cell_bits;
  return (crossbar.sign_scheme == SignScheme::Differential ? 2 : 1) * slices;
}

}  // namespace xbar::arch
