// The Resize modes xbar computes (reference/tensor_kernels.h): nearest or linear, with the
// coordinate transformation modes half_pixel, pytorch_half_pixel, align_corners and
// asymmetric. The passes refuse anything else when a model is loaded, the kernel when it runs.
#pragma once

#include <string>

#include "xbar/ir/node.h"

namespace xbar::ir {

// Why xbar cannot run this Resize (its mode, coordinate mode or rounding), or empty.
std::string unsupportedResize(const Node& n, const std::string& where);

}  // namespace xbar::ir
