#include "xbar/ir/resize_modes.h"

#include <fmt/format.h>

namespace xbar::ir {

std::string unsupportedResize(const ir::Node& n, const std::string& where) {
  const std::string mode = n.attrs.getString("mode", "nearest", where);
  if (mode != "nearest" && mode != "linear")
    return fmt::format("Resize mode '{}' is not supported; expected nearest or linear", mode);
  const std::string coordinates =
      n.attrs.getString("coordinate_transformation_mode", "half_pixel", where);
  if (coordinates != "half_pixel" && coordinates != "pytorch_half_pixel" &&
      coordinates != "align_corners" && coordinates != "asymmetric")
    return fmt::format(
        "Resize coordinate_transformation_mode '{}' is not supported; expected half_pixel, "
        "pytorch_half_pixel, align_corners or asymmetric",
        coordinates);
  const std::string rounding = n.attrs.getString("nearest_mode", "round_prefer_floor", where);
  if (rounding != "round_prefer_floor" && rounding != "round_prefer_ceil" && rounding != "floor" &&
      rounding != "ceil")
    return fmt::format("Resize nearest_mode '{}' is not supported", rounding);
  return {};
}

}  // namespace xbar::ir
