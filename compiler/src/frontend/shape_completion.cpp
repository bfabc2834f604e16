#include "shape_completion.h"

#include <string>
#include <vector>

#include "xbar/ir/einsum_equation.h"

namespace xbar::frontend {
namespace {

// The dims of a fully static tensor type, or false.
bool staticDims(const onnx::TypeProto* t, std::vector<int64_t>& dims) {
  if (t == nullptr || !t->has_tensor_type() || !t->tensor_type().has_shape()) return false;
  dims.clear();
  for (const auto& d : t->tensor_type().shape().dim()) {
    if (!d.has_dim_value()) return false;
    dims.push_back(d.dim_value());
  }
  return true;
}

}  // namespace

size_t completeEinsumShapes(onnx::ModelProto& skeleton, const TypeLookup& typeOf,
                            const std::function<std::string(const onnx::NodeProto&)>& where) {
  size_t set = 0;
  auto* graph = skeleton.mutable_graph();
  for (const onnx::NodeProto& n : graph->node()) {
    if (n.op_type() != "Einsum" || n.output_size() != 1) continue;
    std::vector<int64_t> dims;
    if (staticDims(typeOf(n.output(0)), dims)) continue;
    std::vector<std::vector<int64_t>> shapes;
    bool known = true;
    for (const std::string& in : n.input()) {
      known = known && staticDims(typeOf(in), dims);
      shapes.push_back(dims);
    }
    const onnx::TypeProto* out = typeOf(n.output(0));
    if (!known || out == nullptr || !out->has_tensor_type()) continue;
    std::string equation;
    for (const auto& a : n.attribute())
      if (a.name() == "equation") equation = a.s();
    const ir::EinsumEquation e = ir::parseEinsum(equation, shapes, where(n));
    onnx::ValueInfoProto* info = nullptr;
    for (auto& v : *graph->mutable_value_info())
      if (v.name() == n.output(0)) info = &v;
    if (info == nullptr) {
      info = graph->add_value_info();
      info->set_name(n.output(0));
    }
    auto* type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(out->tensor_type().elem_type());
    type->clear_shape();
    for (size_t k = 0; k < e.output.size(); ++k)
      type->mutable_shape()->add_dim()->set_dim_value(e.extents[k]);
    ++set;
  }
  return set;
}

}  // namespace xbar::frontend
