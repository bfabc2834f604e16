// ONNX Einsum's equation ("bhid,bhjd->bhij"), parsed once for the float kernel and the vector
// cost: one label per axis of each operand and of the output. Spaces are ignored (torch writes
// "B G H I D, ..."); an ellipsis, a repeated label within one operand and an implicit output
// (no "->") are refused, as xbar does not compute them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xbar::ir {

struct EinsumEquation {
  std::vector<std::string> inputs;  // each operand's labels, one per axis
  std::string output;
  std::string labels;            // every distinct label, output ones first
  std::vector<int64_t> extents;  // per label of `labels`

  // Multiply-accumulates of one evaluation: the product of every label's extent.
  double macs() const;
};

// Parses `equation` for operands of `shapes`; InputError naming `where` when it does not fit.
EinsumEquation parseEinsum(const std::string& equation,
                           const std::vector<std::vector<int64_t>>& shapes,
                           const std::string& where);

}  // namespace xbar::ir
