// The report of a sweep directory (`xbar sweep -o DIR`): every point of results.jsonl with
// its swept parameters and per-sample latency, energy and EDP; which parameters vary; the
// latency-energy Pareto front per workload; the points that failed; and the partitioner
// comparison (the COMPASS paper's table) when the sweep runs baselines beside others.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace xbar::report {

bool isSweepDirectory(const std::filesystem::path& dir);
nlohmann::json sweepReport(const std::filesystem::path& dir);

}  // namespace xbar::report
