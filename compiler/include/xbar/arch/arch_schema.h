// The arch-config schema: every key with its kind, unit, limits and description, in the
// order configs are saved. The loader, the saver and `xbar arch schema` all read this one
// table, so the config documents itself (Ramulator 2 style).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "xbar/arch/arch_config.h"

namespace xbar::arch {

enum class FieldKind { Integer, Number, Text, Choice };

// Limits that keep every count inside its type and every compile and simulation bounded
// (README "Limits"). The largest shipped chip, PUMA, has 1104 cores of 16 crossbars of
// 128 x 128; these leave two orders of magnitude and more beyond it.
inline constexpr int64_t kMaxCores = 1 << 16;
inline constexpr int64_t kMaxCrossbarsPerCore = 1 << 12;
inline constexpr int64_t kMaxCrossbars = 1 << 20;     // cores x crossbars per core
inline constexpr int64_t kMaxCrossbarSide = 1 << 16;  // rows, columns

using FieldValue = std::variant<int64_t, double, std::string>;

struct FieldSpec {
  std::string path;  // "crossbar.rows"
  FieldKind kind = FieldKind::Number;
  std::string unit;  // "" for counts and names
  std::string doc;
  std::vector<std::string> choices;  // FieldKind::Choice
  std::optional<double> minimum;
  bool exclusiveMinimum = false;
  std::optional<double> maximum;
  // When may the key be absent? Empty: never. Otherwise the condition, in words.
  std::string optionalWhen;
  // The key that supplies it when absent (dram.preset, crossbar.device): required otherwise.
  std::string suppliedBy;
  // When the key changes nothing (a part without bank groups has no tCCD_S), in words and as a
  // test on the rest of the config; empty when it always matters.
  std::string inertWhen;
  std::function<bool(const ArchConfig&)> inert;
  std::function<void(ArchConfig&, const FieldValue&)> assign;
  std::function<FieldValue(const ArchConfig&)> read;
};

std::span<const FieldSpec> archSchema();
const FieldSpec* findField(const std::string& path);

// The schema as a Markdown table (arch-configs/README.md embeds it).
std::string schemaMarkdown();

std::string_view topologyName(Topology t);
std::string_view deviceName(Device d);
std::string_view signSchemeName(SignScheme s);

}  // namespace xbar::arch
