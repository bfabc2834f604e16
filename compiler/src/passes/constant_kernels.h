// What constant folding computes (passes::foldConstants), on constants held as doubles: exact
// for the small integers of shape arithmetic. Private to the passes library; each refuses what
// ONNX forbids with InputError naming `where`.
#pragma once

#include <string>
#include <vector>

#include "xbar/ir/graph.h"

namespace xbar::passes::detail {

// Constant data as doubles, whatever its element type; and back, refusing an integer result
// that is no 64-bit integer.
std::vector<double> asDoubles(const ir::Value& v);
ir::TensorData fromDoubles(const std::vector<double>& values, ir::ElementType type,
                           const std::string& where);
// A constant's values as indices, clamped to +-2^62 (ONNX's "to the end" is INT64_MAX).
std::vector<int64_t> intsOf(const ir::Graph& g, ir::ValueId v);

std::vector<int64_t> stridesOf(const ir::Shape& shape);
// An axis of a rank-`rank` tensor, refusing one outside [-rank, rank).
int64_t checkedAxis(int64_t axis, int64_t rank, const std::string& where);
// For each element of `out`, the index into `v` under numpy broadcasting.
std::vector<size_t> broadcastIndex(const ir::Value& v, const ir::Shape& out,
                                   const std::string& where);

// Add, Sub, Mul, Div, Equal, Mod and Pow under numpy broadcasting.
std::vector<double> broadcast(const ir::Value& a, const ir::Value& b, const ir::Shape& out,
                              ir::OpKind op, const std::string& where);
std::vector<double> gather(const ir::Value& data, const ir::Value& indices, int64_t axis,
                           const std::string& where);
std::vector<double> concat(const ir::Graph& g, const ir::Node& node, int64_t axis,
                           const ir::Shape& out, const std::string& where);
std::vector<double> select(const ir::Value& condition, const ir::Value& x, const ir::Value& y,
                           const ir::Shape& out, const std::string& where);
std::vector<double> expand(const ir::Value& x, const ir::Shape& out, const std::string& where);
std::vector<double> range(const ir::Graph& g, const ir::Node& node, const std::string& where);
std::vector<double> slice(const ir::Graph& g, const ir::Node& node, const std::string& where);
std::vector<double> scatterNd(const ir::Value& data, const ir::Value& indices,
                              const ir::Value& updates, const std::string& where);
std::vector<double> transpose(const ir::Value& x, const ir::Shape& out, const ir::Node& node,
                              const std::string& where);

}  // namespace xbar::passes::detail
