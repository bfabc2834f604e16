#include "xbar/execute/weight_image.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace xbar::execute {
namespace {

// Unit u's share of its layer's weights: for each conv group its output channels meet, the
// unit's rows of that group's matrix (a unit's rows count within one group's matrix, also
// where a crossbar packs several small groups block-diagonally).
UnitWeights unitWeights(int32_t u, const schedule::LayerGroups& groups,
                        const mapping::Mapping& mapping,
                        const reference::QuantizedMatrixOps& quantized) {
  const schedule::UnitProfile& unit = groups.unit(u);
  const mapping::LayerMapping& m = mapping.layers[static_cast<size_t>(unit.layer)];
  const mapping::MatrixLayer& ml = m.layer;
  const reference::QuantizedMatrixOps::Layer& q = quantized.layers().at(ml.node);
  const int64_t outs = ml.outputs, ins = ml.inputs;
  UnitWeights w{u, unit.layer, {}};
  for (int64_t g = unit.firstChannel / outs; g * outs < unit.endChannel && g < ml.groups; ++g) {
    WeightPiece p;
    p.group = g;
    p.firstOutput = std::max(unit.firstChannel, g * outs) - g * outs;
    p.endOutput = std::min(unit.endChannel, (g + 1) * outs) - g * outs;
    p.firstRow = unit.firstRow;
    p.endRow = std::min(unit.endRow, ins);
    if (p.endRow <= p.firstRow || p.endOutput <= p.firstOutput) continue;
    const std::vector<int64_t>& all = q.weights[static_cast<size_t>(g)].q;
    for (int64_t o = p.firstOutput; o < p.endOutput; ++o)
      p.codes.insert(p.codes.end(), all.begin() + o * ins + p.firstRow,
                     all.begin() + o * ins + p.endRow);
    w.pieces.push_back(std::move(p));
  }
  return w;
}

}  // namespace

WeightImage::WeightImage(const codegen::Program& program, const schedule::LayerGroups& groups,
                         const mapping::Mapping& mapping,
                         const reference::QuantizedMatrixOps& quantized) {
  std::vector<bool> placed(static_cast<size_t>(groups.unitCount()), false);
  for (const codegen::DramSegment& s : program.segments) {
    if (s.kind != codegen::DataRef::Kind::Weights) continue;
    if (s.id < 0 || s.id >= groups.unitCount())
      throw std::logic_error("weight segment of unit " + std::to_string(s.id) +
                             ", which the model does not have");
    byAddress_[s.address] = unitWeights(s.id, groups, mapping, quantized);
    placed[static_cast<size_t>(s.id)] = true;
  }
  if (const auto missing = std::find(placed.begin(), placed.end(), false); missing != placed.end())
    throw std::logic_error("the program has no weight segment for unit " +
                           std::to_string(missing - placed.begin()));
}

const UnitWeights* WeightImage::at(int64_t address) const {
  const auto it = byAddress_.find(address);
  return it == byAddress_.end() ? nullptr : &it->second;
}

UnitWeights* WeightImage::mutableAt(int64_t address) {
  const auto it = byAddress_.find(address);
  return it == byAddress_.end() ? nullptr : &it->second;
}

}  // namespace xbar::execute
