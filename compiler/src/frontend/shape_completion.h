// Output shapes ONNX 1.12's shape inference leaves unknown where xbar can compute them: Einsum
// (it infers the rank only). Written into the skeleton's value_info so that the next round of
// inference carries them to the ops downstream.
#pragma once

#include <cstddef>
#include <functional>

#include <onnx/onnx_pb.h>

namespace xbar::frontend {

// The inferred type of a value by name, or nullptr.
using TypeLookup = std::function<const onnx::TypeProto*(const std::string&)>;

// Sets the shape of every Einsum output whose operands have static shapes and whose own shape
// is not static; returns how many it set. `where` names a node in errors.
size_t completeEinsumShapes(onnx::ModelProto& skeleton, const TypeLookup& typeOf,
                            const std::function<std::string(const onnx::NodeProto&)>& where);

}  // namespace xbar::frontend
