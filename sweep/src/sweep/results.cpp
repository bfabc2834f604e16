#include "xbar/sweep/results.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "xbar/arch/actions.h"
#include "xbar/report/csv_table.h"
#include "xbar/report/sweep_report.h"
#include "xbar/support/atomic_file.h"

namespace xbar::sweep {
namespace {

namespace fs = std::filesystem;

nlohmann::json entryJson(const std::string& id, const JournalEntry& e) {
  return {{"id", id}, {"status", e.status}, {"error", e.error}, {"rank", e.rank}};
}

// A statistic column of results.csv: its name and where a point's record holds it.
struct StatColumn {
  std::string name;
  nlohmann::json::json_pointer at;
};

const std::vector<StatColumn>& statColumns() {
  static const std::vector<StatColumn> columns = [] {
    std::vector<StatColumn> c = {
        {"latency_ns", "/stats/latency/total/value"_json_pointer},
        {"throughput_per_s", "/stats/latency/throughput/value"_json_pointer},
        {"energy_pj", "/stats/energy/total/value"_json_pointer}};
    for (const arch::ActionInfo& a : arch::kActions)
      c.push_back({fmt::format("{}_pj", a.energy),
                   nlohmann::json::json_pointer(fmt::format("/stats/energy/{}/value", a.energy))});
    for (const auto& [name, at] : std::initializer_list<std::pair<const char*, const char*>>{
             {"edp_pj_ns", "/stats/edp/value"},
             {"dram_weight_bytes", "/stats/dram/weight_bytes_read/value"},
             {"dram_activation_read_bytes", "/stats/dram/activation_bytes_read/value"},
             {"dram_activation_written_bytes", "/stats/dram/activation_bytes_written/value"},
             {"interconnect_bytes", "/stats/interconnect/bytes/value"},
             {"cells_written", "/stats/endurance/cells_written/value"},
             {"max_writes_per_cell", "/stats/endurance/max_writes_per_cell/value"},
             {"lifetime_s", "/stats/endurance/lifetime/value"},
             {"estimate_time_ns", "/estimate/time_ns"},
             {"estimate_energy_pj", "/estimate/energy_pj"}})
      c.push_back({name, nlohmann::json::json_pointer(at)});
    return c;
  }();
  return columns;
}

// With `validate:`, what each point's validation found (null where it does not apply: no
// labels, or an SQNR that is infinite because quantized equals float).
const std::vector<StatColumn>& validationColumns() {
  static const std::vector<StatColumn> columns = {
      {"float_top1", "/validation/accuracy/float_top1"_json_pointer},
      {"quantized_top1", "/validation/accuracy/quantized_top1"_json_pointer},
      {"compiled_top1", "/validation/accuracy/compiled_top1"_json_pointer},
      {"compiled_exact", "/validation/compiled/exact"_json_pointer},
      {"quantized_sqnr_db", "/validation/quantized_vs_float/sqnr_db"_json_pointer},
      {"float_vs_pytorch_relative_l2", "/validation/float_vs_pytorch/relative_l2"_json_pointer},
      {"validation_passed", "/validation/passed"_json_pointer}};
  return columns;
}

std::string csvValue(const nlohmann::json& record, const nlohmann::json::json_pointer& at) {
  if (!record.contains(at)) return "";
  const nlohmann::json& v = record.at(at);
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.is_number() ? fmt::format("{}", v.get<double>()) : "";
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
  const std::vector<StatColumn>& columns = statColumns();
  const std::vector<StatColumn> validation =
      spec.validation.enabled ? validationColumns() : std::vector<StatColumn>{};
  std::string csv = "id,workload,arch";
  for (const std::string& key : spec.overrideKeys) csv += "," + key;
  csv += ",partitioner,batch,objective,status";
  for (const StatColumn& c : columns) csv += "," + c.name;
  for (const StatColumn& c : validation) csv += "," + c.name;
  csv += ",error\n";
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
      for (const StatColumn& c : columns) row += fmt::format(",{}", record.at(c.at).get<double>());
      for (const StatColumn& c : validation) {
        row.push_back(',');  // not "," + value: GCC 12's -Wrestrict misfires on that
        row += csvValue(record, c.at);
      }
      row += ",";
    } else {
      record = pointParameters(p);
      record["status"] = entry->second.status;
      record["error"] = entry->second.error;
      row.append(columns.size() + validation.size() + 1, ',');  // no statistics
      row += report::csvField(entry->second.error);
    }
    csv += row + "\n";
    jsonl += record.dump() + "\n";
  }
  writeFileAtomically(dir / "results.csv", csv);
  writeFileAtomically(dir / "results.jsonl", jsonl);
}

}  // namespace xbar::sweep
