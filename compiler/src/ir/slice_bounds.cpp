#include "xbar/ir/slice_bounds.h"

#include <algorithm>

#include "xbar/support/error.h"

namespace xbar::ir {

std::vector<SliceAxis> sliceAxes(const std::vector<int64_t>& shape,
                                 const std::vector<int64_t>& starts,
                                 const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                                 const std::vector<int64_t>& steps, const std::string& where) {
  if (ends.size() != starts.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size()))
    failInput(where, "Slice has {} starts, {} ends, {} axes and {} steps; expected as many of each",
              starts.size(), ends.size(), axes.size(), steps.size());
  const auto rank = static_cast<int64_t>(shape.size());
  std::vector<SliceAxis> out(shape.size());
  for (size_t k = 0; k < shape.size(); ++k) out[k] = {0, 1, shape[k]};
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes.empty() ? static_cast<int64_t>(i) : axes[i];
    if (axis < -rank || axis >= rank)
      failInput(where, "Slice axis {} is outside a rank-{} tensor", axis, rank);
    if (axis < 0) axis += rank;
    const int64_t s = steps.empty() ? 1 : steps[i];
    if (s == 0) failInput(where, "Slice step on axis {} is 0; expected a nonzero step", axis);
    const int64_t dim = shape[static_cast<size_t>(axis)];
    int64_t b = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t count = 0;
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      count = b > e ? (b - e - s - 1) / -s : 0;
    }
    out[static_cast<size_t>(axis)] = {b, s, count};
  }
  return out;
}

}  // namespace xbar::ir
