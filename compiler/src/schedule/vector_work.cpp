#include "xbar/schedule/vector_work.h"

#include <algorithm>
#include <array>
#include <functional>
#include <numeric>
#include <vector>

#include "xbar/ir/einsum_equation.h"

namespace xbar::schedule {
namespace {

// How a node's element operations follow from its sizes: per output element, per input and
// output element, per output element times its pooling window, or nothing.
enum class Basis { Output, Input, InputAndOutput, Window, Macs, Free };

struct Row {
  ir::OpKind kind;
  Basis basis;
  double perElement;
  std::string_view formula;
};

// One row per non-matrix op the IR keeps after its passes (docs/design.md §5).
constexpr std::array kTable = {
    Row{ir::OpKind::BatchNormalization, Basis::Output, 2, "2 per output (scale, shift)"},
    Row{ir::OpKind::Relu, Basis::Output, 1, "1 per output (max with 0)"},
    Row{ir::OpKind::Clip, Basis::Output, 2, "2 per output (min, max)"},
    Row{ir::OpKind::LeakyRelu, Basis::Output, 2, "2 per output (compare, multiply)"},
    Row{ir::OpKind::Sigmoid, Basis::Output, 4,
        "4 per output (assumed: a piecewise-linear table look-up, multiply, add, clamp)"},
    Row{ir::OpKind::Tanh, Basis::Output, 4, "4 per output (assumed, as sigmoid)"},
    Row{ir::OpKind::HardSigmoid, Basis::Output, 3, "3 per output (multiply, add, clamp)"},
    Row{ir::OpKind::HardSwish, Basis::Output, 4, "4 per output (hard sigmoid, multiply)"},
    Row{ir::OpKind::Sign, Basis::Output, 1, "1 per output (a comparison with 0)"},
    Row{ir::OpKind::Lif, Basis::Output, 10,
        "10 per neuron and time step (assumed: I: 2 multiplies, a select, an add; V: 3 "
        "multiplies, 2 adds; the threshold compare)"},
    Row{ir::OpKind::Softmax, Basis::Output, 5,
        "5 per output (max, subtract, exponential by table, sum, divide)"},
    Row{ir::OpKind::Gelu, Basis::Output, 6,
        "6 per output (assumed: a scale, erf by table as sigmoid's 4, a multiply)"},
    Row{ir::OpKind::Silu, Basis::Output, 5, "5 per output (sigmoid's 4, a multiply)"},
    Row{ir::OpKind::Softplus, Basis::Output, 4, "4 per output (assumed, as sigmoid)"},
    Row{ir::OpKind::Mish, Basis::Output, 9,
        "9 per output (assumed: softplus and tanh by table, 4 each, a multiply)"},
    Row{ir::OpKind::Sqrt, Basis::Output, 4, "4 per output (assumed, a table and refinement)"},
    Row{ir::OpKind::Reciprocal, Basis::Output, 4, "4 per output (assumed, a table and refinement)"},
    Row{ir::OpKind::Exp, Basis::Output, 4, "4 per output (assumed, as sigmoid)"},
    Row{ir::OpKind::Erf, Basis::Output, 4, "4 per output (assumed, as sigmoid)"},
    Row{ir::OpKind::Neg, Basis::Output, 1, "1 per output"},
    Row{ir::OpKind::Abs, Basis::Output, 1, "1 per output"},
    Row{ir::OpKind::Pow, Basis::Output, 9,
        "9 per output (assumed: log and exp by table, 4 each, a multiply)"},
    Row{ir::OpKind::Min, Basis::Output, 1, "1 per output and operand past the first"},
    Row{ir::OpKind::Max, Basis::Output, 1, "1 per output and operand past the first"},
    Row{ir::OpKind::LayerNormalization, Basis::Output, 8,
        "8 per output (mean: an add; variance: subtract, square, add; then subtract, "
        "multiply by 1/sigma, scale, shift); a row's 1/sigma not counted"},
    Row{ir::OpKind::InstanceNormalization, Basis::Output, 8,
        "8 per output (as LayerNormalization, per sample and channel)"},
    Row{ir::OpKind::ReduceMean, Basis::InputAndOutput, 1,
        "1 per input (additions) + 1 per output (scale)"},
    Row{ir::OpKind::ReduceSum, Basis::Input, 1, "1 per input (additions)"},
    Row{ir::OpKind::ReduceMax, Basis::Input, 1, "1 per input (comparisons)"},
    Row{ir::OpKind::Slice, Basis::Output, 1, "1 per output (a copy)"},
    Row{ir::OpKind::Split, Basis::Output, 1, "1 per output (a copy)"},
    Row{ir::OpKind::Expand, Basis::Output, 1, "1 per output (a copy)"},
    Row{ir::OpKind::Tile, Basis::Output, 1, "1 per output (a copy)"},
    Row{ir::OpKind::Resize, Basis::Output, 1,
        "1 per output in nearest mode (a copy); linear: 3 per output and resized axis (a "
        "subtract, a multiply, an add)"},
    Row{ir::OpKind::Where, Basis::Output, 1, "1 per output (a select)"},
    Row{ir::OpKind::Gather, Basis::Output, 1, "1 per output (a copy)"},
    // A MatMul of two activations (attention's Q x K^T and A x V) has no weights to keep in
    // crossbars: the vector units compute it digitally.
    Row{ir::OpKind::MatMul, Basis::Macs, 1,
        "1 per multiply-accumulate, M x N x K (assumed: a fused multiply-add per op), when "
        "both operands are activations"},
    Row{ir::OpKind::Einsum, Basis::Macs, 1,
        "1 per multiply-accumulate: the product of every label's extent (assumed, as MatMul)"},
    Row{ir::OpKind::Add, Basis::Output, 1, "1 per output"},
    Row{ir::OpKind::Sub, Basis::Output, 1, "1 per output"},
    Row{ir::OpKind::Mul, Basis::Output, 1, "1 per output"},
    Row{ir::OpKind::Div, Basis::Output, 1, "1 per output"},
    Row{ir::OpKind::Concat, Basis::Output, 1, "1 per output (a copy)"},
    Row{ir::OpKind::Transpose, Basis::Output, 1, "1 per output (a copy)"},
    Row{ir::OpKind::Pad, Basis::Output, 1, "1 per output (a copy or a fill)"},
    Row{ir::OpKind::Flatten, Basis::Free, 0, "0 (the layout is unchanged)"},
    Row{ir::OpKind::Reshape, Basis::Free, 0, "0 (the layout is unchanged)"},
    Row{ir::OpKind::Squeeze, Basis::Free, 0, "0 (the layout is unchanged)"},
    Row{ir::OpKind::Unsqueeze, Basis::Free, 0, "0 (the layout is unchanged)"},
    Row{ir::OpKind::MaxPool, Basis::Window, 1,
        "k_h x k_w per output (k_h x k_w - 1 comparisons and a copy)"},
    Row{ir::OpKind::AveragePool, Basis::Window, 1,
        "k_h x k_w per output (k_h x k_w - 1 additions and a scale)"},
    Row{ir::OpKind::GlobalAveragePool, Basis::InputAndOutput, 1,
        "1 per input (additions) + 1 per output (scale)"},
};

double largestInput(const ir::Graph& g, const ir::Node& n) {
  double elements = 0;
  for (ir::ValueId in : n.inputs)
    if (in != ir::kNoValue && !g.value(in).isConstant)
      elements = std::max(elements, static_cast<double>(g.value(in).elementCount()));
  return elements;
}

double outputElements(const ir::Graph& g, const ir::Node& n) {
  double elements = 0;
  for (ir::ValueId out : n.outputs)
    if (out != ir::kNoValue) elements += static_cast<double>(g.value(out).elementCount());
  return elements;
}

}  // namespace

double vectorElementOps(const ir::Graph& graph, const ir::Node& node) {
  for (const Row& row : kTable) {
    if (row.kind != node.kind) continue;
    switch (row.basis) {
      case Basis::Output: {
        // Min and Max: one comparison per output for each operand past the first.
        double operands = node.kind == ir::OpKind::Min || node.kind == ir::OpKind::Max
                              ? std::max<double>(1, double(node.inputs.size()) - 1)
                              : 1;
        if (node.kind == ir::OpKind::Resize &&
            node.attrs.getString("mode", "nearest", node.name) == "linear") {
          const ir::Shape& in = graph.value(node.inputs[0]).shape;
          const ir::Shape& out = graph.value(node.outputs[0]).shape;
          double axes = 0;
          for (size_t k = 0; k < in.size() && k < out.size(); ++k) axes += in[k] != out[k];
          operands = 3 * std::max(1.0, axes);
        }
        return row.perElement * operands * outputElements(graph, node);
      }
      case Basis::Input:
        return row.perElement * largestInput(graph, node);
      case Basis::InputAndOutput:
        return largestInput(graph, node) + outputElements(graph, node);
      case Basis::Window: {
        // ONNX's checker requires kernel_shape on MaxPool and AveragePool.
        const std::vector<int64_t> kernel = node.attrs.getInts("kernel_shape", {1}, node.name);
        const double window = static_cast<double>(
            std::accumulate(kernel.begin(), kernel.end(), int64_t{1}, std::multiplies<>()));
        return row.perElement * window * outputElements(graph, node);
      }
      case Basis::Macs: {
        if (node.kind == ir::OpKind::Einsum) {
          std::vector<std::vector<int64_t>> shapes;
          for (ir::ValueId in : node.inputs) shapes.push_back(graph.value(in).shape);
          return row.perElement * ir::parseEinsum(node.attrs.getString("equation", "", node.name),
                                                  shapes, graph.source + ": " + node.name)
                                      .macs();
        }
        // y = a x b over the last two axes: every output sums K products, K a's last axis.
        const ir::Shape& a = graph.value(node.inputs[0]).shape;
        return row.perElement * outputElements(graph, node) *
               static_cast<double>(a.empty() ? 1 : a.back());
      }
      case Basis::Free:
        return 0.0;
    }
  }
  // An op with no row (the folded-away kinds never reach here): every element it reads or
  // writes once.
  return std::max(largestInput(graph, node), outputElements(graph, node));
}

std::span<const VectorOpCost> vectorOpCosts() {
  static const std::vector<VectorOpCost> rows = [] {
    std::vector<VectorOpCost> out;
    for (const Row& r : kTable) out.push_back({r.kind, r.formula});
    return out;
  }();
  return rows;
}

}  // namespace xbar::schedule
