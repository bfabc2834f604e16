#include "xbar/reference/window.h"

#include <algorithm>

#include "xbar/support/error.h"

namespace xbar::reference {

using Shape = std::vector<int64_t>;

Window windowOf(const ir::Node& n, const Shape& in, const Shape& out, const Shape& kernel,
                const std::string& where) {
  if (in.size() < 3) failInput(where, "a sliding window over a rank-{} input", in.size());
  const size_t spatial = in.size() - 2;
  if (kernel.size() != spatial || out.size() != in.size())
    failInput(where, "a window of rank {} over an input of rank {}", kernel.size(), in.size());
  const auto strides = n.attrs.getInts("strides", Shape(spatial, 1), where);
  const auto dilations = n.attrs.getInts("dilations", Shape(spatial, 1), where);
  const auto pads = n.attrs.getInts("pads", Shape(2 * spatial, 0), where);
  const std::string autoPad = n.attrs.getString("auto_pad", "NOTSET", where);
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    failInput(where, "strides, dilations or pads do not match {} spatial dims", spatial);
  Window w;
  for (size_t k = 0; k < spatial; ++k) {
    if (strides[k] < 1 || dilations[k] < 1) failInput(where, "strides and dilations must be >= 1");
    const int64_t reach = (kernel[k] - 1) * dilations[k] + 1;
    const int64_t needed = (out[k + 2] - 1) * strides[k] + reach - in[k + 2];
    int64_t begin = pads[k];
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(0, needed);
      begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (autoPad == "VALID") {
      begin = 0;
    }
    w.strides.push_back(strides[k]);
    w.kernel.push_back(kernel[k]);
    w.dilations.push_back(dilations[k]);
    w.padBegin.push_back(begin);
    w.padEnd.push_back(std::max(autoPad == "NOTSET" ? pads[k + spatial] : 0, needed - begin));
  }
  return w;
}

}  // namespace xbar::reference
