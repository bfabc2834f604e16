// Errors that reach the user. An InputError is the user's to fix (bad ONNX, YAML, program,
// flag): the command line prints its one-line message and exits 1. Anything else escaping
// to the top is a bug in xbar and exits 2.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace xbar {

// Exit statuses of xbar's commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitInternal = 2;
inline constexpr int kExitValidationFailed = 3;  // xbar validate: a stated tolerance fails

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// Formats "where: message", the shape of every bad-input line.
template <typename... Args>
[[noreturn]] void failInput(const std::string& where, fmt::format_string<Args...> format,
                            Args&&... args) {
  throw InputError(where + ": " + fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace xbar
