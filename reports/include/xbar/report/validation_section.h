// The validation part of a report (docs/design.md §9): `xbar validate --json DIR/validation.json`
// beside a run's files adds a section to its report, and a directory holding only
// validation.json gets a report of its own. The section shows the float reference against
// PyTorch, the quantized reference against float (at the output and per matrix layer, SQNR
// charted) and the top-1 accuracy when the run had labels.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

namespace xbar::report {

bool hasValidation(const std::filesystem::path& dir);
// The section from DIR/validation.json; InputError naming the file when a key is missing.
nlohmann::json validationSection(const std::filesystem::path& dir);
// The report of a directory holding only validation.json.
nlohmann::json validationReport(const std::filesystem::path& dir);

}  // namespace xbar::report
