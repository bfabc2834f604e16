#include "xbar/arch/arch_config.h"

#include <cstdlib>

#include "xbar/arch/component_laws.h"

namespace xbar::arch {

double ArchConfig::weightCapacityBytes() const {
  const int64_t weightsPerRow = crossbar.cols / columnsPerWeight();
  return static_cast<double>(totalCrossbars()) * static_cast<double>(crossbar.rows) *
         static_cast<double>(weightsPerRow) * static_cast<double>(precision.weight_bits) / 8.0;
}

double ArchConfig::adcEnergyPj() const {
  return crossbar.adc_energy_pj * adcEnergyScale(crossbar.adc_bits, crossbar.adc_reference_bits);
}

double ArchConfig::adcLatencyNs() const {
  return crossbar.adc_latency_ns * adcLatencyScale(crossbar.adc_bits, crossbar.adc_reference_bits);
}

int64_t ArchConfig::adcBitsNeeded(int64_t rows, OperandBits bits) const {
  return arch::adcBitsNeeded(rows, crossbar.cell_bits, bits.weight, crossbar.dac_bits,
                             bits.activation);
}

int64_t ArchConfig::partialSumBits(OperandBits bits) const {
  const int64_t slices = weightSlices(bits), cycles = inputCycles(bits);
  return crossbar.adc_bits + crossbar.cell_bits * (slices - 1) + (slices > 1 ? 1 : 0) +
         crossbar.dac_bits * (cycles - 1) + (cycles > 1 ? 1 : 0) +
         (crossbar.sign_scheme == SignScheme::Differential ? 1 : 0);
}

int64_t ArchConfig::columnsPerWeight(OperandBits bits) const {
  return (crossbar.sign_scheme == SignScheme::Differential ? 2 : 1) * weightSlices(bits);
}

void ArchConfig::route(int32_t src, int32_t dst, std::vector<int32_t>& links) const {
  links.clear();
  const auto& ic = chip.interconnect;
  if (src == dst) return;
  if (ic.topology == Topology::Bus) {
    links.push_back(0);
    return;
  }
  int64_t x = src % ic.mesh_cols, y = src / ic.mesh_cols;
  const int64_t tx = dst % ic.mesh_cols, ty = dst / ic.mesh_cols;
  while (x != tx) {  // X first, then Y
    links.push_back(static_cast<int32_t>((y * ic.mesh_cols + x) * 4 + (tx > x ? 0 : 1)));
    x += tx > x ? 1 : -1;
  }
  while (y != ty) {
    links.push_back(static_cast<int32_t>((y * ic.mesh_cols + x) * 4 + (ty > y ? 2 : 3)));
    y += ty > y ? 1 : -1;
  }
}

ArchConfig::RouteEnds ArchConfig::routeEnds(int32_t src, int32_t dst) const {
  const auto& ic = chip.interconnect;
  if (src == dst) return {0, 0, 0};
  if (ic.topology == Topology::Bus) return {0, 0, 1};
  const int64_t x = src % ic.mesh_cols, y = src / ic.mesh_cols;
  const int64_t tx = dst % ic.mesh_cols, ty = dst / ic.mesh_cols;
  auto link = [&](int64_t fromX, int64_t fromY, int direction) {
    return static_cast<int32_t>((fromY * ic.mesh_cols + fromX) * 4 + direction);
  };
  // X first, then Y, as route(): east 0, west 1, north 2 (y grows), south 3.
  const int32_t first = tx != x ? link(x, y, tx > x ? 0 : 1) : link(x, y, ty > y ? 2 : 3);
  const int32_t last = ty != y ? link(tx, ty > y ? ty - 1 : ty + 1, ty > y ? 2 : 3)
                               : link(tx > x ? tx - 1 : tx + 1, ty, tx > x ? 0 : 1);
  return {first, last, static_cast<int32_t>(std::abs(tx - x) + std::abs(ty - y))};
}

int64_t ArchConfig::linkCount() const {
  return chip.interconnect.topology == Topology::Mesh ? chip.cores * 4 : 1;
}

}  // namespace xbar::arch
