// Every arch key is live (issue 12, docs/design.md §3): on every preset, perturbing a key
// changes some statistic of `xbar run` (the plan's estimate or the simulation), or the key is
// a label the schema says changes nothing. The non-idealities (numerics.*) change no timing by
// design: they must change what `xbar validate` reports on the digits MLP instead. A key accepted
// and never read would give a sweep over it the same number at every point without a warning.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "command_fixture.h"
#include "xbar/arch/arch_loader.h"
#include "xbar/arch/arch_schema.h"

namespace xbar::testing {
namespace {

// Statistics that echo a key rather than measure anything: they move by construction.
const std::set<std::string> kEchoes = {"/stats/local_memory/capacity/value",
                                       "/stats/endurance/endurance/value"};

// Keys known to change no statistic yet, each with what will make it live. The test fails
// when one of them does move a statistic, so this list cannot go stale. Empty: every key is
// live (core.local_memory.size_kib, the last, sizes tiles and credits since issue 12 item 5).
const std::map<std::string, std::string> kNotYetLive = {};

void flatten(const nlohmann::json& j, const std::string& at, std::map<std::string, double>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, at + "/" + k, out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) flatten(j[i], at + "/" + std::to_string(i), out);
  } else if (j.is_number() && !kEchoes.contains(at)) {
    out[at] = j.get<double>();
  }
}

// Perturbed values to try for a key, each a list of -p overrides, most telling first.
std::vector<std::vector<std::string>> perturbations(const arch::FieldSpec& f,
                                                    const arch::ArchConfig& a) {
  const arch::FieldValue v = f.read(a);
  std::vector<std::vector<std::string>> out;
  const auto& net = a.chip.interconnect;
  const bool mesh = net.topology == arch::Topology::Mesh;
  if (f.path == "chip.cores" && mesh)  // a mesh's nodes are its cores: grow both
    return {{"chip.cores=" + std::to_string(a.chip.cores * 2),
             "chip.interconnect.mesh_rows=" + std::to_string(net.mesh_rows * 2)}};
  if (f.path == "chip.interconnect.topology") {
    if (mesh) return {};  // a mesh's mesh_ keys cannot be removed by -p: bus presets test it
    return {{"chip.interconnect.topology=mesh",
             "chip.interconnect.mesh_rows=" + std::to_string(a.chip.cores),
             "chip.interconnect.mesh_cols=1"}};
  }
  if (f.path.starts_with("chip.interconnect.mesh_")) {
    if (!mesh) return {};  // absent on a bus
    // The same cores two wide, or in a line: routes between the first cores change.
    return {{"chip.interconnect.mesh_rows=" + std::to_string(a.chip.cores / 2),
             "chip.interconnect.mesh_cols=2"},
            {"chip.interconnect.mesh_rows=" + std::to_string(a.chip.cores),
             "chip.interconnect.mesh_cols=1"},
            {"chip.interconnect.mesh_rows=1",
             "chip.interconnect.mesh_cols=" + std::to_string(a.chip.cores)}};
  }
  const auto within = [&](double x) {
    return (!f.minimum || (f.exclusiveMinimum ? x > *f.minimum : x >= *f.minimum)) &&
           (!f.maximum || x <= *f.maximum);
  };
  if (const auto* i = std::get_if<int64_t>(&v)) {
    for (int64_t x : {*i / 2, *i * 2, *i + 1, *i - 1, int64_t{1}, *i * 16, *i * 1024})
      if (x != *i && within(static_cast<double>(x)))
        out.push_back({f.path + "=" + std::to_string(x)});
  } else if (const auto* d = std::get_if<double>(&v)) {
    for (double x : {*d / 2, *d * 2, *d / 16, *d * 16, *d / 1024, *d + 1})
      if (x != *d && within(x)) out.push_back({f.path + "=" + fmt::format("{}", x)});
  } else if (f.kind == arch::FieldKind::Choice) {
    for (const std::string& c : f.choices)
      if (c != std::get<std::string>(v) && c != "custom") out.push_back({f.path + "=" + c});
  }
  return out;
}

class KeyLiveness : public CommandTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // The run's statistics, or nothing when xbar refused the overrides.
  std::optional<std::map<std::string, double>> run(const std::vector<std::string>& overrides,
                                                   std::string* err) {
    std::string args = model_ + " --arch " + GetParam() + " --partitioner greedy -b 2 -o " +
                       (dir_ / "run").string();
    for (const std::string& o : overrides) args += " -p " + o;
    if (xbar("run " + args, err) != 0) return std::nullopt;
    std::map<std::string, double> stats;
    flatten(nlohmann::json::parse(slurp(dir_ / "run" / "stats.json")), "/stats", stats);
    flatten(nlohmann::json::parse(slurp(dir_ / "run" / "plan.json")), "/plan", stats);
    return stats;
  }
  // What `xbar validate` reports on the digits MLP and its labelled test set, less its
  // timings and the echo of the numerics keys.
  std::optional<std::map<std::string, double>> validate(const std::vector<std::string>& overrides,
                                                        std::string* err) {
    const std::string digits = std::string(XBAR_EXPORT_DIR) + "/digits";
    std::string args = digits + "/digits_mlp.onnx --arch " + GetParam() + " --dataset " + digits +
                       "/dataset --json " + (dir_ / "validate.json").string();
    for (const std::string& o : overrides) args += " -p " + o;
    if (xbar("validate " + args, err) != 0) return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(slurp(dir_ / "validate.json"));
    j.erase("seconds");
    j.erase("nonidealities");
    std::map<std::string, double> stats;
    flatten(j, "/validate", stats);
    return stats;
  }
  // Big enough to span several cores on every preset, with pooling and concatenation.
  const std::string model_ = std::string(XBAR_EXPORT_DIR) + "/squeezenet1_1.stripped.onnx";
};

TEST_P(KeyLiveness, EveryKeyMovesAStatisticOrIsALabel) {
  const arch::ArchConfig base = arch::loadArch(arch::resolveArchPath(GetParam(), XBAR_ARCH_DIR));
  std::string err;
  const auto reference = run({}, &err);
  ASSERT_TRUE(reference) << err;
  std::optional<std::map<std::string, double>> validated;  // taken once a numerics key needs it
  for (const arch::FieldSpec& f : arch::archSchema()) {
    if (f.kind == arch::FieldKind::Text) continue;  // name, description: labels (schema says so)
    if (f.inert && f.inert(base)) continue;         // the schema says when it changes nothing
    const auto tries = perturbations(f, base);
    if (tries.empty()) continue;  // not applicable here, as perturbations() says
    const bool numerics = f.path.starts_with("numerics.");
    if (numerics && !validated) {
      validated = validate({}, &err);
      ASSERT_TRUE(validated) << err;
    }
    bool accepted = false, moved = false;
    std::string refusals;
    for (const auto& overrides : tries) {
      const auto stats = numerics ? validate(overrides, &err) : run(overrides, &err);
      if (!stats) {
        refusals += err;
        continue;
      }
      accepted = true;
      if (*stats != (numerics ? *validated : *reference)) {
        moved = true;
        break;
      }
    }
    EXPECT_TRUE(accepted) << f.path << ": every perturbation refused:\n" << refusals;
    if (auto pending = kNotYetLive.find(f.path); pending != kNotYetLive.end())
      EXPECT_FALSE(moved) << f.path << " is live now: take it off kNotYetLive";
    else
      EXPECT_TRUE(moved || !accepted) << f.path << " changes no statistic on " << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, KeyLiveness,
                         ::testing::ValuesIn(arch::presetNames(XBAR_ARCH_DIR)),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace xbar::testing
