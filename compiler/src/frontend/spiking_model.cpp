#include "spiking_model.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

#include <charconv>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "xbar/ir/op_kind.h"
#include "xbar/support/error.h"

namespace xbar::frontend {

void registerXbarOps() {
  static std::once_flag once;
  std::call_once(once, [] {
    onnx::OpSchemaRegistry::DomainToVersionRange::Instance().AddDomainToVersion(
        std::string(ir::kXbarDomain), 1, 1);
    onnx::OpSchema lif;
    lif.SetName("LIF")
        .SetDomain(std::string(ir::kXbarDomain))
        .SinceVersion(1)
        .SetDoc("Leaky integrate-and-fire neurons, one step (docs/design.md §9b).")
        .Input(0, "x", "synaptic input W.x[t]", "T")
        .Input(1, "b", "bias per channel", "T", onnx::OpSchema::Optional)
        .Output(0, "s", "spikes s[t] (0 or 1)", "T")
        .TypeConstraint("T", {"tensor(float)"}, "float tensors")
        .TypeAndShapeInferenceFunction(onnx::propagateShapeAndTypeFromFirstInput);
    for (const char* a : kLifAttributes)
      lif.Attr(a, "a LIF parameter (docs/design.md §9b)", onnx::AttributeProto::FLOAT, false);
    onnx::RegisterSchema(std::move(lif));
  });
}

int64_t snnTimesteps(const onnx::ModelProto& model, const std::string& file) {
  int64_t timesteps = 0;
  for (const auto& prop : model.metadata_props()) {
    if (prop.key() != kTimestepsMetadataKey) continue;
    const std::string_view v = prop.value();
    const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), timesteps);
    if (error != std::errc() || end != v.data() + v.size() || timesteps < 1 || timesteps > 1000000)
      failInput(file, "metadata {} is '{}'; expected a whole number of time steps, 1 to 1000000",
                kTimestepsMetadataKey, prop.value());
  }
  for (const auto& n : model.graph().node()) {
    if (n.domain() != ir::kXbarDomain || n.op_type() != "LIF") continue;
    const std::string where = fmt::format("{}: node '{}' (xbar::LIF)", file, n.name());
    if (timesteps == 0)
      failInput(where,
                "makes this a spiking network, but the model has no metadata {} (the "
                "time steps it runs)",
                kTimestepsMetadataKey);
    for (const char* a : kLifAttributes) {
      bool found = false;
      for (const auto& attr : n.attribute())
        found |= attr.name() == a && attr.type() == onnx::AttributeProto::FLOAT;
      if (!found)
        failInput(where,
                  "has no float attribute '{}'; a LIF states all of alpha_i, alpha_v, beta_i, "
                  "beta_v, beta_b and theta (the convention's values: 0.99, 0.99, 1, 1, 1, 1)",
                  a);
    }
  }
  return timesteps;
}

void unrollTime(onnx::ModelProto& skeleton, const onnx::GraphProto& original, int64_t timesteps,
                const std::string& file) {
  auto* graph = skeleton.mutable_graph();
  std::unordered_set<std::string> initializers;
  for (const auto& t : original.initializer()) initializers.insert(t.name());
  for (auto& input : *graph->mutable_input()) {
    if (initializers.count(input.name())) continue;
    auto* shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() < 1 || shape->dim(0).dim_value() != 1)
      failInput(file,
                "input '{}' of a spiking network must be one time step of one sample (first "
                "dimension 1); the time steps come from metadata {}",
                input.name(), kTimestepsMetadataKey);
    shape->mutable_dim(0)->set_dim_value(timesteps);
  }
  for (auto& output : *graph->mutable_output()) {
    auto* shape = output.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() > 0 && shape->dim(0).dim_value() == 1)
      shape->mutable_dim(0)->set_dim_value(timesteps);
  }
  graph->clear_value_info();
}

}  // namespace xbar::frontend
