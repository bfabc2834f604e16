// What the golden regression commits of a run (docs/design.md §10, "Golden regression"): the
// plan in full, and digests of the program and the statistics. A program grows with the batch,
// the partitions and the tiles, and stats.json holds a group per core (1104 on puma-reram):
// committing them whole made each golden update tens of MB of diff. A digest keeps what a
// reviewer reads (the program's header and instruction counts; every statistic but the
// per-core ones, and those summed and maximised over cores) and a SHA-256 of the whole, so a
// change anywhere still fails the test. The program's sha256 is `sha256sum program.xasm`.
#pragma once

#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/SHA256.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace xbar::testing {

inline std::string sha256Hex(const std::string& text) {
  llvm::SHA256 hash;
  hash.update(llvm::StringRef(text));
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

// The .xasm text's header (the lines before the first thread), thread count, instruction
// count per opcode, line count and SHA-256.
inline nlohmann::json programDigest(const std::string& xasm) {
  nlohmann::json header = nlohmann::json::array();
  std::map<std::string, int64_t> opcodes;
  int64_t lines = 0, threads = 0;
  std::istringstream in(xasm);
  for (std::string line; std::getline(in, line); ++lines) {
    const std::string code = line.substr(0, line.find(';'));
    std::istringstream words(code);
    std::string first;
    if (!(words >> first)) continue;
    if (first == "core") {
      ++threads;
    } else if (threads == 0) {
      header.push_back(line);
    } else {
      ++opcodes[first];
    }
  }
  return {{"header", header},
          {"threads", threads},
          {"instructions", opcodes},
          {"lines", lines},
          {"sha256", sha256Hex(xasm)}};
}

// stats.json with its "cores" group (one group per core) replaced by the core count, each
// quantity's sum and maximum over the cores, and the SHA-256 of the group's compact JSON.
inline nlohmann::json statsDigest(nlohmann::json stats) {
  if (!stats.contains("cores")) return stats;
  const nlohmann::json& cores = stats.at("cores");
  nlohmann::json sum = nlohmann::json::object(), max = nlohmann::json::object();
  for (const auto& [core, group] : cores.items())
    for (const auto& [name, quantity] : group.items()) {
      const double v = quantity.at("value").get<double>();
      sum[name] = sum.value(name, 0.0) + v;
      max[name] = std::max(max.value(name, v), v);
    }
  stats["cores"] = {
      {"count", cores.size()}, {"sum", sum}, {"max", max}, {"sha256", sha256Hex(cores.dump())}};
  return stats;
}

}  // namespace xbar::testing
