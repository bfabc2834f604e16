// ONNX Einsum with an explicit output (ir/einsum_equation.h), every operand an activation or a
// constant: MaxViT's attention ("BGHID,BGHJD->BGHIJ"). Sums in double, rounded once.
#pragma once

#include <string>
#include <vector>

#include "xbar/ir/node.h"
#include "xbar/reference/tensor.h"

namespace xbar::reference {

Tensor einsum(const ir::Node& n, const std::vector<const Tensor*>& in,
              const std::vector<int64_t>& out, const std::string& where);

}  // namespace xbar::reference
