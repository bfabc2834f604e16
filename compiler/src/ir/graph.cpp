#include "xbar/ir/graph.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>

namespace xbar::ir {

ValueId Graph::addValue(Value value) {
  values.push_back(std::move(value));
  return static_cast<ValueId>(values.size() - 1);
}

NodeId Graph::addNode(Node node) {
  const auto id = static_cast<NodeId>(nodes.size());
  for (ValueId out : node.outputs)
    if (out != kNoValue) value(out).producer = id;
  nodes.push_back(std::move(node));
  return id;
}

std::string Graph::describe(NodeId id) const {
  const Node& n = node(id);
  return fmt::format("node '{}' ({})", n.name, opName(n.kind));
}

void Graph::replaceAllUses(ValueId from, ValueId to) {
  for (Node& n : nodes) {
    if (n.removed) continue;
    for (ValueId& in : n.inputs)
      if (in == from) in = to;
  }
  for (ValueId& out : outputs)
    if (out == from) out = to;
}

std::vector<std::vector<NodeId>> Graph::consumers() const {
  std::vector<std::vector<NodeId>> result(values.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].removed) continue;
    for (ValueId in : nodes[i].inputs)
      if (in != kNoValue) result[static_cast<size_t>(in)].push_back(static_cast<NodeId>(i));
  }
  return result;
}

std::vector<NodeId> Graph::topologicalOrder() const {
  using Dag = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  Dag dag(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].removed) continue;
    for (ValueId in : nodes[i].inputs) {
      if (in == kNoValue) continue;
      NodeId producer = value(in).producer;
      if (producer != kNoNode && !nodes[static_cast<size_t>(producer)].removed)
        boost::add_edge(static_cast<size_t>(producer), i, dag);
    }
  }
  std::vector<size_t> reversed;
  try {
    boost::topological_sort(dag, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    throw std::logic_error(fmt::format("graph '{}' has a cycle", name));
  }
  std::vector<NodeId> order;
  order.reserve(reversed.size());
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    if (!nodes[*it].removed) order.push_back(static_cast<NodeId>(*it));
  return order;
}

void Graph::compact() {
  compact(topologicalOrder());
}

void Graph::compact(const std::vector<NodeId>& order) {
  std::vector<bool> used(values.size(), false);
  auto mark = [&](ValueId v) {
    if (v != kNoValue) used[static_cast<size_t>(v)] = true;
  };
  for (NodeId id : order) {
    for (ValueId v : node(id).inputs) mark(v);
    for (ValueId v : node(id).outputs) mark(v);
  }
  for (ValueId v : inputs) mark(v);
  for (ValueId v : outputs) mark(v);

  std::vector<ValueId> newValueId(values.size(), kNoValue);
  std::vector<Value> newValues;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) continue;
    newValueId[i] = static_cast<ValueId>(newValues.size());
    newValues.push_back(std::move(values[i]));
    newValues.back().producer = kNoNode;
  }
  auto remap = [&](ValueId v) {
    return v == kNoValue ? kNoValue : newValueId[static_cast<size_t>(v)];
  };

  std::vector<Node> newNodes;
  newNodes.reserve(order.size());
  for (NodeId id : order) {
    Node n = std::move(node(id));
    for (ValueId& v : n.inputs) v = remap(v);
    for (ValueId& v : n.outputs) {
      v = remap(v);
      if (v != kNoValue)
        newValues[static_cast<size_t>(v)].producer = static_cast<NodeId>(newNodes.size());
    }
    newNodes.push_back(std::move(n));
  }
  for (ValueId& v : inputs) v = remap(v);
  for (ValueId& v : outputs) v = remap(v);
  values = std::move(newValues);
  nodes = std::move(newNodes);
}

size_t Graph::liveNodeCount() const {
  return static_cast<size_t>(
      std::count_if(nodes.begin(), nodes.end(), [](const Node& n) { return !n.removed; }));
}

}  // namespace xbar::ir
