// Spiking networks (docs/design.md §9b): the LIF neuron's equations by hand, and a one-step
// graph with xbar.snn.timesteps unrolled over its steps, mapped with 1-bit spike inputs.
#include <gtest/gtest.h>

#include "xbar/cost/cost_model.h"
#include "xbar/flow/pipeline.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/mapping/mapping.h"
#include "xbar/reference/lif_neurons.h"
#include "xbar/support/error.h"

namespace xbar {
namespace {

const std::string kTiny = XBAR_TINY_DIR;

// alpha_i = alpha_v = 0.5, betas 1, theta 1. Channel 0 (input 0.6 each step, no bias):
// I = 0.6, V = 0.6; I = 0.9, V = 1.2 spikes; reset: I = 0.6, V = 0.6; I = 0.9, V = 1.2 spikes.
// Channel 1 (no input, bias 0.6): V = 0.6, 0.9, 1.05 spikes, then reset to 0.6.
TEST(Lif, FollowsTheEquationsWithResetAfterASpike) {
  const reference::LifParameters p{0.5F, 0.5F, 1.0F, 1.0F, 1.0F, 1.0F};
  const reference::Tensor x({4, 2}, {0.6F, 0, 0.6F, 0, 0.6F, 0, 0.6F, 0});
  const reference::Tensor bias({2}, {0, 0.6F});
  const reference::Tensor s = reference::lifSpikes(p, x, &bias, "lif");
  EXPECT_EQ(s.shape, (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(s.data, (std::vector<float>{0, 0, 1, 0, 0, 1, 1, 0}));
  // A bias of another length than the channels is refused.
  const reference::Tensor wrong({3}, {0, 0, 0});
  EXPECT_THROW(reference::lifSpikes(p, x, &wrong, "lif"), InputError);
}

// tiny_snn: a step of (1, 2, 6, 6) spikes, T = 4. Unrolled, the input is (4, 2, 6, 6), each
// matrix layer runs 4 steps' vectors (conv1: 4 x 36, fc: 4), both take spikes in one input
// cycle, and one sample is one inference of 4 steps.
TEST(SpikingNetwork, UnrollsItsStepsIntoVectorsOfOneBitSpikes) {
  const ir::Graph g = frontend::loadPreparedGraph(kTiny + "/tiny_snn.onnx");
  EXPECT_EQ(g.timesteps, 4);
  EXPECT_EQ(g.value(g.inputs[0]).shape, (ir::Shape{4, 2, 6, 6}));
  EXPECT_EQ(g.value(g.outputs[0]).shape, (ir::Shape{4, 4}));
  const arch::ArchConfig arch = flow::loadArch("compass-sram-m", {}, XBAR_ARCH_DIR);
  const mapping::Mapping m = mapping::mapGraph(g, arch);
  ASSERT_EQ(m.layers.size(), 2u);
  EXPECT_EQ(m.layers[0].layer.vectorsPerInference, 4 * 36);
  EXPECT_EQ(m.layers[1].layer.vectorsPerInference, 4);
  for (const mapping::LayerMapping& l : m.layers) {
    EXPECT_TRUE(l.layer.spikeInputs) << l.layer.name;
    EXPECT_FALSE(l.layer.binaryInputs || l.layer.binaryWeights) << l.layer.name;
    EXPECT_EQ(l.bits, (arch::OperandBits{4, 1})) << l.layer.name;
  }
  const cost::CostModel cost(g, m, arch, 1);
  EXPECT_EQ(cost.groups().layer(0).vectorsPerSample, 4 * 36);
  EXPECT_EQ(cost.groups().layer(0).inputCycles, 1);
  EXPECT_EQ(cost.groups().layer(1).vectorsPerSample, 4);
  // The state the finishing cores keep in local memory: a neuron per output of one step.
  EXPECT_EQ(cost.groups().layer(0).stateNeurons, 8 * 6 * 6);
  EXPECT_EQ(cost.groups().layer(1).stateNeurons, 4);
}

}  // namespace
}  // namespace xbar
