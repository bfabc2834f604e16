// The weight segment of the DRAM image a compiled program runs on (docs/design.md §9): each
// partition unit's quantized weight codes at the address the program's segment table gives
// it. LD_W reads a unit from here and WR_XB slices its codes into cell levels, so a program
// that loads from the wrong address, or an image with a wrong code, computes something else.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "xbar/codegen/program.h"
#include "xbar/mapping/mapping.h"
#include "xbar/reference/quantized_matrix_ops.h"
#include "xbar/schedule/layer_groups.h"

namespace xbar::execute {

// The part of one conv group's weight matrix a unit holds: outputs [firstOutput, endOutput)
// by rows [firstRow, endRow) of the group's matrix, codes outputs x rows, row-major.
struct WeightPiece {
  int64_t group = 0;
  int64_t firstOutput = 0, endOutput = 0;
  int64_t firstRow = 0, endRow = 0;
  std::vector<int64_t> codes;
};

struct UnitWeights {
  int32_t unit = 0;
  int32_t layer = 0;
  std::vector<WeightPiece> pieces;
};

class WeightImage {
 public:
  // Every unit's codes at its segment's address. std::logic_error when the program has no
  // segment for a unit.
  WeightImage(const codegen::Program& program, const schedule::LayerGroups& groups,
              const mapping::Mapping& mapping, const reference::QuantizedMatrixOps& quantized);

  // The unit whose weights start at `address`, or nullptr.
  const UnitWeights* at(int64_t address) const;
  // For tests that plant a corrupted weight.
  UnitWeights* mutableAt(int64_t address);

 private:
  std::map<int64_t, UnitWeights> byAddress_;
};

}  // namespace xbar::execute
