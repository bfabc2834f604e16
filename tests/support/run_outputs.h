// What `xbar run` wrote (stats.json, plan.json) set side by side: the tests that run every
// network compare the simulation with the estimate the same way.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "local_memory_refusals.h"

namespace xbar::testing {

inline nlohmann::json readJson(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

struct RunComparison {
  double time = 0, energy = 0;                  // simulated / estimated - 1
  double simulatedDram = 0, estimatedDram = 0;  // bytes
};

// A run directory's simulated batch time, energy and DRAM bytes against its plan's estimate.
inline RunComparison compareRun(const std::filesystem::path& dir) {
  const nlohmann::json stats = readJson(dir / "stats.json");
  const nlohmann::json totals = readJson(dir / "plan.json")["totals"];
  const auto& dram = stats["dram"];
  RunComparison c;
  c.time =
      stats["latency"]["total"]["value"].get<double>() / totals["schedule_time_ns"].get<double>() -
      1;
  c.energy =
      stats["energy"]["total"]["value"].get<double>() / totals["schedule_energy_pj"].get<double>() -
      1;
  c.simulatedDram = dram["weight_bytes_read"]["value"].get<double>() +
                    dram["activation_bytes_read"]["value"].get<double>() +
                    dram["activation_bytes_written"]["value"].get<double>();
  c.estimatedDram = totals["dram_bytes"]["weights"].get<double>() +
                    totals["dram_bytes"]["activations"].get<double>();
  return c;
}

// Whether `network` on `preset` is one the local-memory refusals list; if so, expects that
// `xbar run` (its exit status, and its stderr in `errFile`) refused it with the listed layer.
inline bool refusedAsListed(const std::string& network, const std::string& preset, int status,
                            const std::filesystem::path& errFile, const std::string& command) {
  const auto layer = localMemoryRefusal(network, preset);
  if (layer.empty()) return false;
  std::ostringstream err;
  err << std::ifstream(errFile).rdbuf();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << command;
  EXPECT_NE(err.str().find(std::string(layer) + "' cannot be tiled to fit local memory"),
            std::string::npos)
      << err.str();
  return true;
}

}  // namespace xbar::testing
