#include "xbar/ir/value.h"

#include <fmt/format.h>

namespace xbar::ir {

int64_t Value::elementCount() const {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  return count;
}

std::string shapeToString(const Shape& shape) {
  return fmt::format("[{}]", fmt::join(shape, "x"));
}

}  // namespace xbar::ir
