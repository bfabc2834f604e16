// ONNX → Graph IR. Parses the protobuf, runs the ONNX checker and shape inference on the
// model's structure (weights excluded, so huge models check fast), and builds a Graph whose
// values all have static shapes. Weight data is optional: --shapes-only and stripped
// exports load dims alone. Weights in an ONNX external-data side file load too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "xbar/ir/graph.h"

namespace xbar::frontend {

struct LoadOptions {
  // Do not read weight data (large float initializers); dims are still known.
  bool shapesOnly = false;
  // Values for symbolic input dimensions, by dim_param name ("batch" → 1).
  std::map<std::string, int64_t> dimValues;
};

// Metadata key the exporter sets on models whose weights were stripped.
inline constexpr const char* kStrippedMetadataKey = "xbar.weights";
inline constexpr const char* kStrippedMetadataValue = "stripped";

// Throws InputError naming the file and the node / tensor / input at fault.
ir::Graph loadOnnx(const std::filesystem::path& path, const LoadOptions& options = {});

// loadOnnx followed by passes::runStandardPasses: the graph every later stage expects.
ir::Graph loadPreparedGraph(const std::filesystem::path& path, const LoadOptions& options = {});

}  // namespace xbar::frontend
