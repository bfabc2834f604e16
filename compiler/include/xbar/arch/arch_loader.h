// Loading, validating and saving arch configs (YAML). A config may `extends:` another file
// (a path relative to it, `.yaml` optional) and override its keys; `-p key.path=value`
// overrides apply last. Every error names the file and line (or the -p flag) and what was
// expected; an unknown key, a missing key, a value of the wrong type or out of range are
// all errors, never silent defaults.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

struct Override {
  std::string path;   // "crossbar.rows"
  std::string value;  // YAML scalar text, "128"
  bool operator==(const Override&) const = default;
};

// Parses the -p syntax "key.path=value"; throws InputError on a malformed flag.
Override parseOverride(const std::string& flag);

ArchConfig loadArch(const std::filesystem::path& file, const std::vector<Override>& overrides = {});

// For tests and sweeps: `sourceName` stands for the file in messages; `baseDir` resolves
// `extends:`.
ArchConfig loadArchFromString(std::string_view yaml, const std::string& sourceName,
                              const std::filesystem::path& baseDir,
                              const std::vector<Override>& overrides = {});

// A complete config (extends and presets resolved) that loads back to an equal struct.
std::string saveArch(const ArchConfig& config);

// --arch accepts a file path or the name of a shipped preset ("compass-sram-m").
std::filesystem::path resolveArchPath(const std::string& nameOrPath,
                                      const std::filesystem::path& presetDir);

// The shipped presets: every *.yaml directly under presetDir, by name, sorted.
std::vector<std::string> presetNames(const std::filesystem::path& presetDir);

}  // namespace xbar::arch
