// Parses an ONNX model without copying its weights. Protobuf's parser copies every
// initializer's raw_data into the message; for a 500 MB model that copy (and its page
// faults) dominates loading. This filter walks the wire format with protobuf's
// CodedInputStream and re-emits the model without the raw_data of large initializers,
// remembering where each payload lies in the original bytes, which stay memory-mapped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace xbar::frontend {

struct FilteredModel {
  std::string bytes;                      // the model without large raw_data payloads
  std::vector<std::string_view> rawData;  // per graph initializer, in order; empty if kept
};

// Payloads up to this size stay in the message (scalars, shape vectors, small tensors).
inline constexpr size_t kKeptRawDataBytes = 4096;

// Returns false when the bytes are not a well-formed protobuf message.
bool filterRawData(std::string_view model, FilteredModel& out);

}  // namespace xbar::frontend
