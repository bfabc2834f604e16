// A sliding window's geometry (Conv, MaxPool, AveragePool) from the node's ONNX attributes
// and the input and output shapes the IR holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xbar/ir/node.h"

namespace xbar::reference {

struct Window {
  std::vector<int64_t> strides, kernel, dilations;  // dilations as ONNX counts them (1 = none)
  std::vector<int64_t> padBegin, padEnd;
};

// auto_pad is resolved into padBegin. padEnd is at least the attribute's and at least what
// makes the floor rule reach the IR's output size, so ceil_mode needs no special case.
Window windowOf(const ir::Node& node, const std::vector<int64_t>& in,
                const std::vector<int64_t>& out, const std::vector<int64_t>& kernel,
                const std::string& where);

}  // namespace xbar::reference
