#include "xbar/schedule/layer_groups.h"

#include <algorithm>
#include <tuple>

#include "xbar/schedule/vector_work.h"
#include "xbar/support/error.h"

namespace xbar::schedule {
namespace {

// Samples one inference of the model carries: the leading dim of its first input (a spiking
// network's leading dim is its time steps: one sample).
int64_t samplesPerInference(const ir::Graph& g) {
  if (g.timesteps > 0 || g.inputs.empty() || g.value(g.inputs[0]).shape.empty()) return 1;
  return std::max<int64_t>(1, g.value(g.inputs[0]).shape[0]);
}

// The group of each node: its own matrix layer, or for a non-matrix op the latest group it
// depends on (docs/design.md §4). Adds each non-matrix op's work to its group.
std::vector<int32_t> assignGroups(const ir::Graph& graph, const mapping::Mapping& mapping,
                                  int64_t samples, std::vector<LayerGroup>& layers,
                                  std::vector<int32_t>& groupOfValue) {
  std::vector<int32_t> layerOfNode(graph.nodes.size(), -1);
  for (size_t l = 0; l < mapping.layers.size(); ++l)
    layerOfNode[static_cast<size_t>(mapping.layers[l].layer.node)] = static_cast<int32_t>(l);
  groupOfValue.assign(graph.values.size(), -1);
  std::vector<int32_t> groupOfNode(graph.nodes.size(), 0);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& n = graph.nodes[i];
    int32_t group = layerOfNode[i];
    if (group < 0) {
      group = 0;
      for (ir::ValueId in : n.inputs)
        if (in != ir::kNoValue) group = std::max(group, groupOfValue[static_cast<size_t>(in)]);
      if (!layers.empty()) {
        LayerGroup& p = layers[static_cast<size_t>(group)];
        p.vectorOps.emplace_back(n.kind, vectorElementOps(graph, n) / static_cast<double>(samples));
        // A LIF keeps each neuron's I and V from one time step to the next.
        if (n.kind == ir::OpKind::Lif && graph.timesteps > 0)
          p.stateNeurons += graph.value(n.outputs[0]).elementCount() / graph.timesteps;
      }
    }
    groupOfNode[i] = group;
    for (ir::ValueId out : n.outputs)
      if (out != ir::kNoValue) groupOfValue[static_cast<size_t>(out)] = group;
  }
  return groupOfNode;
}

// Input elements of one sample in the rows a Conv's consecutive output rows share: (effective
// kernel height - stride) rows of width x channels, where the input is (N, C, H, W). A
// ConvTranspose's output row reads ceil(kernel / stride) input rows, consecutive ones all but
// one of them.
double haloBytes(const ir::Graph& graph, const ir::Node& node, ir::ValueId x, ir::ValueId w) {
  const ir::Shape& in = graph.value(x).shape;
  const ir::Shape& weight = graph.value(w).shape;
  const bool transposed = node.kind == ir::OpKind::ConvTranspose;
  if ((node.kind != ir::OpKind::Conv && !transposed) || in.size() != 4 || weight.size() != 4)
    return 0.0;
  const std::vector<int64_t> strides = node.attrs.getInts("strides", {1, 1}, node.name);
  const std::vector<int64_t> dilations = node.attrs.getInts("dilations", {1, 1}, node.name);
  const int64_t kernel = (weight[2] - 1) * (dilations.empty() ? 1 : dilations[0]) + 1;
  const int64_t stride = strides.empty() ? 1 : strides[0];
  // At most the input's height (a dilated or padded kernel can reach past it).
  const int64_t rows =
      std::min(in[2], transposed ? (kernel + stride - 1) / stride - 1 : kernel - stride);
  return rows > 0 ? static_cast<double>(rows * in[1] * in[3]) : 0.0;
}

}  // namespace

LayerGroups::LayerGroups(const ir::Graph& graph, const mapping::Mapping& mapping,
                         const arch::ArchConfig& arch)
    : model_(mapping.model) {
  const double activationBytes = static_cast<double>(arch.precision.activation_bits) / 8.0;
  const int64_t samples = samplesPerInference(graph);

  layers_.resize(mapping.layers.size());
  std::vector<int32_t> groupOfValue;
  groupOfNode_ = assignGroups(graph, mapping, samples, layers_, groupOfValue);
  const std::vector<int32_t>& groupOfNode = groupOfNode_;

  // Activations crossing groups: each group's inputs, and each value's last consumer group.
  readers_.resize(graph.values.size());
  std::vector<int32_t> lastConsumer(graph.values.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const int32_t h = groupOfNode[i];
    if (layers_.empty()) break;
    for (ir::ValueId in : graph.nodes[i].inputs) {
      if (in == ir::kNoValue || graph.value(in).isConstant) continue;
      const int32_t g =
          graph.value(in).producer == ir::kNoNode ? -1 : groupOfValue[static_cast<size_t>(in)];
      if (g == h) continue;
      const double bytes = static_cast<double>(graph.value(in).elementCount()) * activationBytes /
                           static_cast<double>(samples);
      auto& inputs = layers_[static_cast<size_t>(h)].inputs;
      const bool seen =
          std::any_of(inputs.begin(), inputs.end(), [&](const auto& e) { return e.value == in; });
      if (!seen) inputs.push_back({in, bytes, g});
      if (g >= 0)
        lastConsumer[static_cast<size_t>(in)] = std::max(lastConsumer[static_cast<size_t>(in)], h);
    }
  }
  for (ir::ValueId out : graph.outputs)
    if (graph.value(out).producer != ir::kNoNode)
      lastConsumer[static_cast<size_t>(out)] = kGraphOutput;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (lastConsumer[v] < 0 || groupOfValue[v] < 0 || layers_.empty()) continue;
    const double bytes = static_cast<double>(graph.values[v].elementCount()) * activationBytes /
                         static_cast<double>(samples);
    layers_[static_cast<size_t>(groupOfValue[v])].outputs.push_back(
        {static_cast<ir::ValueId>(v), bytes, lastConsumer[v]});
  }
  // Readers of each value, and each producer's consumers (by consumer, in its input order).
  for (size_t h = 0; h < layers_.size(); ++h)
    for (const LayerGroup::Input& in : layers_[h].inputs) {
      readers_[static_cast<size_t>(in.value)].push_back(static_cast<int32_t>(h));
      if (in.producer >= 0 && static_cast<size_t>(in.producer) < h)
        layers_[static_cast<size_t>(in.producer)].consumers.push_back(
            {static_cast<int32_t>(h), in.bytes, in.value});
    }

  profileLayers(graph, mapping, arch, samples);
  profileUnits(mapping, arch);
  describeFlows(graph, mapping, groupOfNode, samples);
}

// Each value's extent, and how each group's values follow its matrix output's channels.
void LayerGroups::describeFlows(const ir::Graph& graph, const mapping::Mapping& mapping,
                                const std::vector<int32_t>& groupOfNode, int64_t samples) {
  extents_.reserve(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v)
    extents_.push_back(extentOf(graph, static_cast<ir::ValueId>(v), samples));
  std::vector<ir::NodeId> matrixNodes;
  std::vector<int64_t> channels, vectors;
  for (size_t l = 0; l < layers_.size(); ++l) {
    matrixNodes.push_back(mapping.layers[l].layer.node);
    channels.push_back(layers_[l].channels);
    vectors.push_back(layers_[l].vectorsPerSample);
  }
  const std::vector<GroupFlow> flows =
      channelFlows(graph, groupOfNode, matrixNodes, channels, vectors, samples);
  for (size_t l = 0; l < layers_.size(); ++l) {
    LayerGroup& g = layers_[l];
    const GroupFlow& f = flows[l];
    g.gathered = f.gathered;
    g.allPositions = f.allPositions;
    g.inputExtent = extent(g.matrixInput);
    for (LayerGroup::Input& in : g.inputs) {
      in.extent = extent(in.value);
      if (in.value == g.matrixInput) {
        in.use = InputUse::Matrix;
        continue;
      }
      for (const auto& [v, use] : f.inputs)
        if (v == in.value) std::tie(in.use, in.map) = use;
    }
    for (LayerGroup::Output& out : g.outputs) {
      out.extent = extent(out.value);
      for (const auto& [v, flow] : f.values)
        if (v == out.value) out.flow = flow;
    }
    g.spillableInput = spillableInput(g);
  }
}

// A map of many positions that only this group reads, beside a matrix op of one vector: its
// ops need all of the map, and the gate they scale it by needs the map's producer to be done.
int32_t LayerGroups::spillableInput(const LayerGroup& g) const {
  // Its ops must keep positions apart: a piece of the map makes the same piece of the output.
  if (g.vectorsPerSample != 1 || g.allPositions || g.gathered) return -1;
  int32_t found = -1;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const LayerGroup::Input& in = g.inputs[i];
    if (in.use == InputUse::Matrix || in.extent.positions <= 1) continue;
    if (found >= 0 || readersOf(in.value).size() != 1) return -1;
    found = static_cast<int32_t>(i);
  }
  return found;
}

// Per layer: its crossbars' per-vector work and its bytes per sample.
void LayerGroups::profileLayers(const ir::Graph& graph, const mapping::Mapping& mapping,
                                const arch::ArchConfig& arch, int64_t samples) {
  const auto& xb = arch.crossbar;
  const double activationBytes = static_cast<double>(arch.precision.activation_bits) / 8.0;
  for (size_t l = 0; l < mapping.layers.size(); ++l) {
    const mapping::LayerMapping& m = mapping.layers[l];
    LayerGroup& p = layers_[l];
    const bool packed = m.groupsPerBlock > 1;
    const int64_t inputCycles = arch.inputCycles(m.bits);
    p.vectorsPerSample = std::max<int64_t>(1, m.layer.vectorsPerInference / samples);
    p.inputCycles = inputCycles;
    p.partialSumBits = arch.partialSumBits(m.bits);
    p.activeRows = std::min(xb.rows, (packed ? m.groupsPerBlock : 1) * m.layer.inputs);
    p.activeColumns = std::min(xb.cols, (packed ? m.groupsPerBlock * m.layer.outputs
                                                : std::min(m.layer.outputs, m.outputsPerCrossbar)) *
                                            m.columnsPerWeight);
    p.mvmNs = arch.vectorTimeNs(inputCycles, p.activeColumns);
    p.outputBytesPerSample =
        static_cast<double>(m.layer.totalOutputs() * p.vectorsPerSample) * activationBytes;
    const ir::Node& node = graph.node(m.layer.node);
    const ir::ValueId x = node.inputs[0] == m.layer.weight ? node.inputs[1] : node.inputs[0];
    p.inputBytesPerSample = static_cast<double>(graph.value(x).elementCount()) * activationBytes /
                            static_cast<double>(samples);
    p.name = m.layer.name;
    p.channels = m.layer.totalOutputs();
    p.matrixInput = x;
    p.haloBytesPerSample = haloBytes(graph, node, x, m.layer.weight) * activationBytes;
    const ir::Shape& y = graph.value(node.outputs[0]).shape;
    const bool conv = node.kind == ir::OpKind::Conv || node.kind == ir::OpKind::ConvTranspose;
    if (conv && y.size() == 4) p.rowVectors = std::max<int64_t>(1, y[3]);
    const ir::Shape& xs = graph.value(x).shape;
    if (conv && m.layer.groups == 1 && xs.size() >= 3 && xs[1] > 0 && m.layer.inputs % xs[1] == 0)
      p.rowsPerInputChannel = m.layer.inputs / xs[1];
    p.firstUnit = m.firstUnit;
    p.endUnit = m.firstUnit + m.unitCount;
  }
}

// How a unit's crossbars are written: each written row sets the columns its crossbar uses. A
// block-diagonally packed crossbar is written across its block's rows and columns, the zeros
// off the diagonal included (it held another partition's weights).
llvm::SmallVector<CrossbarShape, 4> crossbarShapes(const mapping::LayerMapping& m,
                                                   const mapping::PartitionUnit& u, int64_t rows) {
  llvm::SmallVector<CrossbarShape, 4> shapes;
  const auto add = [&](int64_t r, int64_t c, int64_t n) {
    for (CrossbarShape& s : shapes)
      if (s.rows == r && s.cols == c) {
        s.crossbars += n;
        return;
      }
    shapes.push_back({n, r, c});
  };
  for (int64_t cb = u.firstColumnBlock; cb < u.firstColumnBlock + u.columnBlocks; ++cb) {
    const int64_t outputs = mapping::outputsOfColumnBlock(m, cb);
    const int64_t cols = outputs * m.columnsPerWeight;
    if (m.groupsPerBlock > 1) {
      add(outputs / m.layer.outputs * m.layer.inputs, cols, 1);
      continue;
    }
    for (int64_t t = u.firstRowTile; t < u.firstRowTile + u.rowTiles; ++t)
      add(std::min(rows, m.layer.inputs - t * rows), cols, 1);
  }
  return shapes;
}

// Per unit: its weights, cells and row writes; refuses a unit no core can run.
void LayerGroups::profileUnits(const mapping::Mapping& mapping, const arch::ArchConfig& arch) {
  const auto& xb = arch.crossbar;
  const double activationBytes = static_cast<double>(arch.precision.activation_bits) / 8.0;
  for (const mapping::PartitionUnit& u : mapping.units) {
    const mapping::LayerMapping& m = mapping.layers[static_cast<size_t>(u.layer)];
    if (u.crossbars > arch.core.crossbars)
      failInput(mapping.model,
                "layer '{}' needs {} crossbars in one partition unit but a core has {}",
                m.layer.name, u.crossbars, arch.core.crossbars);
    // A core must hold one input vector of the unit's rows and one output vector of its
    // columns in local memory to run it at all.
    const int64_t rowsNeeded = std::min(
        m.layer.inputs * (m.groupsPerBlock > 1 ? m.groupsPerBlock : 1), u.rowTiles * xb.rows);
    const double vectorBytes = static_cast<double>(rowsNeeded + u.outputs) * activationBytes;
    const double localBytes = static_cast<double>(arch.core.local_memory.size_kib) * 1024.0;
    if (vectorBytes > localBytes)
      failInput(
          mapping.model,
          "layer '{}' cannot run even one partition unit per core: its input and output vectors "
          "take {:.0f} bytes but core.local_memory.size_kib gives {:.0f}",
          m.layer.name, vectorBytes, localBytes);
    UnitProfile p;
    p.layer = u.layer;
    p.crossbars = u.crossbars;
    const int64_t firstRow = u.firstRowTile * xb.rows;
    const int64_t rowsCovered =
        std::min(m.layer.inputs, (u.firstRowTile + u.rowTiles) * xb.rows) - firstRow;
    const int64_t weights = u.outputs * rowsCovered;
    p.weightBytes = static_cast<double>(weights * m.bits.weight) / 8.0;
    p.shapes = crossbarShapes(m, u, xb.rows);
    for (const CrossbarShape& shape : p.shapes) {
      p.rowWrites += shape.crossbars * shape.rows;
      p.cells += shape.crossbars * shape.rows * shape.cols;
    }
    p.firstChannel = 0;
    for (int64_t cb = 0; cb < u.firstColumnBlock; ++cb)
      p.firstChannel += mapping::outputsOfColumnBlock(m, cb);
    p.endChannel = p.firstChannel + u.outputs;
    p.firstRow = firstRow;
    p.endRow = firstRow + rowsCovered;
    p.rowTiles = u.rowTiles;
    const auto index = static_cast<int32_t>(units_.size());
    p.reducer = u.partialSums && u.firstRowTile > 0 ? units_.back().reducer : index;
    units_.push_back(p);
  }
}

}  // namespace xbar::schedule
