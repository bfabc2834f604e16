// The Graph IR: typed ops over values with static shapes, kept in topological order.
// Passes edit it in place (mark nodes removed, rewire uses) and then call compact().
#pragma once

#include <string>
#include <vector>

#include "xbar/ir/node.h"
#include "xbar/ir/value.h"

namespace xbar::ir {

class Graph {
 public:
  std::string name;    // model file stem or graph name, for messages
  std::string source;  // path it was loaded from
  int64_t opsetVersion = 0;
  bool weightsStripped = false;  // model marked stripped: weights have dims but no data
  bool shapesOnly = false;       // weight data deliberately not loaded
  // A spiking network (docs/design.md §9b): the time steps one inference runs, unrolled along
  // the first axis of every activation; 0 for any other network.
  int64_t timesteps = 0;

  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;  // graph inputs that are not initializers
  std::vector<ValueId> outputs;

  ValueId addValue(Value value);
  NodeId addNode(Node node);  // sets the producer of its outputs

  const Value& value(ValueId id) const { return values.at(static_cast<size_t>(id)); }
  Value& value(ValueId id) { return values.at(static_cast<size_t>(id)); }
  const Node& node(NodeId id) const { return nodes.at(static_cast<size_t>(id)); }
  Node& node(NodeId id) { return nodes.at(static_cast<size_t>(id)); }

  // "node 'conv1' (Conv)", the way messages name a node.
  std::string describe(NodeId id) const;

  // Every use of `from` (node inputs and graph outputs) becomes a use of `to`.
  void replaceAllUses(ValueId from, ValueId to);

  // For each value, the live nodes that read it.
  std::vector<std::vector<NodeId>> consumers() const;

  // Live nodes in a topological order (Boost.Graph); stable for a given graph.
  std::vector<NodeId> topologicalOrder() const;

  // Drops removed nodes and values nothing refers to, renumbers, and stores nodes in
  // topological order.
  void compact();
  // The same, storing the live nodes in `order`, which must be a topological order of them.
  void compact(const std::vector<NodeId>& order);

  size_t liveNodeCount() const;
};

}  // namespace xbar::ir
