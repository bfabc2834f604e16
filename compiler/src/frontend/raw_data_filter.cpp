#include "raw_data_filter.h"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace xbar::frontend {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;
using WireFormat = google::protobuf::internal::WireFormatLite;

// Field numbers from onnx.proto.
constexpr int kModelGraph = 7;        // ModelProto.graph
constexpr int kGraphInitializer = 5;  // GraphProto.initializer
constexpr int kTensorRawData = 9;     // TensorProto.raw_data

void appendVarint(std::string& out, uint64_t value) {
  uint8_t buffer[10];
  const uint8_t* end = CodedOutputStream::WriteVarint64ToArray(value, buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(end - buffer));
}

void appendLengthDelimited(std::string& out, uint32_t tag, std::string_view payload) {
  appendVarint(out, tag);
  appendVarint(out, payload.size());
  out.append(payload);
}

enum class Level { Model, Graph, Tensor };

// Copies the fields of one message from `in` to `out`, recursing into the graph and its
// initializers, and leaving large raw_data out. `base` locates `in` within the whole model.
bool filterMessage(std::string_view in, Level level, std::string& out, FilteredModel& model) {
  CodedInputStream stream(reinterpret_cast<const uint8_t*>(in.data()), static_cast<int>(in.size()));
  stream.SetTotalBytesLimit(INT_MAX);
  while (true) {
    const int start = stream.CurrentPosition();
    const uint32_t tag = stream.ReadTag();
    if (tag == 0) return stream.CurrentPosition() == static_cast<int>(in.size());
    const int field = WireFormat::GetTagFieldNumber(tag);
    switch (WireFormat::GetTagWireType(tag)) {
      case WireFormat::WIRETYPE_VARINT: {
        uint64_t ignored;
        if (!stream.ReadVarint64(&ignored)) return false;
        break;
      }
      case WireFormat::WIRETYPE_FIXED64:
        if (!stream.Skip(8)) return false;
        break;
      case WireFormat::WIRETYPE_FIXED32:
        if (!stream.Skip(4)) return false;
        break;
      case WireFormat::WIRETYPE_LENGTH_DELIMITED: {
        uint32_t length;
        if (!stream.ReadVarint32(&length)) return false;
        const int payloadStart = stream.CurrentPosition();
        if (length > in.size() - static_cast<size_t>(payloadStart)) return false;
        const std::string_view payload = in.substr(static_cast<size_t>(payloadStart), length);
        if (!stream.Skip(static_cast<int>(length))) return false;
        if (level == Level::Model && field == kModelGraph) {
          std::string graph;
          if (!filterMessage(payload, Level::Graph, graph, model)) return false;
          appendLengthDelimited(out, tag, graph);
          continue;
        }
        if (level == Level::Graph && field == kGraphInitializer) {
          model.rawData.emplace_back();
          std::string tensor;
          if (!filterMessage(payload, Level::Tensor, tensor, model)) return false;
          appendLengthDelimited(out, tag, tensor);
          continue;
        }
        if (level == Level::Tensor && field == kTensorRawData && length > kKeptRawDataBytes) {
          model.rawData.back() = payload;
          continue;
        }
        break;
      }
      default:  // groups are deprecated and never used by ONNX
        return false;
    }
    out.append(in.substr(static_cast<size_t>(start),
                         static_cast<size_t>(stream.CurrentPosition() - start)));
  }
}

}  // namespace

bool filterRawData(std::string_view model, FilteredModel& out) {
  out.bytes.clear();
  out.rawData.clear();
  if (model.size() > static_cast<size_t>(INT_MAX)) return false;
  return filterMessage(model, Level::Model, out.bytes, out);
}

}  // namespace xbar::frontend
