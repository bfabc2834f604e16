#include "xbar/mapping/mapping_report.h"

#include <fmt/format.h>

#include <algorithm>

namespace xbar::mapping {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string shapeText(const MatrixLayer& l) {
  return l.groups > 1 ? fmt::format("{}x({}x{})", l.groups, l.inputs, l.outputs)
                      : fmt::format("{}x{}", l.inputs, l.outputs);
}

}  // namespace

std::string formatMappingTable(const Mapping& m) {
  size_t nameWidth = 5;
  for (const LayerMapping& l : m.layers) nameWidth = std::max(nameWidth, l.layer.name.size());
  nameWidth = std::min<size_t>(nameWidth, 48);
  std::string out =
      fmt::format("mapping of {} on {} ({}-bit weights)\n", m.model, m.arch, m.weightBits);
  out += fmt::format("{:<{}}  {:<6}  {:>16}  {:>12}  {:>9}  {:>5}  {:>6}\n", "layer", nameWidth,
                     "op", "K x N", "weight bytes", "crossbars", "units", "util");
  for (const LayerMapping& l : m.layers) {
    std::string name = l.layer.name;
    if (name.size() > nameWidth) name = "…" + name.substr(name.size() - nameWidth + 1);
    out += fmt::format("{:<{}}  {:<6}  {:>16}  {:>12.0f}  {:>9}  {:>5}  {:>5.1f}%\n", name,
                       nameWidth, ir::opName(l.layer.op), shapeText(l.layer), l.weightBytes,
                       l.crossbars, l.unitCount, 100.0 * l.utilisation);
  }
  const MappingTotals& t = m.totals;
  out += fmt::format("\n{} matrix layers, {} partition units, {} weights\n", m.layers.size(),
                     m.units.size(), t.weightElements);
  const bool binary = std::any_of(m.layers.begin(), m.layers.end(),
                                  [](const LayerMapping& l) { return l.bits.weight == 1; });
  out += fmt::format("weights: {:.3f} MiB at {} bits{} (chip holds {:.3f} MiB)\n",
                     t.weightBytes / kMiB, m.weightBits, binary ? ", binary layers at 1 bit" : "",
                     t.chipWeightBytes / kMiB);
  out += fmt::format(
      "crossbars: {} needed, {} on chip; cores: {} needed, {} on chip; utilisation {:.1f}%\n",
      t.crossbars, t.chipCrossbars, t.coresNeeded, t.chipCores, 100.0 * t.utilisation);
  out += binaryLayersLine(m);
  out += adcClippingLine(m);
  out += t.fits ? "fits on chip: yes\n"
                : fmt::format(
                      "fits on chip: no ({:.1f}x the chip's crossbars): weights must be replaced "
                      "between partitions\n",
                      static_cast<double>(t.crossbars) / static_cast<double>(t.chipCrossbars));
  return out;
}

std::string binaryLayersLine(const Mapping& m) {
  int64_t weights = 0, inputs = 0, spikes = 0;
  for (const LayerMapping& l : m.layers) {
    weights += l.layer.binaryWeights ? 1 : 0;
    inputs += l.layer.binaryInputs ? 1 : 0;
    spikes += l.layer.spikeInputs ? 1 : 0;
  }
  std::string out;
  if (weights > 0 || inputs > 0)
    out += fmt::format(
        "binary: {} of {} layers with 1-bit weights (one cell bit per sign), {} with 1-bit "
        "inputs (one input cycle)\n",
        weights, m.layers.size(), inputs);
  if (!m.activationMatMuls.empty())
    out += fmt::format(
        "attention: {} MatMuls of two activations run on the vector units (no weights to keep "
        "in crossbars)\n",
        m.activationMatMuls.size());
  if (m.timesteps > 0)
    out += fmt::format(
        "spiking: {} time steps per inference; {} of {} layers take 1-bit spikes (one input "
        "cycle per step)\n",
        m.timesteps, spikes, m.layers.size());
  return out;
}

std::string adcClippingLine(const Mapping& m) {
  const MappingTotals& t = m.totals;
  if (t.clippingColumns == 0) return {};
  int64_t needed = 0;
  for (const LayerMapping& l : m.layers) needed = std::max(needed, l.adcBitsNeeded);
  return fmt::format(
      "ADC: {} of {} used columns can clip at {} bits (their sums need up to {} bits)\n",
      t.clippingColumns, t.columns, m.adcBits, needed);
}

nlohmann::json mappingToJson(const Mapping& m) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerMapping& l : m.layers) {
    layers.push_back({{"name", l.layer.name},
                      {"op", std::string(ir::opName(l.layer.op))},
                      {"groups", l.layer.groups},
                      {"k", l.layer.inputs},
                      {"n", l.layer.outputs},
                      {"vectors_per_inference", l.layer.vectorsPerInference},
                      {"weight_elements", l.layer.weightElements()},
                      {"weight_bytes", l.weightBytes},
                      {"weight_bits", l.bits.weight},
                      {"activation_bits", l.bits.activation},
                      {"columns_per_weight", l.columnsPerWeight},
                      {"outputs_per_crossbar", l.outputsPerCrossbar},
                      {"groups_per_block", l.groupsPerBlock},
                      {"blocks", l.blocks},
                      {"row_tiles", l.rowTiles},
                      {"column_blocks_per_block", l.columnBlocksPerBlock},
                      {"crossbars", l.crossbars},
                      {"units", l.unitCount},
                      {"utilisation", l.utilisation},
                      {"adc_bits_needed", l.adcBitsNeeded},
                      {"columns", l.columns},
                      {"clipping_columns", l.clippingColumns}});
  }
  nlohmann::json units = nlohmann::json::array();
  for (const PartitionUnit& u : m.units) {
    units.push_back({{"layer", u.layer},
                     {"first_column_block", u.firstColumnBlock},
                     {"column_blocks", u.columnBlocks},
                     {"first_row_tile", u.firstRowTile},
                     {"row_tiles", u.rowTiles},
                     {"crossbars", u.crossbars},
                     {"outputs", u.outputs},
                     {"partial_sums", u.partialSums}});
  }
  const MappingTotals& t = m.totals;
  return {{"model", m.model},
          {"arch", m.arch},
          {"weight_bits", m.weightBits},
          {"layers", layers},
          {"units", units},
          {"activation_matmuls", {{"mapping", "vector"}, {"nodes", m.activationMatMuls}}},
          {"totals",
           {{"weight_bytes", t.weightBytes},
            {"weight_mib", t.weightBytes / kMiB},
            {"weight_elements", t.weightElements},
            {"crossbars", t.crossbars},
            {"chip_crossbars", t.chipCrossbars},
            {"chip_weight_mib", t.chipWeightBytes / kMiB},
            {"cores_needed", t.coresNeeded},
            {"chip_cores", t.chipCores},
            {"utilisation", t.utilisation},
            {"columns", t.columns},
            {"clipping_columns", t.clippingColumns},
            {"fits", t.fits}}}};
}

}  // namespace xbar::mapping
