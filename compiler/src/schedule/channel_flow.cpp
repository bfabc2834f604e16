#include "xbar/schedule/channel_flow.h"

#include <algorithm>
#include <map>

namespace xbar::schedule {
namespace {

using ir::OpKind;

// Ops whose output channel c reads only channel c of their (first) operand.
bool keepsChannels(OpKind kind) {
  switch (kind) {
    case OpKind::BatchNormalization:
    case OpKind::Relu:
    case OpKind::Clip:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Gelu:
    case OpKind::Silu:
    case OpKind::Softplus:
    case OpKind::Mish:
    case OpKind::Sqrt:
    case OpKind::Reciprocal:
    case OpKind::Exp:
    case OpKind::Erf:
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::InstanceNormalization:
    case OpKind::Resize:
    case OpKind::Sign:
    case OpKind::Lif:
    case OpKind::MaxPool:
    case OpKind::AveragePool:
    case OpKind::GlobalAveragePool:
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
    case OpKind::Identity:
    case OpKind::Dropout:
      return true;
    default:
      return false;
  }
}

bool elementwise(OpKind kind) {
  return kind == OpKind::Add || kind == OpKind::Sub || kind == OpKind::Mul || kind == OpKind::Div ||
         kind == OpKind::Pow || kind == OpKind::Min || kind == OpKind::Max;
}

// The flow of one op's output from its operands' flows; records how it reads outside values.
class FlowBuilder {
 public:
  FlowBuilder(const ir::Graph& graph, int64_t samples, GroupFlow& flow)
      : graph_(graph), samples_(samples), flow_(flow) {}

  void matrixOutput(ir::ValueId out, int64_t channels, int64_t vectors) {
    const Extent e = extentOf(graph_, out, samples_);
    const bool known = e.channels == channels && e.positions == vectors;
    flows_[out] = {known, false, {}};
    // Its layout is not the units' (a MatMul over (N, tokens, K) makes tokens the first axis):
    // no core's run holds a box of it, so the leader finishes the group.
    if (!known) flow_.gathered = true;
  }

  void op(const ir::Node& n) {
    const ValueFlow out = flowOf(n);
    if (!out.known && !out.pre) flow_.gathered = true;
    for (ir::ValueId v : n.outputs)
      if (v != ir::kNoValue) flows_[v] = out;
  }

  void finish() {
    for (const auto& [v, f] : flows_) flow_.values.emplace_back(v, f);
    for (const auto& [v, use] : uses_) flow_.inputs.emplace_back(v, use);
  }

 private:
  bool inside(ir::ValueId v) const { return flows_.count(v) > 0; }

  bool constant(ir::ValueId v) const { return v == ir::kNoValue || graph_.value(v).isConstant; }

  void use(ir::ValueId v, InputUse how, ChannelMap map = {}) {
    auto [it, inserted] = uses_.try_emplace(v, how, map);
    // A value read two ways is handed to owners whole unless both ways are the same.
    if (!inserted && (it->second.first != how || it->second.second.offset != map.offset ||
                      it->second.second.scale != map.scale))
      it->second = {InputUse::Whole, {}};
  }

  ValueFlow flowOf(const ir::Node& n) {
    const Extent outExtent = n.outputs.empty() || n.outputs[0] == ir::kNoValue
                                 ? Extent{}
                                 : extentOf(graph_, n.outputs[0], samples_);
    // The operand that carries the matrix output's channels.
    const ValueFlow* carried = nullptr;
    Extent carriedExtent;
    int carriers = 0;
    bool readsPre = false;
    for (ir::ValueId in : n.inputs) {
      if (constant(in) || !inside(in)) continue;
      if (flows_.at(in).pre) {
        readsPre = true;
        continue;
      }
      carried = &flows_.at(in);
      carriedExtent = extentOf(graph_, in, samples_);
      ++carriers;
    }
    // Before the matrix op (a flatten of the graph input): the leader makes it.
    if (carriers == 0) return {false, true, {}};
    // A pre value read after the matrix op: the leader finishes the group.
    if (readsPre) return {};
    if (!carried->known) return {};

    if (keepsChannels(n.kind)) {
      if (carriers != 1 || outExtent.channels != carriedExtent.channels) return {};
      // Pooling reads across positions; LIF across time steps, which are positions too.
      if (n.kind == OpKind::MaxPool || n.kind == OpKind::AveragePool ||
          n.kind == OpKind::GlobalAveragePool || n.kind == OpKind::Lif ||
          n.kind == OpKind::InstanceNormalization || n.kind == OpKind::Resize)
        flow_.allPositions = true;
      return *carried;
    }
    if (elementwise(n.kind)) {
      for (ir::ValueId in : n.inputs) {
        if (constant(in)) continue;
        if (inside(in)) {
          const ValueFlow& f = flows_.at(in);
          if (!f.known || f.map.offset != carried->map.offset ||
              f.map.scale != carried->map.scale ||
              extentOf(graph_, in, samples_).channels != outExtent.channels)
            return {};
          continue;
        }
        const Extent e = extentOf(graph_, in, samples_);
        if (e.channels == outExtent.channels && e.positions == outExtent.positions)
          use(in, InputUse::Aligned, carried->map);
        else
          use(in, InputUse::Whole);
      }
      return *carried;
    }
    if (n.kind == OpKind::Concat) {
      const auto rank = static_cast<int64_t>(graph_.value(n.outputs[0]).shape.size());
      int64_t axis = n.attrs.getInt("axis", 1, n.name);
      if (axis < 0) axis += rank;
      if (axis != 1 || carriers != 1) return {};
      int64_t offset = 0;
      ValueFlow out;
      for (ir::ValueId in : n.inputs) {
        if (in == ir::kNoValue) continue;
        const Extent e = extentOf(graph_, in, samples_);
        if (!constant(in) && inside(in)) {
          out = *carried;
          out.map = {offset + carried->map.offset, carried->map.scale};
        } else if (!constant(in)) {
          use(in, InputUse::Leader);
        }
        offset += e.channels;
      }
      return out;
    }
    if (n.kind == OpKind::Flatten || n.kind == OpKind::Reshape) {
      // A flatten: (N, C, ...) to (N, C x positions) keeps each channel's elements together.
      if (carriers != 1 || outExtent.positions != 1 ||
          outExtent.channels != carriedExtent.elements())
        return {};
      const int64_t s = carriedExtent.positions;
      if (s > 1) flow_.allPositions = true;
      ValueFlow out = *carried;
      out.map = {carried->map.offset * s, carried->map.scale * s};
      return out;
    }
    return {};  // mixes channels (softmax, transpose, pad, ...)
  }

  const ir::Graph& graph_;
  int64_t samples_;
  GroupFlow& flow_;
  std::map<ir::ValueId, ValueFlow> flows_;
  std::map<ir::ValueId, std::pair<InputUse, ChannelMap>> uses_;
};

}  // namespace

Extent extentOf(const ir::Graph& graph, ir::ValueId value, int64_t samples) {
  const ir::Value& v = graph.value(value);
  const int64_t perSample = std::max<int64_t>(1, v.elementCount() / std::max<int64_t>(1, samples));
  if (v.shape.size() < 2 || v.shape[1] <= 0) return {perSample, 1};
  const int64_t steps = std::max<int64_t>(1, v.shape[0] / std::max<int64_t>(1, samples));
  return {v.shape[1], std::max<int64_t>(1, perSample / v.shape[1]), steps};
}

std::vector<GroupFlow> channelFlows(const ir::Graph& graph, const std::vector<int32_t>& groupOfNode,
                                    const std::vector<ir::NodeId>& matrixNodes,
                                    const std::vector<int64_t>& channels,
                                    const std::vector<int64_t>& vectors, int64_t samples) {
  std::vector<GroupFlow> flows(matrixNodes.size());
  std::vector<FlowBuilder> builders;
  builders.reserve(flows.size());
  for (size_t g = 0; g < flows.size(); ++g) builders.emplace_back(graph, samples, flows[g]);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const auto g = static_cast<size_t>(groupOfNode[i]);
    if (g >= flows.size()) continue;
    const ir::Node& n = graph.nodes[i];
    if (static_cast<ir::NodeId>(i) == matrixNodes[g])
      builders[g].matrixOutput(n.outputs[0], channels[g], vectors[g]);
    else
      builders[g].op(n);
  }
  for (FlowBuilder& b : builders) b.finish();
  return flows;
}

}  // namespace xbar::schedule
