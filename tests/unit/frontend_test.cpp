// Loading the committed tiny models: shapes, attributes, weights, stripped and external data.
#include <gtest/gtest.h>

#include "xbar/frontend/onnx_loader.h"
#include "xbar/passes/passes.h"

namespace xbar::frontend {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

const ir::Value& valueNamed(const ir::Graph& g, const std::string& name) {
  for (const ir::Value& v : g.values)
    if (v.name == name) return v;
  throw std::runtime_error("no value " + name);
}

const ir::Node& nodeNamed(const ir::Graph& g, const std::string& name) {
  for (const ir::Node& n : g.nodes)
    if (n.name == name && !n.removed) return n;
  throw std::runtime_error("no node " + name);
}

TEST(Frontend, LoadsTypedOpsWithStaticShapesAndAttributes) {
  const ir::Graph g = loadOnnx(kTiny + "/two_conv_cnn.onnx");
  EXPECT_EQ(g.opsetVersion, 13);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).shape, (ir::Shape{1, 3, 16, 16}));
  const ir::Node& conv2 = nodeNamed(g, "conv2");
  EXPECT_EQ(conv2.kind, ir::OpKind::Conv);
  EXPECT_EQ(conv2.attrs.getInts("strides", {}, "t"), (std::vector<int64_t>{2, 2}));
  // 16x16 input, pool 2 -> 8x8, conv stride 2 pad 1 k3 -> 4x4: from ONNX shape inference.
  EXPECT_EQ(g.value(conv2.outputs[0]).shape, (ir::Shape{1, 16, 4, 4}));
  const ir::Value& w1 = valueNamed(g, "w1");
  EXPECT_TRUE(w1.isConstant);
  ASSERT_TRUE(w1.data.has_value());
  EXPECT_EQ(w1.data->floats.size(), 8u * 3 * 3 * 3);
}

TEST(Frontend, ShapesOnlySkipsWeightDataButKeepsDims) {
  LoadOptions options;
  options.shapesOnly = true;
  const ir::Graph g = loadOnnx(kTiny + "/two_conv_cnn.onnx", options);
  const ir::Value& w2 = valueNamed(g, "w2");
  EXPECT_EQ(w2.shape, (ir::Shape{16, 8, 3, 3}));
  EXPECT_FALSE(w2.data.has_value()) << "a weight of 1152 elements must not be read";
  // Tensors of a handful of elements are structure, not weights: still loaded.
  EXPECT_TRUE(valueNamed(g, "b1").data.has_value());
}

TEST(Frontend, StrippedModelLoadsByMetadataWithDimsOnly) {
  const ir::Graph g = loadOnnx(kTiny + "/two_conv_cnn_stripped.onnx");
  EXPECT_TRUE(g.weightsStripped);
  const ir::Value& w2 = valueNamed(g, "w2");
  EXPECT_EQ(w2.shape, (ir::Shape{16, 8, 3, 3}));
  EXPECT_FALSE(w2.data.has_value());
}

TEST(Frontend, ExternalDataLoadsTheSameWeightsAsEmbeddedData) {
  const ir::Graph embedded = loadOnnx(kTiny + "/mlp_gemm.onnx");
  const ir::Graph external = loadOnnx(kTiny + "/mlp_gemm_external.onnx");
  for (const char* name : {"w1", "w2", "w3", "b1"}) {
    ASSERT_TRUE(valueNamed(external, name).data.has_value()) << name;
    EXPECT_EQ(valueNamed(external, name).data->floats, valueNamed(embedded, name).data->floats)
        << name;
  }
}

TEST(Frontend, ExternalDataIsNotReadWhenShapesOnly) {
  LoadOptions options;
  options.shapesOnly = true;
  const ir::Graph g = loadOnnx(kTiny + "/mlp_gemm_external.onnx", options);
  EXPECT_FALSE(valueNamed(g, "w1").data.has_value());
  EXPECT_EQ(valueNamed(g, "w1").shape, (ir::Shape{128, 64}));
}

TEST(Frontend, ConstantNodesBecomeConstantValues) {
  const ir::Graph g = loadOnnx(kTiny + "/shape_chain.onnx");
  const ir::Value& scale = valueNamed(g, "scale");
  EXPECT_TRUE(scale.isConstant);
  ASSERT_TRUE(scale.data.has_value());
  EXPECT_EQ(scale.data->floats, std::vector<float>{0.5f});
  for (const ir::Node& n : g.nodes) EXPECT_NE(n.kind, ir::OpKind::Constant);
}

TEST(Frontend, ShapeGatherChainIntoReshapeGetsStaticShapes) {
  // ONNX 1.12 alone leaves the Reshape output unknown; the loader folds the chain.
  const ir::Graph g = loadOnnx(kTiny + "/shape_chain.onnx");
  EXPECT_EQ(g.value(nodeNamed(g, "reshape").outputs[0]).shape, (ir::Shape{1, 48}));
}

TEST(Frontend, SymbolicDimensionBoundByDimOption) {
  LoadOptions options;
  options.dimValues["N"] = 8;
  const ir::Graph g = loadOnnx(kTiny + "/dynamic_batch.onnx", options);
  EXPECT_EQ(g.value(g.inputs[0]).shape, (ir::Shape{8, 16}));
  EXPECT_EQ(g.value(g.outputs[0]).shape, (ir::Shape{8, 4}));
}

}  // namespace
}  // namespace xbar::frontend
