#include "xbar/reference/graph_runner.h"

#include "xbar/reference/vector_ops.h"
#include "xbar/support/error.h"

namespace xbar::reference {

GraphRunner::GraphRunner(const ir::Graph& graph) : graph_(graph) {
  const std::string where = graph.source.empty() ? graph.name : graph.source;
  if (graph.weightsStripped)
    failInput(where,
              "the model's weights were stripped (metadata xbar.weights=stripped): "
              "computing values needs a model with its weights");
  if (graph.shapesOnly)
    failInput(where, "the model was loaded shapes only: computing values needs its weights");
  for (ir::ValueId id : graph.inputs)
    if (graph.value(id).type != ir::ElementType::Float)
      failInput(where, "input '{}' is not a float tensor; xbar computes float inputs only",
                graph.value(id).name);
  for (ir::ValueId id = 0; id < static_cast<ir::ValueId>(graph.values.size()); ++id)
    if (graph.value(id).isConstant) constants_.emplace(id, constantTensor(graph, id));
}

std::vector<Tensor> GraphRunner::run(const std::vector<Tensor>& inputs, MatrixOpKernel* matrixOps) {
  const ir::Graph& g = graph_;
  const std::string where = g.source.empty() ? g.name : g.source;
  if (inputs.size() != g.inputs.size())
    failInput(where, "{} inputs given, the model takes {}", inputs.size(), g.inputs.size());
  std::vector<Tensor> values(g.values.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value& v = g.value(g.inputs[i]);
    if (inputs[i].shape != v.shape)
      failInput(where, "input '{}' has shape {}, the model expects {}", v.name,
                ir::shapeToString(inputs[i].shape), ir::shapeToString(v.shape));
    values[static_cast<size_t>(g.inputs[i])] = inputs[i];
  }
  for (const auto& [id, tensor] : constants_) values[static_cast<size_t>(id)] = tensor;
  std::vector<const Tensor*> operands;
  for (ir::NodeId id : g.topologicalOrder()) {
    const ir::Node& n = g.node(id);
    operands.clear();
    for (ir::ValueId in : n.inputs) {
      if (in == ir::kNoValue) {
        operands.push_back(nullptr);
        continue;
      }
      const Tensor& t = values[static_cast<size_t>(in)];
      if (t.data.empty() && elementCountOf(g.value(in).shape) != 0)
        failInput(g.describe(id), "input '{}' was not computed", g.value(in).name);
      operands.push_back(&t);
    }
    std::vector<Tensor> results;
    if (ir::isMatrixOp(n.kind) && matrixOps != nullptr)
      results.push_back(matrixOps->evaluate(g, id, operands));
    else if (isVectorOp(n.kind))
      results = evaluateVectorOp(g, id, operands);
    else
      results.push_back(kernels_.evaluate(g, id, operands));
    for (size_t k = 0; k < results.size() && k < n.outputs.size(); ++k) {
      if (n.outputs[k] == ir::kNoValue) continue;
      if (results[k].shape != g.value(n.outputs[k]).shape)
        failInput(g.describe(id), "computed shape {} for output '{}', the IR says {}",
                  ir::shapeToString(results[k].shape), g.value(n.outputs[k]).name,
                  ir::shapeToString(g.value(n.outputs[k]).shape));
      values[static_cast<size_t>(n.outputs[k])] = std::move(results[k]);
    }
  }
  return values;
}

}  // namespace xbar::reference
