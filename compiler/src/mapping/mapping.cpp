#include "xbar/mapping/mapping.h"

#include <algorithm>

#include "xbar/mapping/core_packing.h"
#include "xbar/support/error.h"

namespace xbar::mapping {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

// A packed crossbar's column sums only its own group's rows (the others hold zeros); otherwise
// each row tile is full but the last.
void countClippingColumns(LayerMapping& m, const arch::ArchConfig& arch) {
  const auto& xb = arch.crossbar;
  const auto needs = [&](int64_t rows) { return arch.adcBitsNeeded(rows, m.bits); };
  const int64_t columnsPerTile = m.layer.groups * m.layer.outputs * m.columnsPerWeight;
  m.columns = columnsPerTile * m.rowTiles;
  if (m.groupsPerBlock > 1) {
    m.adcBitsNeeded = needs(m.layer.inputs);
    m.clippingColumns = m.adcBitsNeeded > xb.adc_bits ? m.columns : 0;
    return;
  }
  const int64_t lastRows = m.layer.inputs - (m.rowTiles - 1) * xb.rows;
  const int64_t fullTiles = m.rowTiles - 1;
  m.adcBitsNeeded = needs(fullTiles > 0 ? xb.rows : lastRows);
  m.clippingColumns =
      (fullTiles > 0 && needs(xb.rows) > xb.adc_bits ? fullTiles : 0) * columnsPerTile +
      (needs(lastRows) > xb.adc_bits ? columnsPerTile : 0);
}

LayerMapping tileLayer(const MatrixLayer& layer, const arch::ArchConfig& arch) {
  const int64_t rows = arch.crossbar.rows;
  LayerMapping m;
  m.layer = layer;
  m.bits = operandBits(arch, layer);
  m.columnsPerWeight = arch.columnsPerWeight(m.bits);
  m.outputsPerCrossbar = arch.crossbar.cols / m.columnsPerWeight;
  if (layer.groups > 1 && layer.inputs <= rows && layer.outputs <= m.outputsPerCrossbar) {
    // Block-diagonal packing: several small groups share one crossbar.
    m.groupsPerBlock =
        std::min({rows / layer.inputs, m.outputsPerCrossbar / layer.outputs, layer.groups});
    m.blocks = ceilDiv(layer.groups, m.groupsPerBlock);
    m.rowTiles = 1;
    m.columnBlocksPerBlock = 1;
  } else {
    m.groupsPerBlock = 1;
    m.blocks = layer.groups;
    m.rowTiles = ceilDiv(layer.inputs, rows);
    m.columnBlocksPerBlock = ceilDiv(layer.outputs, m.outputsPerCrossbar);
  }
  m.crossbars = m.blocks * m.rowTiles * m.columnBlocksPerBlock;
  m.cellsUsed = layer.weightElements() * m.columnsPerWeight;
  m.utilisation = static_cast<double>(m.cellsUsed) /
                  static_cast<double>(m.crossbars * rows * arch.crossbar.cols);
  m.weightBytes =
      static_cast<double>(layer.weightElements()) * static_cast<double>(m.bits.weight) / 8.0;
  countClippingColumns(m, arch);
  return m;
}

void cutUnits(LayerMapping& m, int32_t layerIndex, int64_t crossbarsPerCore,
              std::vector<PartitionUnit>& units) {
  m.firstUnit = static_cast<int32_t>(units.size());
  const int64_t columnBlocks = m.blocks * m.columnBlocksPerBlock;
  if (m.rowTiles <= crossbarsPerCore) {
    const int64_t perUnit = crossbarsPerCore / m.rowTiles;
    for (int64_t first = 0; first < columnBlocks; first += perUnit) {
      PartitionUnit u;
      u.layer = layerIndex;
      u.firstColumnBlock = first;
      u.columnBlocks = std::min(perUnit, columnBlocks - first);
      u.rowTiles = m.rowTiles;
      u.crossbars = u.columnBlocks * u.rowTiles;
      for (int64_t cb = first; cb < first + u.columnBlocks; ++cb)
        u.outputs += outputsOfColumnBlock(m, cb);
      units.push_back(u);
    }
  } else {
    // One column block outgrows a core: cut its rows into core-sized chunks.
    for (int64_t cb = 0; cb < columnBlocks; ++cb)
      for (int64_t first = 0; first < m.rowTiles; first += crossbarsPerCore) {
        PartitionUnit u;
        u.layer = layerIndex;
        u.firstColumnBlock = cb;
        u.columnBlocks = 1;
        u.firstRowTile = first;
        u.rowTiles = std::min(crossbarsPerCore, m.rowTiles - first);
        u.crossbars = u.rowTiles;
        u.outputs = outputsOfColumnBlock(m, cb);
        u.partialSums = true;
        units.push_back(u);
      }
  }
  m.unitCount = static_cast<int32_t>(units.size()) - m.firstUnit;
}

}  // namespace

arch::OperandBits operandBits(const arch::ArchConfig& arch, const MatrixLayer& layer) {
  const arch::OperandBits bits = arch.operandBits();
  return {layer.binaryWeights ? 1 : bits.weight,
          layer.binaryInputs || layer.spikeInputs ? 1 : bits.activation};
}

int64_t outputsOfColumnBlock(const LayerMapping& m, int64_t cb) {
  if (m.groupsPerBlock > 1) {
    const int64_t block = cb;  // one column block per block
    const int64_t groups = std::min(m.groupsPerBlock, m.layer.groups - block * m.groupsPerBlock);
    return groups * m.layer.outputs;
  }
  const int64_t within = cb % m.columnBlocksPerBlock;
  return std::min(m.outputsPerCrossbar, m.layer.outputs - within * m.outputsPerCrossbar);
}

Mapping mapGraph(const ir::Graph& graph, const arch::ArchConfig& arch) {
  Mapping mapping;
  mapping.model = graph.name;
  mapping.arch = arch.name;
  mapping.weightBits = arch.precision.weight_bits;
  mapping.adcBits = arch.crossbar.adc_bits;
  mapping.timesteps = graph.timesteps;
  for (const ir::Node& n : graph.nodes)
    if (!n.removed && n.kind == ir::OpKind::MatMul && !graph.value(n.inputs[0]).isConstant &&
        !graph.value(n.input(1)).isConstant)
      mapping.activationMatMuls.push_back(n.name);
  for (const MatrixLayer& layer : matrixLayers(graph)) {
    LayerMapping m = tileLayer(layer, arch);
    cutUnits(m, static_cast<int32_t>(mapping.layers.size()), arch.core.crossbars, mapping.units);
    mapping.layers.push_back(std::move(m));
  }
  MappingTotals& t = mapping.totals;
  int64_t cells = 0;
  for (const LayerMapping& m : mapping.layers) {
    t.weightBytes += m.weightBytes;
    t.weightElements += m.layer.weightElements();
    t.crossbars += m.crossbars;
    t.columns += m.columns;
    t.clippingColumns += m.clippingColumns;
    cells += m.cellsUsed;
  }
  t.chipCrossbars = arch.totalCrossbars();
  t.chipCores = arch.chip.cores;
  t.chipWeightBytes = arch.weightCapacityBytes();
  std::vector<int64_t> sizes;
  for (const PartitionUnit& u : mapping.units) sizes.push_back(u.crossbars);
  t.coresNeeded = coresNeeded(sizes, arch.core.crossbars);
  t.utilisation =
      t.crossbars == 0
          ? 0.0
          : static_cast<double>(cells) /
                static_cast<double>(t.crossbars * arch.crossbar.rows * arch.crossbar.cols);
  t.fits = t.coresNeeded <= t.chipCores;
  return mapping;
}

}  // namespace xbar::mapping
