// The passes one at a time, on the tiny models and on hand-built graphs.
#include <gtest/gtest.h>

#include <cmath>

#include "xbar/frontend/onnx_loader.h"
#include "xbar/ir/einsum_equation.h"
#include "xbar/passes/passes.h"
#include "xbar/support/error.h"

namespace xbar::passes {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

const ir::Node* findNode(const ir::Graph& g, const std::string& name) {
  for (const ir::Node& n : g.nodes)
    if (n.name == name && !n.removed) return &n;
  return nullptr;
}

const ir::Value& valueNamed(const ir::Graph& g, const std::string& name) {
  for (const ir::Value& v : g.values)
    if (v.name == name) return v;
  throw std::runtime_error("no value " + name);
}

bool hasKind(const ir::Graph& g, ir::OpKind kind) {
  for (const ir::Node& n : g.nodes)
    if (!n.removed && n.kind == kind) return true;
  return false;
}

// A hand-built graph: nodes added in this order, each output a fresh value.
struct Builder {
  ir::Graph g;
  ir::ValueId value(const std::string& name, ir::Shape shape, bool constant = false) {
    ir::Value v;
    v.name = name;
    v.shape = std::move(shape);
    v.isConstant = constant;
    return g.addValue(std::move(v));
  }
  void node(const std::string& name, ir::OpKind kind, std::initializer_list<ir::ValueId> in,
            ir::ValueId out) {
    ir::Node n;
    n.name = name;
    n.kind = kind;
    n.inputs.assign(in.begin(), in.end());
    n.outputs = {out};
    g.addNode(std::move(n));
  }
  std::vector<std::string> order() const {
    std::vector<std::string> names;
    for (const ir::Node& n : g.nodes) names.push_back(n.name);
    return names;
  }
};

TEST(FoldBatchNormalization, ScalesConvWeightsAndBiasPerChannel) {
  const ir::Graph before = frontend::loadOnnx(kTiny + "/two_conv_cnn.onnx");
  ir::Graph after = before;
  runStandardPasses(after);
  EXPECT_FALSE(hasKind(after, ir::OpKind::BatchNormalization));
  const ir::Node* conv = findNode(after, "conv1");
  ASSERT_NE(conv, nullptr);
  const auto& w = before.value(findNode(before, "conv1")->inputs[1]).data->floats;
  const auto& b = valueNamed(before, "b1").data->floats;
  const auto& gamma = valueNamed(before, "g1").data->floats;
  const auto& beta = valueNamed(before, "be1").data->floats;
  const auto& mean = valueNamed(before, "m1").data->floats;
  const auto& var = valueNamed(before, "v1").data->floats;
  const auto& w2 = after.value(conv->inputs[1]).data->floats;
  const auto& b2 = after.value(conv->inputs[2]).data->floats;
  const size_t perFilter = 3 * 3 * 3;
  for (size_t o = 0; o < 8; ++o) {
    const float scale = gamma[o] / std::sqrt(var[o] + 1e-5f);
    // BN(conv(x)) = scale*(W.x + b - mean) + beta: weights scale, bias shifts.
    EXPECT_FLOAT_EQ(w2[o * perFilter + 5], w[o * perFilter + 5] * scale) << o;
    EXPECT_NEAR(b2[o], (b[o] - mean[o]) * scale + beta[o], 1e-5) << o;
  }
  // The relu that read the BN output now reads the conv output.
  EXPECT_EQ(findNode(after, "relu1")->inputs[0], conv->outputs[0]);
}

TEST(FoldBatchNormalization, WithoutWeightDataKeepsShapesOnly) {
  ir::Graph g = frontend::loadOnnx(kTiny + "/two_conv_cnn_stripped.onnx");
  runStandardPasses(g);
  EXPECT_FALSE(hasKind(g, ir::OpKind::BatchNormalization));
  const ir::Node* conv = findNode(g, "conv1");
  EXPECT_FALSE(g.value(conv->inputs[1]).data.has_value());
  EXPECT_EQ(g.value(conv->inputs[1]).shape, (ir::Shape{8, 3, 3, 3}));
  EXPECT_EQ(g.value(conv->inputs[2]).shape, (ir::Shape{8}));
}

// Binary weights in the XNOR-Net form (docs/design.md §9b): Sign over an initializer, times a
// per-output-channel scale, fold into one constant weight of +-alpha per channel, so conv2 is
// a crossbar layer like any other; shapes-only (stripped), into a constant without data.
TEST(FoldConstants, BinaryWeightsFoldToPlusMinusAlpha) {
  const ir::Graph before = frontend::loadOnnx(kTiny + "/binary_cnn.onnx");
  ir::Graph after = before;
  runStandardPasses(after);
  const ir::Node* conv = findNode(after, "conv2");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(findNode(after, "binary_weights2"), nullptr);
  EXPECT_EQ(findNode(after, "scale2"), nullptr);
  const ir::Value& w = after.value(conv->inputs[1]);
  ASSERT_TRUE(w.isConstant && w.data);
  const auto& raw = valueNamed(before, "w2").data->floats;
  const auto& alpha = valueNamed(before, "alpha2").data->floats;
  const auto& folded = w.data->floats;
  ASSERT_EQ(folded.size(), raw.size());
  const size_t perChannel = raw.size() / alpha.size();
  for (size_t i = 0; i < folded.size(); ++i) {
    const float a = alpha[i / perChannel];
    EXPECT_EQ(folded[i], raw[i] > 0 ? a : raw[i] < 0 ? -a : 0.0F) << i;
  }
  // The binary activations stay: Sign(x - delta) is computed, not folded.
  EXPECT_NE(findNode(after, "binarize1"), nullptr);

  frontend::LoadOptions shapes;
  shapes.shapesOnly = true;
  ir::Graph stripped = frontend::loadOnnx(kTiny + "/binary_cnn.onnx", shapes);
  runStandardPasses(stripped);
  const ir::Node* conv2 = findNode(stripped, "conv2");
  ASSERT_NE(conv2, nullptr);
  EXPECT_TRUE(stripped.value(conv2->inputs[1]).isConstant);
  EXPECT_FALSE(stripped.value(conv2->inputs[1]).data);
  EXPECT_EQ(findNode(stripped, "binary_weights2"), nullptr);
  // Without data the folding marks the weight binary, so the mapper still maps it at 1 bit.
  EXPECT_TRUE(stripped.value(conv2->inputs[1]).binaryWithoutData);
  EXPECT_FALSE(stripped.value(findNode(stripped, "conv1")->inputs[1]).binaryWithoutData);
}

TEST(DropIdentityAndFoldConstants, ShapeChainCollapsesToReshapeAndMatMul) {
  ir::Graph g = frontend::loadOnnx(kTiny + "/shape_chain.onnx");
  runStandardPasses(g);
  for (ir::OpKind gone : {ir::OpKind::Identity, ir::OpKind::Dropout, ir::OpKind::Shape,
                          ir::OpKind::Gather, ir::OpKind::Unsqueeze, ir::OpKind::Concat})
    EXPECT_FALSE(hasKind(g, gone)) << ir::opName(gone);
  const ir::Node* reshape = findNode(g, "reshape");
  ASSERT_NE(reshape, nullptr);
  const ir::Value& target = g.value(reshape->inputs[1]);
  ASSERT_TRUE(target.data.has_value());
  // Shape(x)[0] = 1 unsqueezed and concatenated with -1.
  EXPECT_EQ(target.data->ints, (std::vector<int64_t>{1, -1}));
  // Dropout is gone: the MatMul reads the reshape directly; the Mul reads the input.
  EXPECT_EQ(findNode(g, "matmul")->inputs[0], reshape->outputs[0]);
  EXPECT_EQ(findNode(g, "mul")->inputs[0], g.inputs[0]);
  EXPECT_EQ(g.liveNodeCount(), 3u);  // mul, reshape, matmul
}

TEST(FoldConstants, BroadcastArithmeticOnIntegers) {
  ir::Graph g;
  g.source = "hand";
  ir::Value a{.name = "a",
              .type = ir::ElementType::Int,
              .shape = {2, 1},
              .isConstant = true,
              .data = ir::TensorData{{}, {3, 7}},
              .producer = ir::kNoNode};
  ir::Value b{.name = "b",
              .type = ir::ElementType::Int,
              .shape = {3},
              .isConstant = true,
              .data = ir::TensorData{{}, {1, 2, -4}},
              .producer = ir::kNoNode};
  ir::Value y{.name = "y",
              .type = ir::ElementType::Int,
              .shape = {2, 3},
              .isConstant = false,
              .data = std::nullopt,
              .producer = ir::kNoNode};
  const auto ia = g.addValue(a), ib = g.addValue(b), iy = g.addValue(y);
  ir::Node div;
  div.name = "div";
  div.kind = ir::OpKind::Div;
  div.inputs = {ia, ib};
  div.outputs = {iy};
  g.addNode(div);
  g.outputs = {iy};
  foldConstants(g);
  ASSERT_TRUE(g.value(iy).data.has_value());
  // Integer Div truncates toward zero (ONNX): 3/-4 = 0, 7/-4 = -1.
  EXPECT_EQ(g.value(iy).data->ints, (std::vector<int64_t>{3, 1, 0, 7, 3, -1}));
}

TEST(VerifyShapes, ConvChannelMismatchNamesTheNode) {
  ir::Graph g;
  g.source = "hand.onnx";
  auto act = [&](const std::string& name, ir::Shape shape, bool constant = false) {
    ir::Value v;
    v.name = name;
    v.shape = std::move(shape);
    v.isConstant = constant;
    return g.addValue(v);
  };
  const auto x = act("x", {1, 3, 8, 8});
  const auto w = act("w", {4, 2, 3, 3}, true);  // expects 2 input channels, gets 3
  const auto y = act("y", {1, 4, 6, 6});
  ir::Node conv;
  conv.name = "bad_conv";
  conv.kind = ir::OpKind::Conv;
  conv.inputs = {x, w};
  conv.outputs = {y};
  g.addNode(conv);
  try {
    verifyShapes(g);
    FAIL() << "mismatch accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'bad_conv'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3 channels"), std::string::npos) << e.what();
  }
}

// Sign(x - d): d a constant, or a statistic of fewer elements than x (per instance), passes;
// a threshold of as many elements as x (computed per element) is refused, naming the Sign.
TEST(VerifySignThresholds, APerElementThresholdIsRefused) {
  const auto build = [](const ir::Shape& thresholdShape) {
    Builder b;
    b.g.source = "hand.onnx";
    const auto x = b.value("x", {1, 4, 8, 8});
    b.g.inputs = {x};
    const auto t = b.value("t", thresholdShape);
    const bool pooled = thresholdShape.size() == 4 && thresholdShape[2] == 1;
    b.node(pooled ? "pool" : "relu", pooled ? ir::OpKind::GlobalAveragePool : ir::OpKind::Relu, {x},
           t);
    const auto z = b.value("z", {1, 4, 8, 8});
    b.node("shift", ir::OpKind::Sub, {x, t}, z);
    const auto s = b.value("s", {1, 4, 8, 8});
    b.node("binarize", ir::OpKind::Sign, {z}, s);
    b.g.outputs = {s};
    return b.g;
  };
  EXPECT_NO_THROW(verifySignThresholds(build({1, 4, 1, 1})));  // INSTA-BNN's pooled form
  try {
    verifySignThresholds(build({1, 4, 8, 8}));
    FAIL() << "a per-element threshold was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'binarize'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("computed per element"), std::string::npos) << e.what();
  }
}

size_t countKind(const ir::Graph& g, ir::OpKind kind) {
  size_t n = 0;
  for (const ir::Node& node : g.nodes) n += !node.removed && node.kind == kind ? 1 : 0;
  return n;
}

// torch's opset-13 decompositions (workloads/tiny/fused_patterns.onnx, make_tiny_models.py)
// fold into one op each; their near misses (a variance over another axis, GELU's divisor
// sqrt 3, a SiLU whose Sigmoid is also read elsewhere) stay as they were.
TEST(FusePatterns, LayerNormGeluSiluAndMishFoldAndTheirNearMissesDoNot) {
  ir::Graph g = frontend::loadOnnx(kTiny + "/fused_patterns.onnx");
  runStandardPasses(g);
  const ir::Node* ln = findNode(g, "ln");
  ASSERT_NE(ln, nullptr);
  EXPECT_EQ(ln->kind, ir::OpKind::LayerNormalization);
  EXPECT_EQ(ln->attrs.getInt("axis", -1, "ln"), 2);
  EXPECT_FLOAT_EQ(ln->attrs.getFloat("epsilon", 0, "ln"), 1e-5F);
  ASSERT_EQ(ln->inputs.size(), 3u);
  EXPECT_EQ(g.value(ln->inputs[0]).name, "x");
  EXPECT_EQ(g.value(ln->inputs[1]).name, "ln_w");
  EXPECT_EQ(g.value(ln->inputs[2]).name, "ln_b");
  EXPECT_EQ(findNode(g, "gelu")->kind, ir::OpKind::Gelu);
  EXPECT_EQ(g.value(findNode(g, "gelu")->inputs[0]).name, "h");
  EXPECT_EQ(findNode(g, "silu")->kind, ir::OpKind::Silu);
  EXPECT_EQ(g.value(findNode(g, "silu")->inputs[0]).name, "gelu");
  EXPECT_EQ(findNode(g, "mish")->kind, ir::OpKind::Mish);
  EXPECT_EQ(countKind(g, ir::OpKind::LayerNormalization), 1u);
  EXPECT_EQ(countKind(g, ir::OpKind::Gelu), 1u);
  EXPECT_EQ(countKind(g, ir::OpKind::Silu), 1u);
  EXPECT_EQ(countKind(g, ir::OpKind::Mish), 1u);
  // The chains they replaced are gone.
  for (const char* absorbed : {"ln_mean", "ln_sub", "ln_pow", "ln_var", "ln_add_eps", "ln_sqrt",
                               "ln_div", "ln_scale", "gelu_div", "gelu_erf", "gelu_add", "gelu_mul",
                               "silu_sigmoid", "mish_softplus", "mish_tanh"})
    EXPECT_EQ(findNode(g, absorbed), nullptr) << absorbed;
  // The near misses are intact.
  for (const char* kept : {"nm_mean", "nm_var", "nm_sqrt", "nm_div", "gelu_nm_div", "gelu_nm_erf",
                           "gelu_nm", "silu_nm_sigmoid", "silu_nm"})
    EXPECT_NE(findNode(g, kept), nullptr) << kept;
  EXPECT_EQ(findNode(g, "nm_div")->kind, ir::OpKind::Div);
  EXPECT_EQ(findNode(g, "gelu_nm")->kind, ir::OpKind::Mul);
  EXPECT_EQ(findNode(g, "silu_nm")->kind, ir::OpKind::Mul);
}

// ConstantOfShape, Equal, Where and Range fold when their inputs are constants (the shape
// arithmetic torch exports for expand(-1, ...)); a Where selecting by an activation is refused.
TEST(VerifyFolded, AWhereWhoseConditionIsComputedIsRefused) {
  ir::Graph g;
  g.source = "hand.onnx";
  auto value = [&](const std::string& name, ir::Shape shape) {
    ir::Value v;
    v.name = name;
    v.shape = std::move(shape);
    return g.addValue(v);
  };
  const auto x = value("x", {1, 4});
  const auto c = value("c", {1, 4});
  const auto y = value("y", {1, 4});
  g.inputs = {x};
  ir::Node cast;
  cast.name = "to_bool";
  cast.kind = ir::OpKind::Cast;
  cast.inputs = {x};
  cast.outputs = {c};
  g.addNode(cast);
  ir::Node select;
  select.name = "select";
  select.kind = ir::OpKind::Where;
  select.inputs = {c, x, x};
  select.outputs = {y};
  g.addNode(select);
  g.outputs = {y};
  try {
    verifyFolded(g);
    FAIL() << "a Where of a computed condition was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'select'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("condition 'c' is not a constant"), std::string::npos)
        << e.what();
  }
}

// Einsum equations (ir/einsum_equation.h): MaxViT's attention parses with its spaces; what xbar
// does not compute is refused by name.
TEST(EinsumEquation, ParsesAttentionAndRefusesWhatItDoesNotCompute) {
  const ir::EinsumEquation e = ir::parseEinsum("B G H I D, B G H J D -> B G H I J",
                                               {{1, 2, 3, 49, 32}, {1, 2, 3, 49, 32}}, "n");
  EXPECT_EQ(e.output, "BGHIJ");
  EXPECT_EQ(e.labels, "BGHIJD");
  EXPECT_DOUBLE_EQ(e.macs(), 2.0 * 3 * 49 * 49 * 32);
  const auto refusal = [](const std::string& equation) {
    try {
      ir::parseEinsum(equation, {{2, 3}, {3, 4}}, "node 'e' (Einsum)");
    } catch (const InputError& err) {
      return std::string(err.what());
    }
    return std::string();
  };
  EXPECT_NE(refusal("ij,jk").find("has no '->'"), std::string::npos);
  EXPECT_NE(refusal("...j,jk->...k").find("ellipsis"), std::string::npos);
  EXPECT_NE(refusal("ij,kk->ik").find("repeats label 'k'"), std::string::npos);
  EXPECT_NE(refusal("ij,jk->iz").find("'z' is repeated or in no operand"), std::string::npos);
  EXPECT_NE(refusal("ij,ik->jk").find("'i' is 2 in one operand and 3"), std::string::npos);
  EXPECT_NE(refusal("ij->ij").find("names 1 operands; the node has 2"), std::string::npos);
}

// A ResNet block's time embedding as torch orders it: the conv's map first, then the
// projection of a separate input, added over the map. The projection (and the SiLU before
// it) moves above the conv, so that the Add's latest input is the map: it joins the conv's
// group, which streams the map, rather than the Gemm's, which would hold all of it.
TEST(HoistBroadcastOperands, ComputesAnIndependentOperandBeforeTheMap) {
  Builder b;
  const auto x = b.value("x", {1, 8, 16, 16}), temb = b.value("temb", {1, 32});
  b.g.inputs = {x, temb};
  const auto w = b.value("w", {8, 8, 3, 3}, true), wt = b.value("wt", {32, 8}, true);
  const auto h = b.value("h", {1, 8, 16, 16}), act = b.value("act", {1, 32});
  const auto proj = b.value("proj", {1, 8}), bias = b.value("bias", {1, 8, 1, 1});
  const auto axes = b.value("axes", {2}, true), y = b.value("y", {1, 8, 16, 16});
  b.node("conv", ir::OpKind::Conv, {x, w}, h);
  b.node("silu", ir::OpKind::Relu, {temb}, act);
  b.node("time_proj", ir::OpKind::Gemm, {act, wt}, proj);
  b.node("unsqueeze", ir::OpKind::Unsqueeze, {proj, axes}, bias);
  b.node("add", ir::OpKind::Add, {h, bias}, y);
  b.g.outputs = {y};
  hoistBroadcastOperands(b.g);
  EXPECT_EQ(b.order(), (std::vector<std::string>{"silu", "time_proj", "unsqueeze", "conv", "add"}));
  // Still one consistent graph: each value's producer is the node that writes it.
  for (size_t i = 0; i < b.g.nodes.size(); ++i)
    EXPECT_EQ(b.g.value(b.g.nodes[i].outputs[0]).producer, static_cast<ir::NodeId>(i));
}

// Squeeze-and-excitation: the gate is computed from the map it scales (pooled), so it cannot
// come first; the order stays as it was. So does a constant operand (a layer scale).
TEST(HoistBroadcastOperands, LeavesAnOperandThatNeedsTheMap) {
  Builder b;
  const auto x = b.value("x", {1, 8, 16, 16});
  b.g.inputs = {x};
  const auto w = b.value("w", {8, 8, 1, 1}, true), w2 = b.value("w2", {8, 8, 1, 1}, true);
  const auto h = b.value("h", {1, 8, 16, 16}), pooled = b.value("pooled", {1, 8, 1, 1});
  const auto gate = b.value("gate", {1, 8, 1, 1}), y = b.value("y", {1, 8, 16, 16});
  const auto scale = b.value("scale", {1, 8, 1, 1}, true), z = b.value("z", {1, 8, 16, 16});
  b.node("conv", ir::OpKind::Conv, {x, w}, h);
  b.node("pool", ir::OpKind::GlobalAveragePool, {h}, pooled);
  b.node("fc", ir::OpKind::Conv, {pooled, w2}, gate);
  b.node("mul", ir::OpKind::Mul, {h, gate}, y);
  b.node("layer_scale", ir::OpKind::Mul, {y, scale}, z);
  b.g.outputs = {z};
  const std::vector<std::string> before = b.order();
  hoistBroadcastOperands(b.g);
  EXPECT_EQ(b.order(), before);
}

}  // namespace
}  // namespace xbar::passes
