#include "xbar/reference/tensor.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace xbar::reference {

bool sameBits(float a, float b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

int64_t elementCountOf(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > INT64_MAX / d)) return -1;
    n *= d;
  }
  return n;
}

Tensor Tensor::filled(std::vector<int64_t> shape, float fill) {
  const int64_t n = elementCountOf(shape);
  return Tensor(std::move(shape), std::vector<float>(static_cast<size_t>(n < 0 ? 0 : n), fill));
}

int64_t Tensor::elementCount() const {
  return elementCountOf(shape);
}

}  // namespace xbar::reference
