// CSV as RFC 4180 writes it: a header, one row per record, fields quoted when they hold a
// comma, a quote or a line break.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xbar::report {

std::string csvField(const std::string& text);

// Rows of a JSON array of objects, the columns in the given order; numbers printed in full
// (shortest round-trip form), a missing key an empty field.
std::string csvTable(const std::vector<std::string>& columns, const nlohmann::json& rows);

}  // namespace xbar::report
