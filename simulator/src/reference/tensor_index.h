// Index arithmetic the float kernels share (private to the reference library): C-order
// strides, ONNX axis normalisation and numpy broadcasting.
#pragma once

#include <string>
#include <vector>

#include "xbar/ir/value.h"
#include "xbar/reference/tensor.h"
#include "xbar/support/error.h"

namespace xbar::reference::detail {

using Shape = std::vector<int64_t>;

inline Shape stridesOf(const Shape& shape) {
  Shape strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

inline int64_t normalisedAxis(int64_t axis, size_t rank, const std::string& where) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) failInput(where, "axis {} is outside a rank-{} tensor", axis, r);
  return axis < 0 ? axis + r : axis;
}

// For each output element, the index into `operand` under numpy broadcasting, walked with an
// odometer so no element costs a division.
inline std::vector<int64_t> broadcastIndex(const Shape& operand, const Shape& out,
                                           const std::string& where) {
  if (operand.size() > out.size())
    failInput(where, "an operand of rank {} does not broadcast to rank {}", operand.size(),
              out.size());
  const size_t offset = out.size() - operand.size();
  Shape step(out.size(), 0);
  const Shape strides = stridesOf(operand);
  for (size_t k = 0; k < operand.size(); ++k) {
    if (operand[k] != 1 && operand[k] != out[k + offset])
      failInput(where, "an operand of shape {} does not broadcast to {}",
                ir::shapeToString(operand), ir::shapeToString(out));
    step[k + offset] = operand[k] == 1 ? 0 : strides[k];
  }
  const int64_t total = elementCountOf(out);
  std::vector<int64_t> index(static_cast<size_t>(total));
  Shape coord(out.size(), 0);
  int64_t at = 0;
  for (int64_t i = 0; i < total; ++i) {
    index[static_cast<size_t>(i)] = at;
    for (size_t k = out.size(); k-- > 0;) {
      at += step[k];
      if (++coord[k] < out[k]) break;
      at -= step[k] * out[k];
      coord[k] = 0;
    }
  }
  return index;
}

}  // namespace xbar::reference::detail
