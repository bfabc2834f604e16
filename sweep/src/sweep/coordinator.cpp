// The coordinator of a sweep: serial, or rank 0 and the workers under mpirun.
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"
#include "xbar/sweep/coordinator.h"
#include "xbar/sweep/point_pool.h"
#include "xbar/sweep/ranks.h"
#include "xbar/sweep/results.h"
#include "xbar/sweep/sweep_spec.h"

namespace xbar::sweep {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void pause() {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

// Rank 0, before anything runs: the spec, checked whole, and a results directory that holds
// this sweep's results only.
SweepSpec prepare(const SweepOptions& o) {
  if (o.jobs < 1) failInput("-j " + std::to_string(o.jobs), "expected at least 1 job");
  if (o.timeoutS < 0) failInput(fmt::format("--timeout {}", o.timeoutS), "expected 0 or more s");
  const fs::path file = o.file;
  SweepSpec spec = loadSweep(file, o.paths);
  const fs::path dir = o.outDir;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    failInput(dir.string(), "is not a directory; expected a results directory for -o");
  fs::create_directories(dir / "points", ec);
  if (ec) failInput(dir.string(), "cannot create the results directory: {}", ec.message());
  const std::string text = readFile(file);
  const fs::path copy = dir / "sweep.yaml";
  if (fs::exists(copy) && readFile(copy) != text)
    failInput(dir.string(),
              "holds the results of another sweep file ({} differs from {}); use another -o",
              copy.string(), file.string());
  writeFileAtomically(copy, text);
  return spec;
}

void coordinate(const SweepOptions& o, const SweepSpec& spec, const Ranks& ranks) {
  const fs::path dir = o.outDir;
  Journal journal(dir / "journal.jsonl");
  std::vector<const SweepPoint*> queue;
  for (const SweepPoint& p : spec.points)
    if (!journal.contains(p.id())) queue.push_back(&p);
  const size_t total = spec.points.size(), skipped = total - queue.size();
  if (skipped > 0)
    std::cerr << fmt::format("sweep: {} of {} points already in {}\n", skipped, total,
                             (dir / "journal.jsonl").string());

  LocalPool pool(dir / "points", o.jobs, o.timeoutS, spec.paths.archPresets);
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  size_t next = 0, done = 0, failed = 0, remoteRunning = 0;
  int finishedRanks = 0;
  const auto t0 = Clock::now();
  auto accept = [&](const PointOutcome& out, int rank) {
    if (out.index < 0 || static_cast<size_t>(out.index) >= total)
      throw std::runtime_error(
          fmt::format("rank {} reported point {} of {}", rank, out.index, total));
    const std::string id = spec.points[static_cast<size_t>(out.index)].id();
    // The point's file first, then its journal line: a journaled point always has its record.
    if (rank != 0 && out.status == "done")
      writeFileAtomically(dir / "points" / (id + ".json"), out.record);
    journal.append(id, {out.status, out.error, rank});
    (out.status == "done" ? done : failed) += 1;
  };
  auto progress = [&] {
    const size_t finished = done + failed;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const double eta =
        elapsed / static_cast<double>(finished) * static_cast<double>(queue.size() - finished);
    // On a terminal one line redraws itself (a progress bar); in a log, a line per point.
    const std::string bar(static_cast<size_t>(20 * (skipped + finished) / total), '#');
    std::cerr << fmt::format(
        "{}sweep: [{:<20}] {}/{} done {}, running {}, failed {}, ETA {:.0f} s{}",
        tty ? "\r\033[K" : "", bar, skipped + finished, total, done, pool.running() + remoteRunning,
        failed, eta, tty ? "" : "\n");
  };
  while (next < queue.size() || pool.running() > 0 || finishedRanks < ranks.size() - 1) {
    const size_t finishedBefore = done + failed;
    bool idle = true;
    for (const PointOutcome& out : pool.poll()) {
      accept(out, 0);
      idle = false;
    }
    int source = 0;
    Ranks::Tag tag{};
    std::string text;
    while (ranks.receive(source, tag, text)) {
      idle = false;
      if (tag == Ranks::kFinished) {
        ++finishedRanks;
        continue;
      }
      if (!text.empty()) {  // a result, which also asks for the next point
        const nlohmann::json j = nlohmann::json::parse(text);
        --remoteRunning;
        accept({j.at("index").get<int32_t>(), j.at("status").get<std::string>(),
                j.at("error").get<std::string>(), j.at("record").get<std::string>()},
               source);
      }
      if (next < queue.size()) {
        ranks.send(source, Ranks::kAssign, std::to_string(queue[next++]->index));
        ++remoteRunning;
      } else {
        ranks.send(source, Ranks::kAssign, "-1");
      }
    }
    while (next < queue.size() && pool.hasFreeSlot()) {
      pool.start(*queue[next++]);
      idle = false;
    }
    // After refilling, so that "running" counts the points that took the freed slots.
    if (done + failed > finishedBefore) progress();
    if (idle) pause();
  }
  if (tty && done + failed > 0) std::cerr << "\n";
  writeResults(dir, spec, journal);
  size_t failures = 0;
  for (const auto& [id, e] : journal.entries()) failures += e.status != "done";
  std::cout << fmt::format("sweep: {} points, {} done, {} failed; wrote {}\n", total,
                           journal.entries().size() - failures, failures,
                           (dir / "results.csv").string());
}

// Ranks other than 0: ask for a point per free slot, run it, send back what became of it.
void work(const SweepOptions& o, const SweepSpec& spec, const Ranks& ranks) {
  const fs::path scratch =
      fs::temp_directory_path() / fmt::format("xbar-sweep-{}-rank{}", ::getpid(), ranks.rank());
  LocalPool pool(scratch, o.jobs, o.timeoutS, spec.paths.archPresets);
  int open = o.jobs;
  for (int slot = 0; slot < o.jobs; ++slot) ranks.send(0, Ranks::kRequest, "");
  while (open > 0) {
    bool idle = true;
    int source = 0;
    Ranks::Tag tag{};
    std::string text;
    while (ranks.receive(source, tag, text)) {
      idle = false;
      const int index = std::stoi(text);
      if (index < 0) {
        --open;  // this slot is done: nothing left to run
      } else if (static_cast<size_t>(index) < spec.points.size()) {
        pool.start(spec.points[static_cast<size_t>(index)]);
      } else {
        throw std::runtime_error(
            fmt::format("rank 0 assigned point {} of {}", index, spec.points.size()));
      }
    }
    for (const PointOutcome& out : pool.poll()) {
      idle = false;
      const nlohmann::json j = {{"index", out.index},
                                {"status", out.status},
                                {"error", out.error},
                                {"record", out.record}};
      ranks.send(0, Ranks::kRequest, j.dump());
      fs::remove(scratch / (spec.points[static_cast<size_t>(out.index)].id() + ".json"));
    }
    if (idle) pause();
  }
  ranks.send(0, Ranks::kFinished, "");
  fs::remove_all(scratch);
}

}  // namespace

void runSweep(const SweepOptions& o) {
  Ranks ranks;
  if (ranks.rank() != 0) {
    // Rank 0 checks the sweep first and says how many points it has (-1: it refused it and
    // printed why).
    const int points = ranks.broadcast(0);
    if (points < 0) ranks.exit(kExitBadInput);
    try {
      const SweepSpec spec = loadSweep(o.file, o.paths);
      if (spec.points.size() != static_cast<size_t>(points))
        failInput(o.file,
                  "has {} points on rank {} but {} on rank 0; every rank must see the "
                  "same sweep file and workloads",
                  spec.points.size(), ranks.rank(), points);
      work(o, spec, ranks);
    } catch (const std::exception& e) {
      std::cerr << fmt::format("xbar: error: rank {}: {}\n", ranks.rank(), e.what());
      ranks.abort(kExitInternal);
    }
    return;
  }
  SweepSpec spec;
  try {
    spec = prepare(o);
  } catch (const InputError& e) {
    if (ranks.size() == 1) throw;
    // Print before the other ranks hear of it: they exit at once, and mpirun ends this rank
    // as soon as one of them exits non-zero.
    std::cerr << "xbar: error: " << e.what() << std::endl;
    ranks.broadcast(-1);
    ranks.exit(kExitBadInput);
  } catch (...) {
    ranks.broadcast(-1);
    throw;
  }
  ranks.broadcast(static_cast<int>(spec.points.size()));
  if (ranks.size() == 1) return coordinate(o, spec, ranks);
  try {
    coordinate(o, spec, ranks);
  } catch (const std::exception& e) {
    std::cerr << fmt::format("xbar: error: rank 0: {}\n", e.what());
    ranks.abort(kExitInternal);
  }
}

}  // namespace xbar::sweep
