// The Graph IR's own mechanics: topological order, use rewiring and compaction.
#include <gtest/gtest.h>

#include "xbar/ir/graph.h"

namespace xbar::ir {
namespace {

ValueId addActivation(Graph& g, const std::string& name) {
  Value v;
  v.name = name;
  v.shape = {1, 4};
  return g.addValue(v);
}

NodeId addNode(Graph& g, const std::string& name, OpKind kind, std::initializer_list<ValueId> in,
               ValueId out) {
  Node n;
  n.name = name;
  n.kind = kind;
  n.inputs.assign(in.begin(), in.end());
  n.outputs = {out};
  return g.addNode(std::move(n));
}

TEST(Graph, TopologicalOrderPutsProducersFirstEvenWhenStoredOutOfOrder) {
  Graph g;
  const ValueId x = addActivation(g, "x"), a = addActivation(g, "a"), b = addActivation(g, "b");
  g.inputs = {x};
  // b = relu(a) is stored before a = relu(x): the order must still run a first.
  const NodeId second = addNode(g, "second", OpKind::Relu, {a}, b);
  const NodeId first = addNode(g, "first", OpKind::Relu, {x}, a);
  g.outputs = {b};
  EXPECT_EQ(g.topologicalOrder(), (std::vector<NodeId>{first, second}));
  g.compact();
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].name, "first");
  EXPECT_EQ(g.value(g.nodes[1].inputs[0]).producer, 0);
}

TEST(Graph, CompactDropsRemovedNodesAndUnusedValuesAndRewiresUses) {
  Graph g;
  const ValueId x = addActivation(g, "x"), i = addActivation(g, "i"), y = addActivation(g, "y");
  addActivation(g, "orphan");
  g.inputs = {x};
  const NodeId identity = addNode(g, "id", OpKind::Identity, {x}, i);
  addNode(g, "relu", OpKind::Relu, {i}, y);
  g.outputs = {y};
  g.replaceAllUses(i, x);
  g.node(identity).removed = true;
  g.compact();
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.values.size(), 2u);  // x and y: the identity's output and the orphan are gone
  EXPECT_EQ(g.value(g.nodes[0].inputs[0]).name, "x");
  EXPECT_EQ(g.value(g.outputs[0]).producer, 0);
}

TEST(Graph, CycleIsReportedNotLooped) {
  Graph g;
  const ValueId a = addActivation(g, "a"), b = addActivation(g, "b");
  addNode(g, "n1", OpKind::Relu, {b}, a);
  addNode(g, "n2", OpKind::Relu, {a}, b);
  EXPECT_THROW(g.topologicalOrder(), std::logic_error);
}

}  // namespace
}  // namespace xbar::ir
