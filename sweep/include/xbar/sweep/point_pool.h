// Runs sweep points in child processes on this machine, N at a time. SystemC elaborates once
// per process (docs/building.md), so every point gets a fresh fork; a child writes its record to
// the scratch directory and exits, and the parent reaps it without blocking.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "xbar/sweep/sweep_spec.h"

namespace xbar::sweep {

// What became of one point: "done" with its record (JSON text), or "failed" with the error.
struct PointOutcome {
  int32_t index = 0;
  std::string status;
  std::string error;
  std::string record;
};

class LocalPool {
 public:
  // A point that runs longer than timeoutS seconds (0: no limit) is killed and failed.
  // Arch presets are looked up in `archPresets`.
  LocalPool(std::filesystem::path scratch, int jobs, double timeoutS,
            std::filesystem::path archPresets);

  bool hasFreeSlot() const { return running_.size() < static_cast<size_t>(jobs_); }
  size_t running() const { return running_.size(); }
  void start(const SweepPoint& point);
  // The points that finished since the last call; kills the ones past their time.
  std::vector<PointOutcome> poll();

 private:
  struct Child {
    const SweepPoint* point;
    std::chrono::steady_clock::time_point started;
    bool timedOut = false;
  };
  std::filesystem::path scratch_;
  int jobs_;
  double timeoutS_;
  std::filesystem::path archPresets_;
  std::map<pid_t, Child> running_;
};

}  // namespace xbar::sweep
