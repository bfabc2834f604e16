// Named DRAM configurations (Ramulator-style presets) that `dram.preset` selects; a config
// may still override any field. Sources in dram_presets.cpp.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

struct DramPreset {
  std::string_view name;
  int64_t channels;
  double channel_bandwidth_gb_per_s;
  double latency_ns;
  double energy_pj_per_bit;
  std::string_view source;
};

std::span<const DramPreset> dramPresets();
std::optional<DramPreset> findDramPreset(std::string_view name);

}  // namespace xbar::arch
