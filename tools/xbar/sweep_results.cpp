#include "sweep_results.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "xbar/report/csv_table.h"
#include "xbar/report/sweep_report.h"
#include "xbar/support/atomic_file.h"

namespace xbar::cli {
namespace {

namespace fs = std::filesystem;

nlohmann::json entryJson(const std::string& id, const JournalEntry& e) {
  return {{"id", id}, {"status", e.status}, {"error", e.error}, {"rank", e.rank}};
}

double stat(const nlohmann::json& stats, const char* group, const char* name) {
  return stats.at(group).at(name).at("value").get<double>();
}

}  // namespace

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

Journal::Journal(const fs::path& path) : path_(path) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    // A run killed while appending leaves at most one torn last line: skip it.
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("id") || !j.contains("status")) continue;
    entries_[j["id"].get<std::string>()] = {j["status"].get<std::string>(),
                                            j.value("error", std::string()), j.value("rank", 0)};
  }
  std::string kept;
  for (const auto& [id, e] : entries_) kept += entryJson(id, e).dump() + "\n";
  writeFileAtomically(path, kept);
}

void Journal::append(const std::string& id, const JournalEntry& entry) {
  const std::string line = entryJson(id, entry).dump() + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path_.string());
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot append to " + path_.string());
  entries_[id] = entry;
}

void writeResults(const fs::path& dir, const SweepSpec& spec, const Journal& journal) {
  std::string csv = "id,workload,arch";
  for (const std::string& key : spec.overrideKeys) csv += "," + key;
  csv +=
      ",partitioner,batch,objective,status,latency_ns,throughput_per_s,energy_pj,adc_pj,dac_pj,"
      "crossbar_read_pj,crossbar_write_pj,local_memory_pj,interconnect_pj,dram_pj,vector_pj,"
      "static_pj,edp_pj_ns,dram_weight_bytes,dram_activation_read_bytes,"
      "dram_activation_written_bytes,interconnect_bytes,cells_written,max_writes_per_cell,"
      "lifetime_s,estimate_time_ns,estimate_energy_pj,error\n";
  std::string jsonl;
  for (const SweepPoint& p : spec.points) {
    const auto entry = journal.entries().find(p.id());
    if (entry == journal.entries().end()) continue;  // not run yet
    std::string row = fmt::format("{},{},{}", p.id(), report::workloadName(p.workload), p.arch);
    for (const std::string& key : spec.overrideKeys) {  // empty where a config leaves it
      row.push_back(',');
      for (const auto& [k, value] : p.overrides)
        if (k == key) row += report::csvField(value);
    }
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
      row.append(23, ',');  // no statistics
      row += report::csvField(entry->second.error);
    }
    csv += row + "\n";
    jsonl += record.dump() + "\n";
  }
  writeFileAtomically(dir / "results.csv", csv);
  writeFileAtomically(dir / "results.jsonl", jsonl);
}

}  // namespace xbar::cli
