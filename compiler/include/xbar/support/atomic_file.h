// Outputs are written to a temporary file beside the target and renamed over it, so an
// interrupted run never leaves a half-written file and never clobbers a good one.
#pragma once

#include <filesystem>
#include <string_view>

namespace xbar {

// Writes `contents` to `path` atomically; creates missing parent directories.
// Throws InputError naming the path when it cannot be written.
void writeFileAtomically(const std::filesystem::path& path, std::string_view contents);

// Reads a whole file; throws InputError naming the path when it is missing or unreadable.
std::string readFile(const std::filesystem::path& path);

}  // namespace xbar
