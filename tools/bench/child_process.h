// Runs a measurement in a forked child so its peak memory (and, for simulations, SystemC's
// once-per-process elaboration) is its own. The result must be trivially copyable: it comes
// back through a pipe. A child that throws reports on stderr and returns a default result.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <type_traits>

namespace xbar::bench {

template <typename Result, typename Measure>
Result runInChild(Measure measure) {
  static_assert(std::is_trivially_copyable_v<Result>);
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Result result{};
    try {
      result = measure();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: %s\n", e.what());
    }
    (void)!write(fds[1], &result, sizeof result);
    _exit(0);
  }
  close(fds[1]);
  Result result{};
  if (read(fds[0], &result, sizeof result) != static_cast<ssize_t>(sizeof result)) result = {};
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return result;
}

}  // namespace xbar::bench
