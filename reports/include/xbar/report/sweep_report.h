// The report of a sweep directory (`xbar sweep -o DIR`): every point of results.jsonl with
// its swept parameters and per-sample latency, energy and EDP; which parameters vary; the
// latency-energy Pareto front per workload; the points that failed; and the partitioner
// comparison (the COMPASS paper's table) when the sweep runs baselines beside others.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace xbar::report {

bool isSweepDirectory(const std::filesystem::path& dir);

// A workload's name in tables: its file name without .onnx and without the .stripped of a
// weight-stripped export (resnet18.stripped.onnx -> resnet18).
std::string workloadName(const std::filesystem::path& model);
nlohmann::json sweepReport(const std::filesystem::path& dir);

}  // namespace xbar::report
