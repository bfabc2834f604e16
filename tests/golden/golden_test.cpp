// Golden regression (docs/design.md, "Golden regression"): for every point of points.txt,
// `xbar run` regenerates plan.json, program.xasm and stats.json and each must equal its
// committed copy byte for byte. The simulator and the estimate are compared elsewhere; this
// catches both drifting together. On a difference the test prints the first JSON field (as a
// JSON pointer) or the first program line that differs. tools/update-goldens.sh rewrites the
// goldens; a golden changes only in a commit that says why.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command_fixture.h"

namespace {

namespace fs = std::filesystem;
using xbar::testing::slurp;

struct Point {
  std::string model, arch, partitioner;
  int batch = 1;
  std::string dir() const {
    return model + "/" + arch + "-" + partitioner + "-b" + std::to_string(batch);
  }
};

void PrintTo(const Point& p, std::ostream* os) {
  *os << p.dir();
}

std::vector<Point> readPoints() {
  std::vector<Point> points;
  std::ifstream in(std::string(XBAR_GOLDEN_DIR) + "/points.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Point p;
    fields >> p.model >> p.arch >> p.partitioner >> p.batch;
    points.push_back(p);
  }
  return points;
}

// The first place two JSON documents differ, as "pointer: expected X, got Y".
std::optional<std::string> firstJsonDifference(const nlohmann::json& want,
                                               const nlohmann::json& got,
                                               const std::string& pointer) {
  if (want.type() != got.type() || (!want.is_object() && !want.is_array() && want != got))
    return (pointer.empty() ? "/" : pointer) + ": expected " + want.dump() + ", got " + got.dump();
  if (want.is_object()) {
    for (const auto& [key, value] : want.items()) {
      if (!got.contains(key)) return pointer + "/" + key + ": missing";
      if (auto d = firstJsonDifference(value, got.at(key), pointer + "/" + key)) return d;
    }
    for (const auto& [key, value] : got.items())
      if (!want.contains(key)) return pointer + "/" + key + ": not in the golden";
  }
  if (want.is_array()) {
    for (size_t i = 0; i < std::min(want.size(), got.size()); ++i)
      if (auto d = firstJsonDifference(want[i], got[i], pointer + "/" + std::to_string(i)))
        return d;
    if (want.size() != got.size())
      return pointer + ": expected " + std::to_string(want.size()) + " elements, got " +
             std::to_string(got.size());
  }
  return std::nullopt;
}

// The first line two texts differ on, as "line N: expected ..., got ...".
std::string firstLineDifference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int n = 1;; ++n) {
    const bool moreA = static_cast<bool>(std::getline(a, la));
    const bool moreB = static_cast<bool>(std::getline(b, lb));
    if (!moreA && !moreB) return "the files differ only in their last line ending";
    if (!moreA || !moreB || la != lb)
      return "line " + std::to_string(n) + ": expected '" + (moreA ? la : "<end>") + "', got '" +
             (moreB ? lb : "<end>") + "'";
  }
}

class Golden : public xbar::testing::CommandTest, public ::testing::WithParamInterface<Point> {};

TEST_P(Golden, OutputsEqualTheCommittedGoldens) {
  const Point& p = GetParam();
  const fs::path tiny = fs::path(XBAR_TINY_DIR) / (p.model + ".onnx");
  const fs::path model = fs::exists(tiny) ? tiny : fs::path(XBAR_EXPORT_DIR) / (p.model + ".onnx");
  std::string err;
  ASSERT_EQ(xbar("run " + model.string() + " --arch " + p.arch + " --partitioner " + p.partitioner +
                     " --batch " + std::to_string(p.batch) + " -o " + (dir_ / "run").string(),
                 &err),
            0)
      << err;
  // The estimate and the simulation count the same activity: every action of the table is
  // equal, up to the order floating-point sums were taken in, but chip time: it is a time, not
  // a count, and the program's schedule overlaps partitions that the estimate takes in turn
  // (the fidelity test bounds it).
  const auto plan = nlohmann::json::parse(slurp(dir_ / "run" / "plan.json"));
  const auto stats = nlohmann::json::parse(slurp(dir_ / "run" / "stats.json"));
  for (const auto& [name, estimated] : plan.at("totals").at("actions").items()) {
    if (name == "chip_time") continue;
    const double e = estimated.get<double>();
    const double s = stats.at("actions").at(name).at("value").get<double>();
    EXPECT_NEAR(e, s, 1e-9 * std::max(1.0, std::abs(s))) << p.dir() << ": " << name;
  }
  const fs::path golden = fs::path(XBAR_GOLDEN_DIR) / p.dir();
  for (const char* file : {"plan.json", "program.xasm", "stats.json"}) {
    ASSERT_TRUE(fs::exists(golden / file))
        << (golden / file).string() << " is missing; run tools/update-goldens.sh";
    const std::string want = slurp(golden / file);
    const std::string got = slurp(dir_ / "run" / file);
    if (want == got) continue;
    std::string where;
    if (fs::path(file).extension() == ".json") {
      const auto d =
          firstJsonDifference(nlohmann::json::parse(want), nlohmann::json::parse(got), "");
      where = d ? *d : firstLineDifference(want, got);
    } else {
      where = firstLineDifference(want, got);
    }
    ADD_FAILURE() << p.dir() << "/" << file << " differs from the golden at " << where
                  << "\n(if the change is meant, run tools/update-goldens.sh and say why in the "
                     "commit)";
  }
}

std::string pointName(const ::testing::TestParamInfo<Point>& info) {
  std::string name = info.param.model + "_" + info.param.arch + "_" + info.param.partitioner +
                     "_b" + std::to_string(info.param.batch);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Points, Golden, ::testing::ValuesIn(readPoints()), pointName);

}  // namespace
