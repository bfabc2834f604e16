// The exported networks a preset refuses because some layer cannot be tiled to fit its
// local memory (docs/design.md §5, "Local memory"), each with why. The tests that run every
// network on every preset expect exactly these refusals, each a one-line error naming the
// layer, and every other point to run: a new refusal, or one gone, fails them.
#pragma once

#include <string_view>

namespace xbar::testing {

struct LocalMemoryRefusal {
  std::string_view network, preset, layer, why;
};

inline constexpr LocalMemoryRefusal kLocalMemoryRefusals[] = {
    {"vgg16", "isaac-reram", "/features/features.2/Conv",
     "a 3x3 conv over 224 x 64 channels at 16 bits: its two halo rows alone take 56 KiB of the "
     "64 KiB; the input chunks and outputs would fit beside them only in more than the 512 "
     "tiles a layer may take per sample"},
    {"vgg16", "puma-reram", "/features/features.2/Conv",
     "the same layer at 16 bits in PUMA's 64 KiB"},
    {"vgg16", "edge-small", "/features/features.2/Conv",
     "the same layer at 8 bits: 28 KiB of halo rows in 32 KiB"},
    // Squeeze-and-excitation: the excitation's 1x1 conv works on one pooled vector per
    // sample, and its group ends with the scaling Mul of the whole feature map; with one
    // vector there is nothing to tile, so the map and its scaled copy must fit at once.
    {"mobilenet_v3_large", "compass-sram-m", "/features/features.4/block/block.2/fc2/Conv",
     "the map the Mul scales and the Mul's output: 84,696 bytes in 64 KiB"},
    {"efficientnet_b0", "compass-sram-m",
     "/features/features.1/features.1.0/block/block.1/fc2/Conv", "602,120 bytes in 64 KiB"},
    {"regnet_y_400mf", "compass-sram-m", "/trunk_output/block1/block1-0/f/se/fc2/Conv",
     "225,800 bytes in 64 KiB"},
    {"deeplabv3_mobilenet_v3_large", "compass-sram-m",
     "/backbone/backbone.4/block/block.2/fc2/Conv", "mobilenet_v3_large's first SE block"},
    {"lraspp_mobilenet_v3_large", "compass-sram-m", "/backbone/backbone.4/block/block.2/fc2/Conv",
     "mobilenet_v3_large's first SE block"},
    {"maxvit_t", "compass-sram-m",
     "/blocks.0/layers.0/layers/MBconv/layers/squeeze_excitation/fc2/Conv",
     "its first MBConv's SE block: 1,204,240 bytes in 64 KiB"},
};

// The layer a preset refuses the network for, or empty when it runs.
inline std::string_view localMemoryRefusal(std::string_view network, std::string_view preset) {
  for (const LocalMemoryRefusal& r : kLocalMemoryRefusals)
    if (r.network == network && r.preset == preset) return r.layer;
  return {};
}

}  // namespace xbar::testing
