// The report of one run directory (`xbar run -o DIR`): stats.json (required), plan.json
// (the compiler's estimate, beside the simulation) and timeline.csv (per partition and core).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace xbar::report {

bool isRunDirectory(const std::filesystem::path& dir);
nlohmann::json runReport(const std::filesystem::path& dir);

}  // namespace xbar::report
