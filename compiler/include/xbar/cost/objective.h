// What the partitioners minimise.
#pragma once

#include <optional>
#include <string_view>

namespace xbar::cost {

// latency and throughput at a fixed batch both minimise the batch's total time: partitions
// run one after another, so every sample finishes in the last one and the batch time sets
// both. energy minimises total energy; edp the product energy x time (not additive).
enum class Objective { Latency, Throughput, Energy, Edp };

std::string_view objectiveName(Objective objective);
// Throws InputError listing the objectives when `name` is none of them.
Objective objectiveFromName(std::string_view name);

}  // namespace xbar::cost
