// Decodes ONNX TensorProto contents (typed fields, raw_data, external data) into IR data.
#pragma once

#include <filesystem>
#include <string>

#include <onnx/onnx_pb.h>

#include "xbar/ir/value.h"

namespace xbar::frontend {

// Element type and bits of an ONNX data type; throws InputError naming `where` for types
// the IR does not hold (strings, complex).
ir::ElementType elementTypeOf(int32_t onnxType, const std::string& where, int* bits);
inline ir::ElementType elementTypeOf(int32_t onnxType, const std::string& where) {
  int bits = 0;
  return elementTypeOf(onnxType, where, &bits);
}

// True when the tensor holds no data at all (a stripped initializer).
bool tensorHasNoData(const onnx::TensorProto& tensor);

// The file an external-data `location` names: a regular file inside `baseDir` (the model's
// directory). Throws InputError naming `where` for an absolute location, one that leaves the
// directory, or one that is missing or not a regular file.
std::filesystem::path externalDataFile(const std::string& location,
                                       const std::filesystem::path& baseDir,
                                       const std::string& where);

// Decodes the tensor's data; `baseDir` resolves external data locations; `rawData`, when
// not empty, stands for the tensor's raw_data (kept out of the message, see
// raw_data_filter.h). Checks that the data has exactly the number of elements the dims
// promise.
ir::TensorData decodeTensorData(const onnx::TensorProto& tensor,
                                const std::filesystem::path& baseDir, const std::string& where,
                                std::string_view rawData = {});

// The inverse, for a constant the passes folded: `value` (with data) as a tensor named like it,
// of ONNX element type `onnxType` (integers as INT64 or in int32_data, floats as DOUBLE or
// FLOAT).
void encodeTensorData(const ir::Value& value, int32_t onnxType, onnx::TensorProto* tensor);

}  // namespace xbar::frontend
