// `xbar report DIR [-o OUT]`: the HTML report (index.html), report.json and CSV tables of a
// run directory (xbar run -o) or a sweep directory (xbar sweep -o).
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "cli.h"
#include "xbar/report/report.h"

namespace xbar::cli {
namespace {

// Where the page template and the npm-installed Vega libraries are (the build's
// reports/web), unless XBAR_REPORT_ASSETS says otherwise.
std::filesystem::path reportAssetDir() {
  if (const char* dir = std::getenv("XBAR_REPORT_ASSETS"); dir != nullptr && *dir != '\0')
    return dir;
  return XBAR_DEFAULT_REPORT_ASSETS;
}

}  // namespace

void addReportCommand(CLI::App& app, Action& action) {
  struct Options {
    std::string dir;
    std::string out;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write index.html (charts, offline), report.json and CSVs for a run or sweep "
      "directory");
  cmd->add_option("dir", o->dir, "A directory written by xbar run -o or xbar sweep -o")->required();
  cmd->add_option("-o,--out", o->out, "Where to write the report (default: DIR)");
  cmd->callback([o, &action] {
    action = [o] {
      const auto written =
          report::writeReport(o->dir, o->out.empty() ? o->dir : o->out, reportAssetDir());
      std::cout << fmt::format("{} report: {}\n", written.kind, written.html.string());
      for (const auto& f : written.files) std::cout << "  " << f.string() << "\n";
    };
  });
}

}  // namespace xbar::cli
