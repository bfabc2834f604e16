// Golden regression (docs/design.md, "Golden regression"): for every point of points.txt,
// `xbar run` regenerates plan.json, program.xasm and stats.json; plan.json must equal its
// committed copy, and the program's and the statistics' digests (golden_digest.h) theirs. The
// simulator and the estimate are compared elsewhere; this catches both drifting together. On a
// difference the test prints the first JSON field that differs (as a JSON pointer) and keeps
// the run's directory. With XBAR_UPDATE_GOLDENS=1 it writes the goldens instead
// (tools/update-goldens.sh); a golden changes only in a commit that says why.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "command_fixture.h"
#include "golden_digest.h"

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
  // A core runs one busy instruction at a time: its busy times never add up to more than the
  // run (a thread that took a stale next-free time would compute beside another).
  const double totalNs = stats.at("latency").at("total").at("value").get<double>();
  for (const auto& [core, group] : stats.at("cores").items()) {
    double busy = 0;
    for (const char* kind : {"mvm", "vector", "memory", "write"})
      busy += group.at(kind).at("value").get<double>();
    EXPECT_LE(busy, totalNs * (1 + 1e-9))
        << p.dir() << ": " << core << " is busy longer than the run";
  }
  // Local memory is a capacity (issue 12, item 5): the messages waiting in a core never take
  // more than it has, since the tiles and credits are sized from it. 38 of these points held
  // up to 2.4 MB in a 64 KiB memory before.
  const auto& local = stats.at("local_memory");
  EXPECT_LE(local.at("peak_inbox").at("value").get<double>(),
            local.at("capacity").at("value").get<double>())
      << p.dir() << ": more messages wait in a core than its local memory holds";
  // What is committed, as text: the plan as xbar wrote it, the program's and the statistics'
  // digests as indented JSON.
  const std::map<std::string, std::string> committed = {
      {"plan.json", slurp(dir_ / "run" / "plan.json")},
      {"program.digest.json",
       xbar::testing::programDigest(slurp(dir_ / "run" / "program.xasm")).dump(1) + "\n"},
      {"stats.digest.json", xbar::testing::statsDigest(stats).dump(1) + "\n"}};
  const fs::path golden = fs::path(XBAR_GOLDEN_DIR) / p.dir();
  if (const char* update = std::getenv("XBAR_UPDATE_GOLDENS");
      update && std::string(update) == "1") {
    fs::create_directories(golden);
    for (const auto& [file, text] : committed) {
      const fs::path tmp = golden / (file + ".tmp");
      std::ofstream(tmp) << text;
      fs::rename(tmp, golden / file);
    }
    return;
  }
  for (const auto& [file, text] : committed) {
    ASSERT_TRUE(fs::exists(golden / file))
        << (golden / file).string() << " is missing; run tools/update-goldens.sh";
    const auto want = nlohmann::json::parse(slurp(golden / file));
    const auto got = nlohmann::json::parse(text);
    if (want == got) continue;
    const auto d = firstJsonDifference(want, got, "");
    ADD_FAILURE() << p.dir() << "/" << file << " differs from the golden at "
                  << (d ? *d : std::string("an unknown place")) << "\n(the run is kept in "
                  << (dir_ / "run").string()
                  << "; if the change is meant, run tools/update-goldens.sh and say why in the "
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
