#include "xbar/sweep/sweep_spec.h"

#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "xbar/flow/pipeline.h"
#include "xbar/frontend/onnx_loader.h"
#include "xbar/partition/partitioner.h"
#include "xbar/support/error.h"

namespace xbar::sweep {
namespace {

std::string where(const std::filesystem::path& file, const YAML::Node& node) {
  return fmt::format("{}:{}", file.string(), node.Mark().line + 1);
}

// A non-empty list of scalars under `key`.
std::vector<std::string> scalars(const std::filesystem::path& file, const YAML::Node& root,
                                 const std::string& key, bool required) {
  const YAML::Node node = root[key];
  if (!node) {
    if (required) failInput(file.string(), "missing '{}'; expected a list", key);
    return {};
  }
  if (!node.IsSequence() || node.size() == 0)
    failInput(where(file, node), "'{}' should be a non-empty list", key);
  std::vector<std::string> values;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) failInput(where(file, item), "'{}' should list plain values", key);
    values.push_back(item.Scalar());
  }
  return values;
}

// The keys of a mapping, each a plain name given once (a '? [complex]' key or a second
// 'configs:' once escaped as a yaml-cpp conversion error or won silently).
std::vector<std::pair<std::string, YAML::Node>> entriesOf(const std::filesystem::path& file,
                                                          const YAML::Node& map) {
  std::vector<std::pair<std::string, YAML::Node>> entries;
  std::set<std::string> seen;
  for (const auto& item : map) {
    if (!item.first.IsScalar()) failInput(where(file, item.first), "keys should be plain names");
    const std::string key = item.first.Scalar();
    if (!seen.insert(key).second) failInput(where(file, item.first), "key '{}' appears twice", key);
    entries.emplace_back(key, item.second);
  }
  return entries;
}

}  // namespace

std::string SweepPoint::id() const {
  return fmt::format("p{:04d}", index);
}

namespace {

using Overrides = std::vector<std::pair<std::string, std::string>>;

YAML::Node readRoot(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    failInput(file.string(), "cannot read the sweep file");
  } catch (const YAML::Exception& e) {
    failInput(fmt::format("{}:{}", file.string(), e.mark.line + 1), "{}", e.msg);
  }
  if (!root.IsMap()) failInput(file.string(), "expected a mapping of sweep keys");
  for (const auto& [key, value] : entriesOf(file, root)) {
    if (key != "workloads" && key != "archs" && key != "configs" && key != "grid" &&
        key != "partitioners" && key != "batches" && key != "objective" && key != "validate")
      failInput(where(file, root[key]),
                "unknown key '{}'; expected workloads, archs, configs, grid, partitioners, "
                "batches, objective or validate",
                key);
  }
  return root;
}

// One objective, or a list of them (the COMPASS table wants throughput and EDP plans).
std::vector<std::string> readObjectives(const std::filesystem::path& file, const YAML::Node& root) {
  std::vector<std::string> objectives = {"throughput"};
  if (const YAML::Node o = root["objective"]) {
    if (o.IsScalar())
      objectives = {o.Scalar()};
    else
      objectives = scalars(file, root, "objective", true);
  }
  for (const std::string& o : objectives) {
    try {
      cost::objectiveFromName(o);
    } catch (const InputError& e) {
      failInput(where(file, root["objective"]), "{}", e.what());
    }
  }
  return objectives;
}

// configs: a list of override sets, each one point (not a product).
std::vector<Overrides> readConfigs(const std::filesystem::path& file, const YAML::Node& root,
                                   std::vector<std::string>& keys) {
  std::vector<Overrides> configs(1);
  const YAML::Node list = root["configs"];
  if (!list) return configs;
  if (!list.IsSequence() || list.size() == 0)
    failInput(where(file, list),
              "'configs' should be a non-empty list of mappings of arch keys "
              "to values");
  configs.clear();
  std::set<std::string> seen;
  for (const YAML::Node& entry : list) {
    if (!entry.IsMap() || entry.size() == 0)
      failInput(where(file, entry), "each entry of 'configs' should map arch keys to values");
    Overrides config;
    for (const auto& [key, value] : entriesOf(file, entry)) {
      if (!value.IsScalar())
        failInput(where(file, value), "'{}' in configs should be one value", key);
      config.emplace_back(key, value.Scalar());
      if (seen.insert(key).second) keys.push_back(key);
    }
    configs.push_back(std::move(config));
  }
  return configs;
}

// Each config with every combination of the grid's values, first key slowest.
std::vector<Overrides> expandGrid(const std::filesystem::path& file, const YAML::Node& root,
                                  std::vector<Overrides> combos, std::vector<std::string>& keys) {
  const YAML::Node grid = root["grid"];
  if (!grid) return combos;
  if (!grid.IsMap() || grid.size() == 0)
    failInput(where(file, grid), "'grid' should map arch keys to lists of values");
  const std::set<std::string> configKeys(keys.begin(), keys.end());
  for (const auto& [key, value] : entriesOf(file, grid)) {
    if (configKeys.count(key))
      failInput(where(file, value), "'{}' is set by both configs and grid", key);
    keys.push_back(key);
    std::vector<Overrides> next;
    for (const auto& combo : combos)
      for (const std::string& v : scalars(file, grid, key, true)) {
        next.push_back(combo);
        next.back().emplace_back(key, v);
      }
    combos = std::move(next);
  }
  return combos;
}

// A relative path: beside the sweep file, else in the exports.
std::filesystem::path besideOrExported(const std::filesystem::path& file, const std::string& p,
                                       const SweepPaths& paths) {
  const std::filesystem::path beside = file.parent_path() / p;
  std::error_code ec;  // a name the file system refuses is just not found
  if (std::filesystem::exists(beside, ec) || std::filesystem::path(p).is_absolute()) return beside;
  const std::filesystem::path exported = paths.exports / p;
  return std::filesystem::exists(exported, ec) ? exported : beside;
}

constexpr std::string_view kWorkloadPlaceholder = "{workload}";

// A dataset path with {workload} replaced by the model's file name without .onnx.
std::string datasetFor(const std::string& pattern, const std::filesystem::path& model) {
  std::string out = pattern;
  for (size_t at = out.find(kWorkloadPlaceholder); at != std::string::npos;
       at = out.find(kWorkloadPlaceholder, at))
    out.replace(at, kWorkloadPlaceholder.size(), model.stem().string());
  return out;
}

// validate: true, or {dataset: DIR} with DIR/inputs.npy and DIR/labels.npy (the pattern is
// kept; each workload's directory is resolved and checked once the workloads are known).
SweepValidation readValidation(const std::filesystem::path& file, const YAML::Node& root,
                               std::string& datasetPattern) {
  SweepValidation v;
  const YAML::Node node = root["validate"];
  if (!node) return v;
  v.enabled = true;
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    v.enabled = node.Scalar() == "true";
    return v;
  }
  if (!node.IsMap())
    failInput(where(file, node), "'validate' should be true, false or {{dataset: DIR}}");
  for (const auto& [key, value] : entriesOf(file, node)) {
    if (key != "dataset")
      failInput(where(file, value), "unknown key '{}' in validate; expected dataset", key);
    if (!value.IsScalar()) failInput(where(file, value), "'dataset' should be a directory");
    datasetPattern = value.Scalar();
    v.dataset = datasetPattern;
  }
  return v;
}

// Each workload's dataset, checked: DIR/inputs.npy and DIR/labels.npy.
std::filesystem::path checkedDataset(const std::filesystem::path& file, const YAML::Node& root,
                                     const std::string& pattern, const std::filesystem::path& model,
                                     const SweepPaths& paths) {
  const std::filesystem::path dir = besideOrExported(file, datasetFor(pattern, model), paths);
  std::error_code ec;
  for (const char* needed : {"inputs.npy", "labels.npy"})
    if (!std::filesystem::is_regular_file(dir / needed, ec))
      failInput(where(file, root["validate"]["dataset"]),
                "dataset '{}' has no {}; expected inputs.npy and labels.npy", dir.string(), needed);
  return dir;
}

std::vector<std::filesystem::path> resolveWorkloads(const std::filesystem::path& file,
                                                    const YAML::Node& root, const SweepPaths& paths,
                                                    bool validate) {
  std::vector<std::filesystem::path> models;
  for (const std::string& w : scalars(file, root, "workloads", true)) {
    std::filesystem::path path = besideOrExported(file, w, paths);
    // A bare name (vgg16) is a network the build exports: NAME.stripped.onnx, else NAME.onnx
    // (NAME.onnx only when validating: the references need the weights).
    std::error_code ec;  // a name the file system refuses is just not found
    if (!std::filesystem::exists(path, ec) && w.find('/') == std::string::npos &&
        std::filesystem::path(w).extension().empty()) {
      path = paths.exports / (w + ".stripped.onnx");
      if (validate || !std::filesystem::is_regular_file(path, ec))
        path = paths.exports / (w + ".onnx");
    }
    if (!std::filesystem::is_regular_file(path, ec))
      failInput(where(file, root["workloads"]), "workload '{}' does not exist ({})", w,
                path.string());
    if (validate) {
      frontend::LoadOptions shapes;
      shapes.shapesOnly = true;
      if (frontend::loadOnnx(path, shapes).weightsStripped)
        failInput(where(file, root["workloads"]),
                  "workload '{}' ({}) has its weights stripped; validate needs the model with "
                  "its weights",
                  w, path.string());
    }
    models.push_back(path);
  }
  return models;
}

std::vector<int64_t> readBatches(const std::filesystem::path& file, const YAML::Node& root) {
  std::vector<int64_t> batchSizes;
  for (const std::string& b : scalars(file, root, "batches", true)) {
    int64_t value = 0;
    try {
      size_t used = 0;
      value = std::stoll(b, &used);
      if (used != b.size()) value = 0;
    } catch (const std::exception&) {
      value = 0;
    }
    if (value < 1)
      failInput(where(file, root["batches"]), "batch '{}' should be a positive integer", b);
    if (value > cost::kMaxBatch)
      failInput(where(file, root["batches"]), "batch {} is more than the largest, {}", value,
                cost::kMaxBatch);
    batchSizes.push_back(value);
  }
  return batchSizes;
}

// Loads every arch once, so a bad key or value stops the sweep before it starts.
void checkArchs(const std::filesystem::path& file, const YAML::Node& root,
                const std::vector<std::string>& archs, const std::vector<Overrides>& combos,
                const SweepPaths& paths) {
  for (const std::string& arch : archs)
    for (const auto& combo : combos) {
      std::vector<std::string> flags;
      for (const auto& [key, value] : combo) flags.push_back(key + "=" + value);
      try {
        flow::loadArch(arch, flags, paths.archPresets);
      } catch (const InputError& e) {
        const YAML::Node place = root["grid"]      ? root["grid"]
                                 : root["configs"] ? root["configs"]
                                                   : root["archs"];
        failInput(where(file, place), "arch '{}' with {}: {}", arch, fmt::join(flags, " "),
                  e.what());
      }
    }
}

// The number of points the file asks for, from its lists' lengths, before anything is
// expanded: a grid of 10^12 points or a YAML alias bomb is refused up front, not built in
// memory.
void checkPointCount(const std::filesystem::path& file, const YAML::Node& root) {
  uint64_t points = 1;
  auto times = [&](size_t n) {
    if (n > 0 && points > kMaxSweepPoints / n)
      points = kMaxSweepPoints + 1;
    else
      points *= n;
  };
  for (const char* key : {"workloads", "archs", "partitioners", "batches", "configs"})
    if (const YAML::Node list = root[key]; list && list.IsSequence()) times(list.size());
  if (const YAML::Node o = root["objective"]; o && o.IsSequence()) times(o.size());
  if (const YAML::Node grid = root["grid"]; grid && grid.IsMap())
    for (const auto& item : grid)
      if (item.second.IsSequence()) times(item.second.size());
  if (points > kMaxSweepPoints)
    failInput(file.string(), "asks for more than {} points; split the sweep into several files",
              kMaxSweepPoints);
}

SweepSpec loadSweepNodes(const std::filesystem::path& file, const SweepPaths& paths) {
  const YAML::Node root = readRoot(file);
  checkPointCount(file, root);
  // Checked in this order, so the first complaint is about the first thing wrong.
  scalars(file, root, "workloads", true);
  const std::vector<std::string> archs = scalars(file, root, "archs", true);
  const std::vector<std::string> partitioners = scalars(file, root, "partitioners", true);
  scalars(file, root, "batches", true);
  const std::vector<std::string> objectives = readObjectives(file, root);
  SweepSpec spec;
  std::vector<Overrides> combos =
      expandGrid(file, root, readConfigs(file, root, spec.overrideKeys), spec.overrideKeys);
  std::string datasetPattern;
  spec.validation = readValidation(file, root, datasetPattern);
  const std::vector<std::filesystem::path> models =
      resolveWorkloads(file, root, paths, spec.validation.enabled);
  // validate: true reads what the exporter saved beside each model.
  if (spec.validation.enabled && !spec.validation.dataset)
    for (const auto& model : models)
      if (std::filesystem::path input = model;
          !std::filesystem::is_regular_file(input.replace_extension(".input.npy")))
        failInput(where(file, root["validate"]),
                  "validate: true needs {} beside the model (as export_torchvision.py writes "
                  "it); give a labelled set with validate: {{dataset: DIR}} instead",
                  input.string());
  for (const std::string& p : partitioners) partition::makePartitioner(p);  // throws if unknown
  const std::vector<int64_t> batchSizes = readBatches(file, root);
  checkArchs(file, root, archs, combos, paths);
  for (const auto& model : models) {
    SweepValidation validation = spec.validation;
    if (validation.dataset)
      validation.dataset = checkedDataset(file, root, datasetPattern, model, paths);
    for (const std::string& arch : archs)
      for (const auto& combo : combos)
        for (const std::string& partitioner : partitioners)
          for (int64_t batch : batchSizes)
            for (const std::string& objective : objectives)
              spec.points.push_back({static_cast<int32_t>(spec.points.size()), model, arch, combo,
                                     partitioner, batch, objective, validation});
  }
  spec.paths = paths;
  return spec;
}

}  // namespace

SweepSpec loadSweep(const std::filesystem::path& file, const SweepPaths& paths) {
  try {
    return loadSweepNodes(file, paths);
  } catch (const YAML::Exception& e) {  // a node of a shape no check above foresaw
    failInput(fmt::format("{}:{}", file.string(), e.mark.line + 1), "{}", e.msg);
  }
}

}  // namespace xbar::sweep
