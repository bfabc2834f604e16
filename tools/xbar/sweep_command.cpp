// `xbar sweep SWEEP.yaml -o DIR [-j N] [--timeout S]`: every point of a sweep in its own
// process (SystemC elaborates once per process), N at a time. Nothing is lost: a finished
// point is written atomically to DIR/points/ID.json and then recorded in DIR/journal.jsonl;
// running the same command again skips what the journal records. A point that fails or times
// out is recorded with its error and the sweep goes on. DIR/results.csv and results.jsonl are
// rewritten from the points at the end.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "compile_pipeline.h"
#include "sweep_spec.h"
#include "xbar/sim/simulator.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct SweepOptions {
  std::string file;
  std::string outDir;
  int jobs = 1;
  double timeoutS = 0;  // 0: none
};

nlohmann::json pointParameters(const SweepPoint& p) {
  nlohmann::json overrides = nlohmann::json::object();
  for (const auto& [key, value] : p.overrides) overrides[key] = value;
  return {{"id", p.id()},
          {"workload", p.workload.string()},
          {"arch", p.arch},
          {"overrides", overrides},
          {"partitioner", p.partitioner},
          {"batch", p.batch},
          {"objective", p.objective}};
}

// In the child: compile and simulate one point; its record with every statistic.
nlohmann::json runPoint(const SweepPoint& p) {
  std::vector<std::string> flags;
  for (const auto& [key, value] : p.overrides) flags.push_back(key + "=" + value);
  const CompiledModel c =
      compileModel(p.workload, p.arch, flags, {p.partitioner, p.objective, p.batch, 1});
  const sim::SimResult r = sim::simulate(c.program, c.arch, {p.workload.string(), ""});
  const partition::Plan& plan = c.planned.plan;
  nlohmann::json record = pointParameters(p);
  record["status"] = "done";
  record["partitions"] = plan.partitions.size();
  record["estimate"] = {{"time_ns", plan.totals.scheduleTimeNs},
                        {"energy_pj", plan.totals.scheduleEnergyPj}};
  record["stats"] = r.stats.toJson();
  return record;
}

struct JournalEntry {
  std::string status;  // done, failed
  std::string error;
};

std::map<std::string, JournalEntry> readJournal(const fs::path& path) {
  std::map<std::string, JournalEntry> entries;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    // A run killed while appending leaves at most one torn last line: skip it.
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("id") || !j.contains("status")) continue;
    entries[j["id"].get<std::string>()] = {j["status"].get<std::string>(),
                                           j.value("error", std::string())};
  }
  return entries;
}

void appendJournal(const fs::path& path, const nlohmann::json& entry) {
  const std::string line = entry.dump() + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot append to " + path.string());
}

double stat(const nlohmann::json& stats, const char* group, const char* name) {
  return stats.at(group).at(name).at("value").get<double>();
}

void writeResults(const fs::path& dir, const SweepSpec& spec,
                  const std::map<std::string, JournalEntry>& journal) {
  std::string csv = "id,workload,arch";
  for (const std::string& key : spec.gridKeys) csv += "," + key;
  csv +=
      ",partitioner,batch,objective,status,latency_ns,throughput_per_s,energy_pj,adc_pj,dac_pj,"
      "crossbar_read_pj,crossbar_write_pj,local_memory_pj,interconnect_pj,dram_pj,vector_pj,"
      "static_pj,edp_pj_ns,dram_weight_bytes,dram_activation_read_bytes,"
      "dram_activation_written_bytes,interconnect_bytes,cells_written,max_writes_per_cell,"
      "lifetime_s,estimate_time_ns,estimate_energy_pj,error\n";
  std::string jsonl;
  for (const SweepPoint& p : spec.points) {
    const auto entry = journal.find(p.id());
    if (entry == journal.end()) continue;  // not run yet
    std::string row = fmt::format("{},{},{}", p.id(), p.workload.stem().string(), p.arch);
    for (const auto& [key, value] : p.overrides) row += "," + value;
    row += fmt::format(",{},{},{},{}", p.partitioner, p.batch, p.objective, entry->second.status);
    nlohmann::json record;
    if (entry->second.status == "done") {
      record = nlohmann::json::parse(readFile(dir / "points" / (p.id() + ".json")));
      const nlohmann::json& s = record["stats"];
      for (double v : {stat(s, "latency", "total"),
                       stat(s, "latency", "throughput"),
                       stat(s, "energy", "total"),
                       stat(s, "energy", "adc"),
                       stat(s, "energy", "dac"),
                       stat(s, "energy", "crossbar_read"),
                       stat(s, "energy", "crossbar_write"),
                       stat(s, "energy", "local_memory"),
                       stat(s, "energy", "interconnect"),
                       stat(s, "energy", "dram"),
                       stat(s, "energy", "vector"),
                       stat(s, "energy", "static"),
                       s.at("edp").at("value").get<double>(),
                       stat(s, "dram", "weight_bytes_read"),
                       stat(s, "dram", "activation_bytes_read"),
                       stat(s, "dram", "activation_bytes_written"),
                       stat(s, "interconnect", "bytes"),
                       stat(s, "endurance", "cells_written"),
                       stat(s, "endurance", "max_writes_per_cell"),
                       stat(s, "endurance", "lifetime"),
                       record["estimate"]["time_ns"].get<double>(),
                       record["estimate"]["energy_pj"].get<double>()})
        row += fmt::format(",{}", v);
      row += ",";
    } else {
      record = pointParameters(p);
      record["status"] = entry->second.status;
      record["error"] = entry->second.error;
      for (int i = 0; i < 22; ++i) row += ",";
      std::string error = entry->second.error;  // CSV-quoted
      for (size_t at = 0; (at = error.find('"', at)) != std::string::npos; at += 2)
        error.insert(at, "\"");
      row += ",\"" + error + "\"";
    }
    csv += row + "\n";
    jsonl += record.dump() + "\n";
  }
  writeFileAtomically(dir / "results.csv", csv);
  writeFileAtomically(dir / "results.jsonl", jsonl);
}

struct Running {
  const SweepPoint* point;
  Clock::time_point started;
  bool timedOut = false;
};

void runSweep(const SweepOptions& o) {
  if (o.jobs < 1) failInput("-j " + std::to_string(o.jobs), "expected at least 1 job");
  const fs::path file = o.file;
  const SweepSpec spec = loadSweep(file);
  const fs::path dir = o.outDir;
  fs::create_directories(dir / "points");
  // One results directory holds one sweep: refuse to mix.
  const std::string text = readFile(file);
  const fs::path copy = dir / "sweep.yaml";
  if (fs::exists(copy) && readFile(copy) != text)
    failInput(dir.string(),
              "holds the results of another sweep file ({} differs from {}); use another -o",
              copy.string(), file.string());
  writeFileAtomically(copy, text);

  // The journal is rewritten with its complete entries, so a line torn by a kill is gone
  // before new ones are appended.
  const fs::path journalPath = dir / "journal.jsonl";
  std::map<std::string, JournalEntry> journal = readJournal(journalPath);
  std::string kept;
  for (const auto& [id, e] : journal)
    kept += nlohmann::json{{"id", id}, {"status", e.status}, {"error", e.error}}.dump() + "\n";
  writeFileAtomically(journalPath, kept);
  std::vector<const SweepPoint*> queue;
  for (const SweepPoint& p : spec.points)
    if (!journal.count(p.id())) queue.push_back(&p);
  const size_t total = spec.points.size(), skipped = total - queue.size();
  if (skipped > 0)
    std::cerr << fmt::format("sweep: {} of {} points already in {}\n", skipped, total,
                             journalPath.string());

  std::map<pid_t, Running> running;
  size_t next = 0, done = 0, failed = 0;
  const auto t0 = Clock::now();
  auto progress = [&] {
    const size_t finished = done + failed;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const double eta = finished > 0 ? elapsed / static_cast<double>(finished) *
                                          static_cast<double>(queue.size() - finished)
                                    : 0;
    std::cerr << fmt::format("sweep: [{}/{}] done {}, running {}, failed {}, ETA {:.0f} s\n",
                             skipped + finished, total, done, running.size(), failed, eta);
  };
  while (next < queue.size() || !running.empty()) {
    while (next < queue.size() && running.size() < static_cast<size_t>(o.jobs)) {
      const SweepPoint* p = queue[next++];
      std::cout.flush();
      std::fflush(nullptr);  // nothing buffered may be written twice
      const pid_t pid = fork();
      if (pid < 0) throw std::runtime_error("fork failed");
      if (pid == 0) {
        int code = 0;
        try {
          writeFileAtomically(dir / "points" / (p->id() + ".json"), runPoint(*p).dump() + "\n");
        } catch (const std::exception& e) {
          try {
            writeFileAtomically(dir / "points" / (p->id() + ".err"), e.what());
          } catch (...) {
          }
          code = 1;
        }
        _exit(code);
      }
      running[pid] = {p, Clock::now()};
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      for (auto& [child, r] : running)
        if (o.timeoutS > 0 && !r.timedOut &&
            std::chrono::duration<double>(Clock::now() - r.started).count() > o.timeoutS) {
          r.timedOut = true;
          kill(child, SIGKILL);
        }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const Running r = running.at(pid);
    running.erase(pid);
    const std::string id = r.point->id();
    JournalEntry entry{"done", ""};
    if (r.timedOut) {
      entry = {"failed", fmt::format("timed out after {} s", o.timeoutS)};
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      const fs::path err = dir / "points" / (id + ".err");
      entry = {"failed", fs::exists(err) ? readFile(err)
                         : WIFSIGNALED(status)
                             ? fmt::format("killed by signal {}", WTERMSIG(status))
                             : "exited without a result"};
    }
    appendJournal(journalPath, {{"id", id}, {"status", entry.status}, {"error", entry.error}});
    journal[id] = entry;
    (entry.status == "done" ? done : failed) += 1;
    progress();
  }
  writeResults(dir, spec, journal);
  size_t failures = 0;
  for (const auto& [id, e] : journal) failures += e.status != "done";
  std::cout << fmt::format("sweep: {} points, {} done, {} failed; wrote {}\n", total,
                           journal.size() - failures, failures, (dir / "results.csv").string());
}

}  // namespace

void addSweepCommand(CLI::App& app, Action& action) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run every point of a sweep file, each in its own process; resumable");
  cmd->add_option("sweep", options->file, "Sweep file (YAML)")->required();
  cmd->add_option("-o,--out", options->outDir, "Results directory")->required();
  cmd->add_option("-j,--jobs", options->jobs, "Points at a time")->capture_default_str();
  cmd->add_option("--timeout", options->timeoutS, "Seconds a point may take (0: no limit)")
      ->capture_default_str();
  cmd->callback([&action, options] { action = [options] { runSweep(*options); }; });
}

}  // namespace xbar::cli
