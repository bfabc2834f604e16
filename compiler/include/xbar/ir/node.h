// A node of the Graph IR: one typed op with its operands by value id.
#pragma once

#include <string>

#include <llvm/ADT/SmallVector.h>

#include "xbar/ir/attributes.h"
#include "xbar/ir/op_kind.h"
#include "xbar/ir/value.h"

namespace xbar::ir {

struct Node {
  std::string name;
  OpKind kind = OpKind::Identity;
  llvm::SmallVector<ValueId, 3> inputs;   // kNoValue marks an omitted optional input
  llvm::SmallVector<ValueId, 1> outputs;  // kNoValue marks an omitted optional output
  Attributes attrs;
  bool removed = false;  // set by passes; Graph::compact() drops it

  ValueId input(size_t i) const { return i < inputs.size() ? inputs[i] : kNoValue; }
};

}  // namespace xbar::ir
