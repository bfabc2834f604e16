#include "xbar/sweep/point_pool.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "xbar/flow/pipeline.h"
#include "xbar/reference/compute_threads.h"
#include "xbar/sim/simulator.h"
#include "xbar/support/atomic_file.h"
#include "xbar/sweep/results.h"
#include "xbar/validate/validation.h"

namespace xbar::sweep {
namespace {

namespace fs = std::filesystem;

// In the child: compile and simulate one point; its record with every statistic.
nlohmann::json runPoint(const SweepPoint& p, const fs::path& archPresets) {
  std::vector<std::string> flags;
  for (const auto& [key, value] : p.overrides) flags.push_back(key + "=" + value);
  const flow::CompiledModel c =
      flow::compileModel(p.workload, flow::loadArch(p.arch, flags, archPresets),
                         {p.partitioner, p.objective, p.batch, 1});
  const sim::SimResult r = sim::simulate(c.program, c.arch, {p.workload.string(), ""});
  const partition::Plan& plan = c.planned.plan;
  nlohmann::json record = pointParameters(p);
  record["status"] = "done";
  record["partitions"] = plan.partitions.size();
  record["estimate"] = {{"time_ns", plan.totals.scheduleTimeNs},
                        {"energy_pj", plan.totals.scheduleEnergyPj}};
  record["stats"] = r.stats.toJson();
  if (p.validation.enabled) {
    validate::ValidationRequest request;
    request.model = p.workload;
    request.arch = c.arch;
    request.dataset = p.validation.dataset;
    // The program validated is the point's: its partitioner and batch.
    request.partitioner = p.partitioner;
    request.batch = p.batch;
    nlohmann::json v = validate::toJson(validate::validateModel(request));
    v.erase("seconds");  // wall time: results stay the same from run to run
    record["validation"] = std::move(v);
  }
  return record;
}

}  // namespace

LocalPool::LocalPool(fs::path scratch, int jobs, double timeoutS, fs::path archPresets)
    : scratch_(std::move(scratch)),
      jobs_(jobs),
      timeoutS_(timeoutS),
      archPresets_(std::move(archPresets)) {
  fs::create_directories(scratch_);
}

void LocalPool::start(const SweepPoint& point) {
  std::cout.flush();
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // The child never returns into the parent's code (nor MPI's): it writes and _exits.
    int code = 0;
    // The references' kernels take this point's share of the cores, not all of them.
    if (point.validation.enabled)
      reference::setComputeThreads(
          static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) / jobs_);
    try {
      writeFileAtomically(scratch_ / (point.id() + ".json"),
                          runPoint(point, archPresets_).dump() + "\n");
    } catch (const std::exception& e) {
      try {
        writeFileAtomically(scratch_ / (point.id() + ".err"), e.what());
      } catch (...) {
      }
      code = 1;
    }
    _exit(code);
  }
  running_[pid] = {&point, std::chrono::steady_clock::now()};
}

std::vector<PointOutcome> LocalPool::poll() {
  std::vector<PointOutcome> finished;
  // Reap first: a point that ended before this call is not timed out for being seen late.
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    const auto it = running_.find(pid);
    if (it == running_.end()) continue;  // not ours
    const Child child = it->second;
    running_.erase(it);
    const std::string id = child.point->id();
    const fs::path record = scratch_ / (id + ".json"), err = scratch_ / (id + ".err");
    PointOutcome out{child.point->index, "done", "", ""};
    if (child.timedOut) {
      out = {child.point->index, "failed", fmt::format("timed out after {} s", timeoutS_), ""};
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      out.status = "failed";
      out.error = fs::exists(err)       ? readFile(err)
                  : WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                        : "exited without a result";
    } else {
      out.record = readFile(record);
    }
    fs::remove(err);
    finished.push_back(std::move(out));
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto& [pid, child] : running_)
    if (timeoutS_ > 0 && !child.timedOut &&
        std::chrono::duration<double>(now - child.started).count() > timeoutS_) {
      child.timedOut = true;
      kill(pid, SIGKILL);
    }
  return finished;
}

}  // namespace xbar::sweep
