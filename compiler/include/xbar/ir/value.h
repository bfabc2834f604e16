// A value of the Graph IR: a tensor with a static shape, produced by one node or given
// (a graph input or an initializer). Constant values may carry their data; weight data is
// optional so stripped or huge models load by shape alone.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace xbar::ir {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr ValueId kNoValue = -1;
inline constexpr NodeId kNoNode = -1;

// std::vector, not llvm::SmallVector: SmallVector's move is not noexcept, and a Value that
// cannot move without throwing makes std::vector<Value> copy every weight when it grows.
using Shape = std::vector<int64_t>;

// Element types the IR distinguishes. Floating types are held as float, integer and bool
// types as int64 (constants of those types are only ever small shape and index tensors).
enum class ElementType { Float, Int };

// Contents of a constant: exactly one of the vectors is in use, per the value's type.
struct TensorData {
  std::vector<float> floats;
  std::vector<int64_t> ints;
};

struct Value {
  std::string name;
  ElementType type = ElementType::Float;
  Shape shape;
  bool isConstant = false;         // initializer, Constant output, or folded
  std::optional<TensorData> data;  // absent for stripped / shapes-only weights
  // Folded from Sign over a weight (times a constant scale) without data: every element is
  // +-s of a scale s (docs/design.md §9b). With data, the mapper reads the values instead.
  bool binaryWithoutData = false;
  NodeId producer = kNoNode;

  int64_t elementCount() const;
};

static_assert(std::is_nothrow_move_constructible_v<Value>,
              "growing std::vector<Value> must not copy weights");

std::string shapeToString(const Shape& shape);

}  // namespace xbar::ir
