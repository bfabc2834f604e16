// Reading the JSON files xbar wrote, as input: a file that is missing, not JSON, or lacks a
// key is the user's to fix (an edited or foreign directory), so each is an InputError that
// names the file and what was expected.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace xbar::report {

nlohmann::json readJson(const std::filesystem::path& file);

// j[key], which must exist; `file` names where j came from.
const nlohmann::json& need(const nlohmann::json& j, const std::string& key,
                           const std::filesystem::path& file);

// A statistic's value: stats[group][name]["value"].
double statValue(const nlohmann::json& stats, const std::string& group, const std::string& name,
                 const std::filesystem::path& file);

}  // namespace xbar::report
