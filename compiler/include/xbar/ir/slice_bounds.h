// ONNX Slice's index arithmetic, shared by constant folding (passes) and the float kernel
// (reference): which elements of each axis a Slice takes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xbar::ir {

struct SliceAxis {
  int64_t first = 0, step = 1, count = 0;  // elements first, first + step, ... (count of them)
};

// Per axis of `shape`, from starts, ends, axes (empty: 0, 1, ...) and steps (empty: all 1), with
// ONNX's clamping of out-of-range starts and ends. InputError (naming `where`) for a step of 0,
// an axis outside the rank or lists of different lengths.
std::vector<SliceAxis> sliceAxes(const std::vector<int64_t>& shape,
                                 const std::vector<int64_t>& starts,
                                 const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                 const std::vector<int64_t>& steps, const std::string& where);

}  // namespace xbar::ir
