// The report library's pieces, each against a hand-worked case: the Pareto front, CSV
// quoting, the partitioner comparison's ratios and geomeans, inlining text into <script>,
// and the page template's markers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "xbar/report/csv_table.h"
#include "xbar/report/html_page.h"
#include "xbar/report/pareto.h"
#include "xbar/report/partitioner_comparison.h"
#include "xbar/report/report.h"
#include "xbar/support/error.h"

namespace {

namespace fs = std::filesystem;
using namespace xbar::report;

TEST(Pareto, KeepsThePointsNothingBeatsInBothQuantities) {
  // (latency, energy): (1, 9) fastest; (2, 5) and (4, 1) trade; (3, 6) is beaten by (2, 5);
  // (4, 2) by (4, 1); the duplicate (2, 5) is as good as its twin, so both stay.
  const std::vector<std::pair<double, double>> points = {{3, 6}, {1, 9}, {2, 5},
                                                         {4, 1}, {4, 2}, {2, 5}};
  const std::vector<bool> front = paretoFront(points);
  EXPECT_EQ(front, (std::vector<bool>{false, true, true, true, false, true}));
  EXPECT_TRUE(paretoFront({}).empty());
}

TEST(Csv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(csvField("plain"), "plain");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("two\nlines"), "\"two\nlines\"");
  const nlohmann::json rows = {{{"a", 1}, {"b", "x,y"}}, {{"a", 2.5}}};
  EXPECT_EQ(csvTable({"a", "b"}, rows), "a,b\n1,\"x,y\"\n2.5,\n");
}

nlohmann::json point(const std::string& partitioner, const std::string& objective,
                     double throughput, double edp, int64_t batch = 16) {
  return {{"workload", "resnet18"},     {"arch", "compass-sram-m"},
          {"setting", "as configured"}, {"batch", batch},
          {"partitioner", partitioner}, {"objective", objective},
          {"throughput", throughput},   {"edp", edp}};
}

TEST(PartitionerComparison, RatiosComeFromThePlansOptimisedForEach) {
  // Throughput ratios from the throughput-optimised points, EDP ratios from the EDP ones:
  // the throughput-objective EDPs (999) and EDP-objective throughputs (1) must be ignored.
  const nlohmann::json points = {point("greedy", "throughput", 100, 999),
                                 point("compass", "throughput", 250, 999),
                                 point("greedy", "edp", 1, 40),
                                 point("compass", "edp", 1, 10),
                                 point("greedy", "throughput", 100, 999, 1),
                                 point("compass", "throughput", 160, 999, 1),
                                 point("greedy", "edp", 1, 30, 1),
                                 point("compass", "edp", 1, 20, 1)};
  const nlohmann::json c = comparePartitioners(points);
  ASSERT_FALSE(c.is_null());
  ASSERT_EQ(c["rows"].size(), 2u);
  const nlohmann::json& b1 = c["rows"][0];  // groups sort by batch: 1 then 16
  EXPECT_EQ(b1["batch"], 1);
  EXPECT_DOUBLE_EQ(b1["throughput compass/greedy"].get<double>(), 1.6);
  EXPECT_DOUBLE_EQ(b1["EDP greedy/compass"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(c["rows"][1]["throughput compass/greedy"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(c["rows"][1]["EDP greedy/compass"].get<double>(), 4.0);
  // Geomeans: sqrt(1.6 x 2.5) = 2, sqrt(1.5 x 4) = sqrt(6); the paper's resnet18 figures.
  const nlohmann::json& g = c["geomeans"][0];
  EXPECT_NEAR(g["throughput compass/greedy"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(g["EDP greedy/compass"].get<double>(), std::sqrt(6.0), 1e-12);
  EXPECT_DOUBLE_EQ(g["paper throughput compass/greedy"].get<double>(), 1.71);
}

TEST(PartitionerComparison, NeedsABaselineAndSomethingElse) {
  const nlohmann::json onlyCompass = nlohmann::json::array({point("compass", "throughput", 1, 1)});
  EXPECT_TRUE(comparePartitioners(onlyCompass).is_null());
  const nlohmann::json onlyBaselines = nlohmann::json::array(
      {point("greedy", "throughput", 1, 1), point("layerwise", "throughput", 1, 1)});
  EXPECT_TRUE(comparePartitioners(onlyBaselines).is_null());
}

TEST(HtmlPage, InlinedTextCannotEndTheScript) {
  // JSON: "</script>" inside a string reads back unchanged.
  const nlohmann::json data = {{"title", "</script><!-- x"}};
  const std::string safe = jsonScriptSafe(data.dump());
  EXPECT_EQ(safe.find("</"), std::string::npos);
  EXPECT_EQ(safe.find("<!--"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(safe), data);
  // JavaScript: a closing tag in any case is escaped; other "</" (a regex /</g) is left.
  EXPECT_EQ(javascriptScriptSafe("s='</SCRIPT>';r=/</g", "lib.js"), "s='<\\/SCRIPT>';r=/</g");
  EXPECT_THROW(javascriptScriptSafe("a<!--b", "lib.js"), xbar::InputError);
  EXPECT_EQ(htmlEscaped("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

class TemplateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("xbar_report_unit_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "node_modules" / "lib");
    std::ofstream(dir_ / "node_modules" / "lib" / "lib.js") << "var lib = 1;";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void page(const std::string& text) { std::ofstream(dir_ / "report.html") << text; }
  fs::path dir_;
};

TEST_F(TemplateDir, MarkersAreReplacedWithTitleScriptsAndData) {
  page(
      "<title><!-- xbar:title --></title><!-- xbar:script node_modules/lib/lib.js -->"
      "<!-- xbar:data --><p>end</p>");
  const std::string html = renderHtml({{"title", "a < b"}, {"kind", "run"}}, dir_);
  EXPECT_EQ(html,
            "<title>a &lt; b</title><script>var lib = 1;</script>"
            "<script type=\"application/json\" id=\"xbar-report\">{\"kind\":\"run\",\"title\":\"a "
            "< b\"}</script><p>end</p>");
}

TEST_F(TemplateDir, AMissingAssetOrUnknownMarkerIsOneClearError) {
  page("<!-- xbar:script node_modules/nope.js -->");
  try {
    renderHtml({}, dir_);
    FAIL() << "a missing asset was not reported";
  } catch (const xbar::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.js: a report asset is missing"), std::string::npos)
        << e.what();
  }
  page("<!-- xbar:chart -->");
  EXPECT_THROW(renderHtml({}, dir_), xbar::InputError);
  fs::remove(dir_ / "report.html");
  EXPECT_THROW(renderHtml({}, dir_), xbar::InputError);
}

TEST_F(TemplateDir, ADirectoryOfNeitherKindIsRefused) {
  try {
    buildReport(dir_);
    FAIL();
  } catch (const xbar::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("neither a run directory"), std::string::npos);
  }
  std::ofstream(dir_ / "stats.json") << "{\"latency\": ";  // cut short
  try {
    buildReport(dir_);
    FAIL();
  } catch (const xbar::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("stats.json: not valid JSON"), std::string::npos)
        << e.what();
  }
  std::ofstream(dir_ / "stats.json") << "{\"latency\": {}}";
  try {
    buildReport(dir_);
    FAIL();
  } catch (const xbar::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("stats.json: missing 'total'"), std::string::npos)
        << e.what();
  }
}

}  // namespace

namespace {

// A validation.json as `xbar validate --json` writes it, cut to what the report reads: one
// layer equal to float (null SQNR), one not, labels given.
const char* kValidation = R"({
  "model": "digits_cnn", "arch": "compass-sram-m", "samples": 450,
  "calibration": {"samples": 128, "source": "calibration.npy"}, "adc_can_clip": true,
  "quantized_vs_float": {"sqnr_db": 21.5, "cosine": 0.996, "relative_l2": 0.08,
                         "max_abs_error": 1.2, "top1_agreement": 0.97, "rows": 450},
  "float_vs_pytorch": null,
  "layers": [
    {"name": "conv1", "op": "Conv", "sqnr_db": null, "cosine": 1, "relative_l2": 0,
     "max_abs_error": 0, "top1_agreement": null, "rows": 0, "compiled_exact": true},
    {"name": "fc", "op": "Gemm", "sqnr_db": 24.0, "cosine": 0.998, "relative_l2": 0.06,
     "max_abs_error": 0.9, "top1_agreement": 0.98, "rows": 450, "compiled_exact": true}],
  "compiled": {"partitioner": "compass", "batch": 1, "partitions": 3, "instructions": 206,
               "elements_compared": 3493800, "exact": true, "first_difference": ""},
  "accuracy": {"labels": 450, "float_top1": 0.9889, "quantized_top1": 0.9733,
               "compiled_top1": 0.9733},
  "passed": true, "failures": []})";

TEST_F(TemplateDir, AValidationAloneMakesAValidationReport) {
  std::ofstream(dir_ / "validation.json") << kValidation;
  const nlohmann::json r = buildReport(dir_);
  EXPECT_EQ(r["kind"], "validation");
  const nlohmann::json& v = r["validation"];
  ASSERT_EQ(v["comparisons"].size(), 1U) << "no PyTorch output: only quantized vs float";
  EXPECT_EQ(v["comparisons"][0]["sqnr_db"], 21.5);
  ASSERT_EQ(v["layers"].size(), 2U);
  EXPECT_TRUE(v["layers"][0]["sqnr_db"].is_null()) << "an exact layer keeps its null";
  EXPECT_EQ(v["layers"][1]["layer"], "fc");
  ASSERT_EQ(v["accuracy"].size(), 3U);
  EXPECT_EQ(v["accuracy"][1]["top1"], 0.9733);
  EXPECT_EQ(v["accuracy"][2]["reference"], "compiled program");
  EXPECT_TRUE(v["compiled"]["exact"].get<bool>());
  EXPECT_TRUE(v["layers"][1]["compiled_exact"].get<bool>());
  EXPECT_EQ(v["labels"], 450);
}

TEST_F(TemplateDir, AValidationMissingAKeyIsRefusedNamingTheFile) {
  nlohmann::json v = nlohmann::json::parse(kValidation);
  v.erase("layers");
  std::ofstream(dir_ / "validation.json") << v.dump();
  try {
    buildReport(dir_);
    FAIL();
  } catch (const xbar::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("validation.json: missing 'layers'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
