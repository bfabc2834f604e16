// A value of the Graph IR: a tensor with a static shape, produced by one node or given
// (a graph input or an initializer). Constant values may carry their data; weight data is
// optional so stripped or huge models load by shape alone.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <llvm/ADT/SmallVector.h>

namespace xbar::ir {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr ValueId kNoValue = -1;
inline constexpr NodeId kNoNode = -1;

using Shape = llvm::SmallVector<int64_t, 4>;

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
  // Bits per element in the model file (32 for float32); informs weight footprints.
  int bitsInModel = 32;
  Shape shape;
  bool isConstant = false;          // initializer, Constant output, or folded
  std::optional<TensorData> data;   // absent for stripped / shapes-only weights
  NodeId producer = kNoNode;

  int64_t elementCount() const;
};

std::string shapeToString(const Shape& shape);

}  // namespace xbar::ir
