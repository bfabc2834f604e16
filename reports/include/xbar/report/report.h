// xbar report (docs/design.md §1, reports/): turns a run directory (`xbar run -o`) or a sweep
// directory (`xbar sweep -o`) into report.json, CSV tables and index.html, a page that works
// offline: Vega-Lite charts with vega, vega-lite and vega-embed inlined.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbar::report {

// Everything the page shows, as data: {"kind": "run" | "sweep", "title", ...} (report.json).
// Throws InputError naming the file and what was expected when DIR is neither kind or one of
// its files is not what xbar wrote.
nlohmann::json buildReport(const std::filesystem::path& dir);

struct WrittenReport {
  std::string kind;
  std::filesystem::path html;
  std::vector<std::filesystem::path> files;  // report.json and the CSV tables
};

// Writes index.html, report.json and the CSV tables into outDir, each atomically. assetDir
// holds node_modules/{vega,vega-lite,vega-embed} and report.html (the page template).
WrittenReport writeReport(const std::filesystem::path& dir, const std::filesystem::path& outDir,
                          const std::filesystem::path& assetDir);

}  // namespace xbar::report
