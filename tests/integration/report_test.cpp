// `xbar report` on what `xbar run` and `xbar sweep` wrote: the page data agrees with the
// statistics it came from, the COMPASS paper sweep gives the paper's table with ratios that
// follow from results.csv, and bad directories get one line.
#include <cmath>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "command_fixture.h"

namespace {

using namespace xbar::testing;

class Report : public CommandTest {};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
  return fields;
}

TEST_F(Report, ARunReportShowsTheRunsStatistics) {
  const fs::path run = dir_ / "run";
  std::string err;
  ASSERT_EQ(xbar("run " + std::string(XBAR_EXPORT_DIR) +
                     "/resnet18.stripped.onnx --arch compass-sram-m --batch 4 -o " + run.string(),
                 &err),
            0)
      << err;
  ASSERT_EQ(xbar("report " + run.string(), &err), 0) << err;
  EXPECT_NE(out().find("run report: " + (run / "index.html").string()), std::string::npos);
  const nlohmann::json stats = nlohmann::json::parse(slurp(run / "stats.json"));
  const nlohmann::json report = nlohmann::json::parse(slurp(run / "report.json"));
  EXPECT_EQ(report["kind"], "run");
  EXPECT_EQ(report["summary"][0]["quantity"], "batch latency");
  EXPECT_EQ(report["summary"][0]["simulated"], stats["latency"]["total"]["value"]);
  EXPECT_EQ(report["partitions"].size(), stats["partitions"].size());
  // Every partition has each core's spans from timeline.csv, one row per line.
  EXPECT_EQ(report["timeline"].size() + 1, lines(run / "timeline.csv").size());
  for (const char* csv : {"summary.csv", "energy.csv", "dram.csv", "partitions.csv", "cores.csv"})
    EXPECT_TRUE(fs::is_regular_file(run / csv)) << csv;
  // Self-contained: the libraries are inlined, nothing is fetched when the page is viewed.
  const std::string html = slurp(run / "index.html");
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<!-- xbar:"), std::string::npos) << "a marker was left in the page";
  EXPECT_NE(html.find("vegaEmbed"), std::string::npos);
}

TEST_F(Report, ThePaperSweepRendersThePaperTable) {
  // The sweep ran once, as the ctest fixture CompassPaperSweep.Run (tests/CMakeLists.txt);
  // the report is made on a copy.
  const fs::path out = dir_ / "paper";
  ASSERT_TRUE(fs::is_regular_file(fs::path(XBAR_PAPER_SWEEP_DIR) / "results.csv"))
      << "run it through ctest, which runs the sweep first: " << XBAR_PAPER_SWEEP_DIR;
  fs::copy(XBAR_PAPER_SWEEP_DIR, out, fs::copy_options::recursive);
  std::string err;
  ASSERT_EQ(xbar("report " + out.string(), &err), 0) << err;
  // 3 networks x 3 chips x 5 batches, each row comparing compass and optimal with greedy and
  // layerwise.
  const std::vector<std::string> rows = lines(out / "comparison.csv");
  ASSERT_EQ(rows.size(), 46u);
  const std::vector<std::string> header = split(rows[0]);
  ASSERT_EQ(header.size(), 12u) << rows[0];
  EXPECT_EQ(header[4], "throughput compass/greedy");

  // Each ratio follows from results.csv: resnet18 on chip M at batch 16, throughput compass
  // over greedy, both optimising throughput.
  std::map<std::string, double> throughput;  // partitioner -> samples/s
  const std::vector<std::string> results = lines(out / "results.csv");
  const std::vector<std::string> columns = split(results[0]);
  const auto col = [&](const char* name) {
    return std::find(columns.begin(), columns.end(), name) - columns.begin();
  };
  for (size_t i = 1; i < results.size(); ++i) {
    const std::vector<std::string> f = split(results[i]);
    if (f[col("workload")] == "resnet18" && f[col("arch")] == "compass-sram-m" &&
        f[col("batch")] == "16" && f[col("objective")] == "throughput")
      throughput[f[col("partitioner")]] = std::stod(f[col("throughput_per_s")]);
  }
  ASSERT_EQ(throughput.size(), 4u);
  bool found = false;
  for (const std::string& row : rows) {
    const std::vector<std::string> f = split(row);
    if (f[0] == "resnet18" && f[1] == "compass-sram-m" && f[3] == "16") {
      EXPECT_NEAR(std::stod(f[4]), throughput["compass"] / throughput["greedy"], 1e-9);
      found = true;
    }
  }
  EXPECT_TRUE(found);

  // The geomeans sit beside the paper's figures for its three networks, and over all.
  const nlohmann::json report = nlohmann::json::parse(slurp(out / "report.json"));
  const nlohmann::json& geomeans = report["comparison"]["geomeans"];
  ASSERT_EQ(geomeans.size(), 4u);
  std::map<std::string, nlohmann::json> byName;
  for (const auto& g : geomeans) byName[g["workload"]] = g;
  EXPECT_DOUBLE_EQ(byName["vgg16"]["paper throughput compass/greedy"].get<double>(), 1.80);
  EXPECT_DOUBLE_EQ(byName["squeezenet1_1"]["paper throughput compass/layerwise"].get<double>(),
                   1.98);
  EXPECT_DOUBLE_EQ(byName["all"]["paper EDP layerwise/compass"].get<double>(), 2.08);
  // The geomean is the geomean of the rows.
  double logSum = 0;
  int n = 0;
  for (const auto& r : report["comparison"]["rows"])
    if (r["workload"] == "vgg16") {
      logSum += std::log(r["throughput compass/greedy"].get<double>());
      ++n;
    }
  EXPECT_EQ(n, 15);
  EXPECT_NEAR(byName["vgg16"]["throughput compass/greedy"].get<double>(), std::exp(logSum / n),
              1e-9);
}

TEST_F(Report, BadDirectoriesGetOneLine) {
  std::string err;
  EXPECT_EQ(xbar("report " + (dir_ / "nope").string(), &err), 1);
  EXPECT_EQ(err, "xbar: error: " + (dir_ / "nope").string() + ": no such directory\n");
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(xbar("report " + (dir_ / "empty").string(), &err), 1);
  EXPECT_NE(err.find("neither a run directory"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  writeFile("empty/sweep.yaml", "workloads: []\n");  // a sweep killed before its end
  EXPECT_EQ(xbar("report " + (dir_ / "empty").string(), &err), 1);
  EXPECT_NE(err.find("a sweep that has not finished"), std::string::npos) << err;
  fs::remove(dir_ / "empty" / "sweep.yaml");
  writeFile("empty/stats.json", "[1, 2");
  EXPECT_EQ(xbar("report " + (dir_ / "empty").string(), &err), 1);
  EXPECT_NE(err.find("stats.json: not valid JSON"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir_ / "empty" / "index.html")) << "nothing written for bad input";
}

}  // namespace
