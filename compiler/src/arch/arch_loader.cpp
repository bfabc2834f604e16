#include "xbar/arch/arch_loader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "xbar/arch/arch_schema.h"
#include "xbar/arch/component_laws.h"
#include "xbar/arch/dram_banks.h"
#include "xbar/arch/dram_presets.h"
#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::arch {
namespace {

namespace fs = std::filesystem;

// One leaf of a config after flattening: its YAML scalar and where it was written.
struct Entry {
  YAML::Node node;
  std::string origin;  // "file:line" or "-p key=value"
};
using Entries = std::map<std::string, Entry>;

bool isSection(const std::string& path) {
  const std::string prefix = path + ".";
  return std::any_of(archSchema().begin(), archSchema().end(),
                     [&](const FieldSpec& f) { return f.path.starts_with(prefix); });
}

// The keys allowed directly under a section ("" = top level), for "expected one of".
std::string childKeys(const std::string& section) {
  std::set<std::string> keys;
  const std::string prefix = section.empty() ? "" : section + ".";
  for (const FieldSpec& f : archSchema()) {
    if (!f.path.starts_with(prefix)) continue;
    const std::string rest = f.path.substr(prefix.size());
    keys.insert(rest.substr(0, rest.find('.')));
  }
  if (section.empty()) keys.insert("extends");
  return fmt::format("{}", fmt::join(keys, ", "));
}

// "unknown key" for a key that exists with a unit: every quantity carries its unit in its name
// (docs/design.md §3), so `dram.trcd` must say whether it means cycles or nanoseconds.
std::string unknownKey(const std::string& path, const std::string& section) {
  for (const char* unit : {"_cycles", "_ns", "_mhz", "_pj", "_mw", "_bits", "_kib"})
    if (findField(path + unit))
      return fmt::format("unknown key '{}': a quantity carries its unit in its name; expected {}{}",
                         path, path, unit);
  return fmt::format("unknown key '{}'; expected one of {}", path, childKeys(section));
}

std::string kindWords(const FieldSpec& f) {
  switch (f.kind) {
    case FieldKind::Integer:
      return "an integer";
    case FieldKind::Number:
      return "a number";
    case FieldKind::Text:
      return "a string";
    case FieldKind::Choice:
      return fmt::format("one of {}", fmt::join(f.choices, ", "));
  }
  return "a value";
}

FieldValue decode(const FieldSpec& f, const Entry& e) {
  const std::string unit = f.unit.empty() ? "" : " (" + f.unit + ")";
  if (!e.node.IsScalar())
    failInput(e.origin, "'{}' should be {}{}, got {}", f.path, kindWords(f), unit,
              e.node.IsNull() ? "nothing" : "a list or mapping");
  const std::string& s = e.node.Scalar();
  // A quoted scalar ('256') is a string: a number must be written as one.
  if ((f.kind == FieldKind::Integer || f.kind == FieldKind::Number) && e.node.Tag() == "!")
    failInput(e.origin, "'{}' should be {}{}, got the quoted string '{}'", f.path, kindWords(f),
              unit, s);
  auto range = [&](double v) {
    const bool tooLow = f.minimum && (f.exclusiveMinimum ? v <= *f.minimum : v < *f.minimum);
    const bool tooHigh = f.maximum && v > *f.maximum;
    if (tooLow || tooHigh) {
      std::string expected;
      if (f.minimum) expected = fmt::format("{} {}", f.exclusiveMinimum ? ">" : "≥", *f.minimum);
      if (f.maximum) expected += fmt::format("{}≤ {}", expected.empty() ? "" : " and ", *f.maximum);
      failInput(e.origin, "'{}' is {}; expected {}{}", f.path, s, expected, unit);
    }
  };
  switch (f.kind) {
    case FieldKind::Integer: {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size())
        failInput(e.origin, "'{}' should be an integer{}, got '{}'", f.path, unit, s);
      range(static_cast<double>(v));
      return v;
    }
    case FieldKind::Number: {
      double v = 0;
      try {
        v = e.node.as<double>();
      } catch (const YAML::Exception&) {
        failInput(e.origin, "'{}' should be a number{}, got '{}'", f.path, unit, s);
      }
      if (std::isnan(v)) failInput(e.origin, "'{}' is not a number", f.path);
      // .inf would pass every lower bound and turn times into NaN; denormals are no real value.
      if (!std::isfinite(v)) failInput(e.origin, "'{}' is {}; expected a finite number", f.path, s);
      if (v != 0 && !std::isnormal(v))
        failInput(e.origin, "'{}' is {}, too small to be a real value", f.path, s);
      range(v);
      return v;
    }
    case FieldKind::Text:
      return s;
    case FieldKind::Choice:
      if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end())
        failInput(e.origin, "'{}' should be one of {}; got '{}'", f.path,
                  fmt::join(f.choices, ", "), s);
      return s;
  }
  return s;
}

class Loader {
 public:
  Entries loadFile(const fs::path& file) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(file, ec);
    if (std::find(stack_.begin(), stack_.end(), canonical) != stack_.end())
      failInput(file.string(), "extends itself (through {})", stack_.back().string());
    stack_.push_back(canonical);
    Entries entries = loadText(readFile(file), file.string(), file.parent_path());
    stack_.pop_back();
    return entries;
  }

  Entries loadText(std::string_view text, const std::string& name, const fs::path& dir) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      failInput(fmt::format("{}:{}:{}", name, e.mark.line + 1, e.mark.column + 1),
                "YAML syntax error: {}", e.msg);
    }
    if (!root.IsMap())
      failInput(name, "expected a mapping of sections (chip, core, crossbar, dram, precision)");
    Entries entries;
    if (const YAML::Node base = root["extends"]) {
      const std::string where = fmt::format("{}:{}", name, base.Mark().line + 1);
      if (!base.IsScalar()) failInput(where, "'extends' should be a file name");
      fs::path target = dir / base.Scalar();
      // error_code forms: a name the file system refuses (too long, say) is just "missing".
      std::error_code ec;
      if (!fs::exists(target, ec) && target.extension() != ".yaml") target += ".yaml";
      if (!fs::is_regular_file(target, ec))
        failInput(where, "extends '{}', which does not exist (looked for {})", base.Scalar(),
                  target.string());
      entries = loadFile(target);
    }
    Entries own;
    flatten(root, "", name, own);
    for (auto& [path, entry] : own) entries[path] = std::move(entry);
    return entries;
  }

 private:
  void flatten(const YAML::Node& map, const std::string& section, const std::string& file,
               Entries& out) {
    std::map<std::string, int> lineOf;  // keys of this mapping: YAML allows each once
    for (const auto& item : map) {
      const std::string where = fmt::format("{}:{}", file, item.first.Mark().line + 1);
      if (!item.first.IsScalar()) failInput(where, "keys should be plain names");
      const std::string key = item.first.Scalar();
      if (auto [it, fresh] = lineOf.emplace(key, item.first.Mark().line + 1); !fresh)
        failInput(where, "key '{}' appears twice (first on line {})", key, it->second);
      const std::string path = section.empty() ? key : section + "." + key;
      if (section.empty() && key == "extends") continue;
      if (findField(path)) {
        out[path] = Entry{item.second, where};
      } else if (isSection(path)) {
        if (!item.second.IsMap())
          failInput(where, "'{}' is a section; expected a mapping of its keys ({})", path,
                    childKeys(path));
        flatten(item.second, path, file, out);
      } else {
        failInput(where, "{}", unknownKey(path, section));
      }
    }
  }

  std::vector<fs::path> stack_;
};

void applyOverrides(Entries& entries, const std::vector<Override>& overrides) {
  for (const Override& o : overrides) {
    const std::string origin = fmt::format("-p {}={}", o.path, o.value);
    if (!findField(o.path)) {
      const auto dot = o.path.rfind('.');
      const std::string section = dot == std::string::npos ? "" : o.path.substr(0, dot);
      failInput(origin, "{}",
                unknownKey(o.path, isSection(section) || section.empty() ? section : ""));
    }
    YAML::Node node;
    try {
      node = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      failInput(origin, "value is not valid YAML: {}", e.what());
    }
    entries[o.path] = Entry{node, origin};
  }
}

// Timings that contradict each other (JEDEC orders them) would time requests nonsensically.
template <class Origin>
void checkDram(const DramConfig& d, const Origin& origin) {
  const auto order = [&](const char* longer, int64_t a, const char* shorter, int64_t b) {
    if (a < b)
      failInput(origin(longer), "{} is {} but {} is {}; expected {} >= {}", longer, a, shorter, b,
                longer, shorter);
  };
  order("dram.tras_cycles", d.tras_cycles, "dram.trcd_cycles", d.trcd_cycles);
  order("dram.tccd_l_cycles", d.tccd_l_cycles, "dram.tccd_s_cycles", d.tccd_s_cycles);
  order("dram.trrd_l_cycles", d.trrd_l_cycles, "dram.trrd_s_cycles", d.trrd_s_cycles);
  if (d.trefi_cycles <= d.trfc_cycles)
    failInput(origin("dram.trefi_cycles"),
              "dram.trefi_cycles is {} but a refresh takes dram.trfc_cycles = {}; expected the "
              "interval longer than the refresh",
              d.trefi_cycles, d.trfc_cycles);
  if (d.bus_width_bits % 8 != 0)
    failInput(origin("dram.bus_width_bits"), "dram.bus_width_bits is {}; expected a multiple of 8",
              d.bus_width_bits);
  if (d.burst_length % 2 != 0)
    failInput(origin("dram.burst_length"), "dram.burst_length is {}; expected an even number",
              d.burst_length);
  if (d.columns < d.burst_length)
    failInput(origin("dram.columns"),
              "dram.columns is {}, less than one burst (dram.burst_length {}); expected a row to "
              "hold a burst",
              d.columns, d.burst_length);
}

ArchConfig decodeAll(Entries entries, const std::string& topName) {
  // dram.preset supplies the DRAM fields the config leaves out.
  if (auto it = entries.find("dram.preset"); it != entries.end()) {
    const FieldValue presetName = decode(*findField("dram.preset"), it->second);
    if (auto preset = findDramPreset(std::get<std::string>(presetName))) {
      const std::string origin = it->second.origin + " (preset " + std::string(preset->name) + ")";
      ArchConfig part;
      part.dram = preset->config;
      for (const FieldSpec& f : archSchema()) {
        if (f.suppliedBy != "dram.preset" || entries.count(f.path)) continue;
        const FieldValue v = f.read(part);
        const std::string text = std::holds_alternative<int64_t>(v)
                                     ? fmt::format("{}", std::get<int64_t>(v))
                                     : fmt::format("{:.17g}", std::get<double>(v));
        entries[f.path] = Entry{YAML::Node(text), origin};
      }
    }
  }
  // crossbar.device supplies the write keys the config leaves out.
  if (auto it = entries.find("crossbar.device"); it != entries.end()) {
    ArchConfig probe;
    findField("crossbar.device")->assign(probe, decode(*findField("crossbar.device"), it->second));
    const DeviceDefaults& d = deviceDefaults(probe.crossbar.device);
    const std::string origin =
        it->second.origin + " (device " + std::string(deviceName(d.device)) + ")";
    auto supply = [&](const char* path, double value) {
      if (!entries.count(path)) entries[path] = Entry{YAML::Node(fmt::format("{}", value)), origin};
    };
    supply("crossbar.row_write_latency_ns", d.row_write_latency_ns);
    supply("crossbar.write_energy_pj_per_cell", d.write_energy_pj_per_cell);
    supply("crossbar.endurance_cycles", d.endurance_cycles);
  }
  ArchConfig config;
  for (const FieldSpec& f : archSchema()) {
    auto it = entries.find(f.path);
    if (it == entries.end()) {
      const bool meshKey = f.path.starts_with("chip.interconnect.mesh_");
      const bool optional = meshKey ? config.chip.interconnect.topology == Topology::Bus
                                    : !f.optionalWhen.empty() && f.suppliedBy.empty();
      if (!optional)
        failInput(topName, "missing key '{}' ({}); expected {}{}", f.path, f.doc, kindWords(f),
                  f.unit.empty() ? "" : " in " + f.unit);
      continue;
    }
    if (f.path.starts_with("chip.interconnect.mesh_") &&
        config.chip.interconnect.topology == Topology::Bus)
      failInput(it->second.origin, "'{}' is only meaningful with chip.interconnect.topology: mesh",
                f.path);
    f.assign(config, decode(f, it->second));
  }

  const auto origin = [&](const char* path) {
    auto it = entries.find(path);
    return it == entries.end() ? topName : it->second.origin;
  };
  const auto& ic = config.chip.interconnect;
  if (ic.topology == Topology::Mesh && ic.mesh_rows * ic.mesh_cols != config.chip.cores)
    failInput(origin("chip.interconnect.mesh_rows"),
              "a {} x {} mesh has {} nodes but chip.cores is {}; expected them equal", ic.mesh_rows,
              ic.mesh_cols, ic.mesh_rows * ic.mesh_cols, config.chip.cores);
  if (config.chip.cores * config.core.crossbars > kMaxCrossbars)
    failInput(origin("core.crossbars"),
              "chip.cores x core.crossbars is {} x {} = {} crossbars; expected at most {}",
              config.chip.cores, config.core.crossbars, config.chip.cores * config.core.crossbars,
              kMaxCrossbars);
  if (config.columnsPerWeight() > config.crossbar.cols)
    failInput(
        origin("crossbar.cols"),
        "crossbar.cols is {} but one {}-bit weight on {}-bit cells ({} sign) needs {} columns",
        config.crossbar.cols, config.precision.weight_bits, config.crossbar.cell_bits,
        signSchemeName(config.crossbar.sign_scheme), config.columnsPerWeight());
  if (config.crossbar.adcs_per_crossbar > config.crossbar.cols)
    failInput(origin("crossbar.adcs_per_crossbar"),
              "crossbar.adcs_per_crossbar is {}; expected at most crossbar.cols ({})",
              config.crossbar.adcs_per_crossbar, config.crossbar.cols);
  if (config.numerics.stuck_at_zero_rate + config.numerics.stuck_at_one_rate > 1)
    failInput(origin("numerics.stuck_at_one_rate"),
              "numerics.stuck_at_zero_rate + stuck_at_one_rate is {} + {}; expected at most 1 "
              "(a cell is stuck one way or the other)",
              config.numerics.stuck_at_zero_rate, config.numerics.stuck_at_one_rate);
  checkDram(config.dram, origin);
  const DramStream stream = measureDramStream(config.dram);
  config.dram.stream_gb_per_s = stream.gbPerS;
  config.dram.access_latency_ns = stream.latencyNs;
  return config;
}

}  // namespace

Override parseOverride(const std::string& flag) {
  const auto eq = flag.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size())
    failInput("-p " + flag, "expected key.path=value, e.g. -p crossbar.rows=128");
  return Override{flag.substr(0, eq), flag.substr(eq + 1)};
}

ArchConfig loadArch(const fs::path& file, const std::vector<Override>& overrides) {
  Loader loader;
  Entries entries = loader.loadFile(file);
  applyOverrides(entries, overrides);
  return decodeAll(std::move(entries), file.string());
}

ArchConfig loadArchFromString(std::string_view yaml, const std::string& sourceName,
                              const fs::path& baseDir, const std::vector<Override>& overrides) {
  Loader loader;
  Entries entries = loader.loadText(yaml, sourceName, baseDir);
  applyOverrides(entries, overrides);
  return decodeAll(std::move(entries), sourceName);
}

std::string saveArch(const ArchConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::vector<std::string> open;  // sections currently open
  for (const FieldSpec& f : archSchema()) {
    const bool meshKey = f.path.starts_with("chip.interconnect.mesh_");
    if (meshKey && config.chip.interconnect.topology == Topology::Bus) continue;
    if (f.path == "description" && config.description.empty()) continue;
    // An ideal chip saves no numerics section: its configs and fingerprints stay as they were.
    if (f.path.starts_with("numerics.") && config.numerics == NonidealityConfig{}) continue;
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      const auto dot = f.path.find('.', start);
      parts.push_back(f.path.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    const std::vector<std::string> sections(parts.begin(), parts.end() - 1);
    size_t common = 0;
    while (common < open.size() && common < sections.size() && open[common] == sections[common])
      ++common;
    while (open.size() > common) {
      out << YAML::EndMap;
      open.pop_back();
    }
    for (size_t i = common; i < sections.size(); ++i) {
      out << YAML::Key << sections[i] << YAML::Value << YAML::BeginMap;
      open.push_back(sections[i]);
    }
    out << YAML::Key << parts.back() << YAML::Value;
    const FieldValue v = f.read(config);
    if (const auto* i = std::get_if<int64_t>(&v))
      out << fmt::format("{}", *i);
    else if (const auto* d = std::get_if<double>(&v))
      out << fmt::format("{}", *d);  // shortest exact
    else
      out << std::get<std::string>(v);
    if (!f.unit.empty() && f.kind != FieldKind::Text) out << YAML::Comment(f.unit);
  }
  while (!open.empty()) {
    out << YAML::EndMap;
    open.pop_back();
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

fs::path resolveArchPath(const std::string& nameOrPath, const fs::path& presetDir) {
  const fs::path asGiven(nameOrPath);
  std::error_code ec;  // a name the file system refuses is just not found
  if (fs::exists(asGiven, ec) && !fs::is_directory(asGiven, ec)) return asGiven;
  const fs::path preset = presetDir / (nameOrPath + ".yaml");
  if (nameOrPath.find('/') == std::string::npos && fs::exists(preset, ec)) return preset;
  std::vector<std::string> names = presetNames(presetDir);
  failInput(nameOrPath, "no such arch file, nor a preset; presets are {}", fmt::join(names, ", "));
}

std::vector<std::string> presetNames(const fs::path& presetDir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(presetDir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace xbar::arch
