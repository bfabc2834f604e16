// The tiny models on the chips that cut them into many partitions and tiles: the points the
// schedule's box ledger (tests/unit/schedule_boxes_test.cpp) and the executor
// (tests/execute/executor_test.cpp) run every partitioner's plan on.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace xbar::testing {

struct TinyPoint {
  const char* model;
  std::vector<std::string> overrides;  // on compass-sram-m
};

// 3 cores of 2 crossbars of 32 x 32: almost nothing fits, so plans have many partitions.
inline const std::vector<std::string> kSmallChip = {"chip.cores=3", "core.crossbars=2",
                                                    "crossbar.rows=32", "crossbar.cols=32",
                                                    "crossbar.adcs_per_crossbar=32"};
// 1 KiB of local memory: layers stream in tiles.
inline const std::vector<std::string> kTinyMemory = {"core.local_memory.size_kib=1"};

inline std::vector<TinyPoint> tinyPoints() {
  return {{"mlp_gemm", kSmallChip},
          {"two_conv_cnn", kSmallChip},
          {"residual_block", kSmallChip},
          {"concat_branch", kSmallChip},
          {"depthwise_grouped", kSmallChip},
          {"shape_chain", kSmallChip},
          {"residual_block", {}},
          {"concat_branch", {}},
          {"two_conv_cnn", kTinyMemory},
          {"residual_block", kTinyMemory},
          // A spiking network: its T = 4 steps are positions (several tiles of steps, replicas
          // splitting them); the LIF reads across them.
          {"tiny_snn", kSmallChip},
          {"tiny_snn", {}},
          {"tiny_snn", kTinyMemory},
          // The fused LayerNorm, GELU, SiLU and Mish beside their unfused near misses; the
          // data movement, reductions and element-wise functions of the newer models.
          {"fused_patterns", kSmallChip},
          {"fused_patterns", {}},
          {"tensor_ops", kSmallChip},
          {"tensor_ops", kTinyMemory}};
}

inline const std::vector<const char*> kPartitioners = {"greedy", "layerwise", "compass", "optimal"};

// A test name: model, point index, partitioner.
struct TinyPointName {
  template <class Info>
  std::string operator()(const Info& info) const {
    return fmt::format("{}_{}_{}", std::get<0>(info.param).model, info.index,
                       std::get<1>(info.param));
  }
};

}  // namespace xbar::testing
