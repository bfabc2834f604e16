// A dense float tensor in C order: what the references compute on and what .npy files hold.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace xbar::reference {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  Tensor(std::vector<int64_t> shape_, std::vector<float> data_)
      : shape(std::move(shape_)), data(std::move(data_)) {}
  // A tensor of `shape` filled with `fill`.
  static Tensor filled(std::vector<int64_t> shape, float fill = 0.0F);

  int64_t elementCount() const;
};

// Whether two floats are the same bits: exact equality where a NaN equals itself and 0 and -0
// differ (the executor's values against the quantized reference's).
bool sameBits(float a, float b);

// Element count of a shape; -1 when it overflows int64 or a dimension is negative.
int64_t elementCountOf(const std::vector<int64_t>& shape);

}  // namespace xbar::reference
