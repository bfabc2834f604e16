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
};

// The layer a preset refuses the network for, or empty when it runs.
inline std::string_view localMemoryRefusal(std::string_view network, std::string_view preset) {
  for (const LocalMemoryRefusal& r : kLocalMemoryRefusals)
    if (r.network == network && r.preset == preset) return r.layer;
  return {};
}

}  // namespace xbar::testing
