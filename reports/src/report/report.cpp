#include "xbar/report/report.h"

#include "xbar/report/csv_table.h"
#include "xbar/report/html_page.h"
#include "xbar/report/run_report.h"
#include "xbar/report/sweep_report.h"
#include "xbar/report/validation_section.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::report {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> columnsOf(const nlohmann::json& rows,
                                   std::vector<std::string> first = {}) {
  for (const nlohmann::json& row : rows)
    for (const auto& [key, value] : row.items())
      if (std::find(first.begin(), first.end(), key) == first.end()) first.push_back(key);
  return first;
}

}  // namespace

nlohmann::json buildReport(const fs::path& dir) {
  if (!fs::is_directory(dir)) failInput(dir.string(), "no such directory");
  try {
    if (isSweepDirectory(dir)) return sweepReport(dir);
    if (isRunDirectory(dir)) return runReport(dir);
    if (hasValidation(dir)) return validationReport(dir);
  } catch (const nlohmann::json::exception& e) {
    failInput(dir.string(), "not as xbar wrote it: {}", e.what());
  } catch (const std::invalid_argument& e) {
    failInput(dir.string(), "not as xbar wrote it: {}", e.what());
  }
  if (fs::is_regular_file(dir / "sweep.yaml"))
    failInput(dir.string(),
              "a sweep that has not finished (no results.jsonl yet); run the same xbar sweep "
              "command again: it resumes and writes the results");
  failInput(dir.string(),
            "neither a run directory (stats.json, from xbar run -o), a sweep directory "
            "(results.jsonl and sweep.yaml, from xbar sweep -o) nor a validation (validation.json, "
            "from xbar validate --json)");
}

WrittenReport writeReport(const fs::path& dir, const fs::path& outDir, const fs::path& assetDir) {
  const nlohmann::json report = buildReport(fs::weakly_canonical(dir));
  const std::string html = renderHtml(report, assetDir);  // fails before anything is written
  fs::create_directories(outDir);
  WrittenReport written{report["kind"], outDir / "index.html", {}};
  auto write = [&](const std::string& name, const std::string& text) {
    writeFileAtomically(outDir / name, text);
    written.files.push_back(outDir / name);
  };
  write("report.json", report.dump(1) + "\n");
  if (report.contains("validation")) {
    const nlohmann::json& v = report["validation"];
    write("validation.csv", csvTable({"comparison", "sqnr_db", "cosine", "relative_l2",
                                      "max_abs_error", "top1_agreement"},
                                     v["comparisons"]));
    write("validation_layers.csv", csvTable({"layer", "op", "sqnr_db", "cosine", "relative_l2",
                                             "max_abs_error", "top1_agreement"},
                                            v["layers"]));
  }
  if (written.kind == "run") {
    write("summary.csv",
          csvTable({"quantity", "simulated", "estimate", "unit"}, report["summary"]));
    write("energy.csv", csvTable({"component", "source", "pj"}, report["energy"]));
    write("dram.csv", csvTable({"partition", "traffic", "bytes"}, report["dram_by_partition"]));
    write("partitions.csv", csvTable(columnsOf(report["partitions"]), report["partitions"]));
    write("cores.csv", csvTable({"core", "activity", "ns"}, report["cores"]));
  } else if (written.kind == "sweep") {  // a validation alone has only the tables above
    nlohmann::json front = nlohmann::json::array();
    for (const nlohmann::json& p : report["points"])
      if (p.value("pareto", false)) front.push_back(p);
    write("pareto.csv", csvTable(columnsOf(front, {"id"}), front));
    if (report.contains("comparison")) {
      const nlohmann::json& c = report["comparison"];
      const std::vector<std::string> ratios = c["columns"];
      std::vector<std::string> columns = {"workload", "arch", "setting", "batch"};
      columns.insert(columns.end(), ratios.begin(), ratios.end());
      write("comparison.csv", csvTable(columns, c["rows"]));
      std::vector<std::string> geomeanColumns = {"workload"};  // then the paper's figures
      geomeanColumns.insert(geomeanColumns.end(), ratios.begin(), ratios.end());
      write("comparison_geomeans.csv",
            csvTable(columnsOf(c["geomeans"], geomeanColumns), c["geomeans"]));
    }
  }
  writeFileAtomically(written.html, html);
  return written;
}

}  // namespace xbar::report
