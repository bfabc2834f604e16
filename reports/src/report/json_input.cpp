#include "xbar/report/json_input.h"

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::report {

nlohmann::json readJson(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) failInput(file.string(), "no such file");
  nlohmann::json j = nlohmann::json::parse(readFile(file), nullptr, false);
  if (j.is_discarded()) failInput(file.string(), "not valid JSON");
  return j;
}

const nlohmann::json& need(const nlohmann::json& j, const std::string& key,
                           const std::filesystem::path& file) {
  if (!j.is_object() || !j.contains(key)) failInput(file.string(), "missing '{}'", key);
  return j.at(key);
}

double statValue(const nlohmann::json& stats, const std::string& group, const std::string& name,
                 const std::filesystem::path& file) {
  const nlohmann::json& value = need(need(need(stats, group, file), name, file), "value", file);
  if (!value.is_number()) failInput(file.string(), "'{}.{}' should be a number", group, name);
  return value.get<double>();
}

}  // namespace xbar::report
