#include "xbar/report/csv_table.h"

namespace xbar::report {

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string csvTable(const std::vector<std::string>& columns, const nlohmann::json& rows) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out.push_back(',');
    out += csvField(columns[i]);
  }
  out += "\n";
  for (const nlohmann::json& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) out.push_back(',');
      const auto it = row.find(columns[i]);
      if (it == row.end() || it->is_null()) continue;
      out += csvField(it->is_string() ? it->get<std::string>() : it->dump());
    }
    out += "\n";
  }
  return out;
}

}  // namespace xbar::report
