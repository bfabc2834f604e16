// Matrix layers → crossbar tiles and partition units (docs/design.md §4).
//
// A K x N weight matrix at w-bit weights on c-bit cells takes ceil(w/c) columns per weight
// (twice that with the differential sign scheme), so an R x C crossbar holds R rows x
// floor(C / columnsPerWeight) outputs. Small groups (depthwise convs) are packed
// block-diagonally into one crossbar. Following COMPASS, each layer is cut along its outputs
// into partition units that fit one core; a column block needing more row tiles than a core
// has is cut along rows too, and its partial sums are reduced digitally.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/matrix_layer.h"

namespace xbar::mapping {

struct PartitionUnit {
  int32_t layer = 0;             // index into Mapping::layers
  int64_t firstColumnBlock = 0;  // column blocks of the layer, counted across blocks
  int64_t columnBlocks = 0;
  int64_t firstRowTile = 0;
  int64_t rowTiles = 0;
  int64_t crossbars = 0;
  int64_t outputs = 0;       // output channels this unit computes (partially, if split)
  bool partialSums = false;  // rows split over units: sums reduced digitally
};

// The bits a layer's operands are coded in: 1 for binary ones, else the arch's precision.
arch::OperandBits operandBits(const arch::ArchConfig& arch, const MatrixLayer& layer);

struct LayerMapping {
  MatrixLayer layer;
  arch::OperandBits bits;  // operandBits(arch, layer)
  int64_t columnsPerWeight = 0;
  int64_t outputsPerCrossbar = 0;
  int64_t groupsPerBlock = 1;        // groups packed block-diagonally into one block
  int64_t blocks = 0;                // independent weight blocks
  int64_t rowTiles = 0;              // crossbars along K, per block
  int64_t columnBlocksPerBlock = 0;  // crossbars along N, per block
  int64_t crossbars = 0;
  int64_t cellsUsed = 0;
  double utilisation = 0;  // cells used / cells in its crossbars
  double weightBytes = 0;  // at the layer's weight bits
  // A column sums up to rows x (2^cell_bits - 1) x (2^dac_bits - 1): the ADC bits its fullest
  // crossbar needs to convert that exactly, and the used columns whose range exceeds
  // crossbar.adc_bits (they clip when their sum does: arch/component_laws.h).
  int64_t adcBitsNeeded = 0;
  int64_t columns = 0;
  int64_t clippingColumns = 0;
  int32_t firstUnit = 0;
  int32_t unitCount = 0;
};

struct MappingTotals {
  double weightBytes = 0;
  int64_t weightElements = 0;
  int64_t crossbars = 0;
  int64_t chipCrossbars = 0;
  double chipWeightBytes = 0;  // weights the chip holds at once
  int64_t coresNeeded = 0;     // units placed on cores best fit, in order (core_packing.h)
  int64_t chipCores = 0;
  double utilisation = 0;
  int64_t columns = 0;          // used columns of every crossbar
  int64_t clippingColumns = 0;  // of them, those whose range exceeds crossbar.adc_bits
  bool fits = false;  // every unit on chip at once: one partition the partitioners can place
};

struct Mapping {
  std::string model;
  std::string arch;
  int64_t weightBits = 0;
  int64_t adcBits = 0;
  int64_t timesteps = 0;  // a spiking network's T (ir::Graph::timesteps)
  // MatMuls of two activations (attention's Q x K^T and A x V): no weights to keep in
  // crossbars, so the vector units compute them digitally (schedule/vector_work.cpp).
  std::vector<std::string> activationMatMuls;
  std::vector<LayerMapping> layers;
  std::vector<PartitionUnit> units;  // layers in graph (topological) order
  MappingTotals totals;
};

// Output channels computed by column block `cb` of a layer (counted across blocks).
int64_t outputsOfColumnBlock(const LayerMapping& m, int64_t cb);

// Throws InputError when a layer cannot be mapped at all (e.g. a single weight wider than a
// crossbar), naming the layer.
Mapping mapGraph(const ir::Graph& graph, const arch::ArchConfig& arch);

}  // namespace xbar::mapping
