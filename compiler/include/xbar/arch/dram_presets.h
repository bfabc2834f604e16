// Named DRAM parts that `dram.preset` selects: organisation and timings for the bank model
// (dram_banks.h). A config may still override any field. Sources in dram_presets.cpp, number by
// number.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

struct DramPreset {
  std::string_view name;
  DramConfig config;  // every key but preset and the derived fields
  std::string_view source;
};

std::span<const DramPreset> dramPresets();
std::optional<DramPreset> findDramPreset(std::string_view name);

}  // namespace xbar::arch
