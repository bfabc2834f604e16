// A temporary directory per test and the xbar command run in it, as a user runs it: the
// exit status, stdout and stderr. Shared by the sweep, MPI and report tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace xbar::testing {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline std::vector<std::string> lines(const fs::path& p) {
  std::vector<std::string> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xbar_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);  // kept for a look when something failed
  }

  fs::path writeFile(const std::string& name, const std::string& body) const {
    const fs::path file = dir_ / name;
    std::ofstream(file) << body;
    return file;
  }
  static std::string tiny(const std::string& model) {
    return std::string(XBAR_TINY_DIR) + "/" + model;
  }

  // Runs `prefix xbar args`; returns the exit status, and stderr in *err.
  int xbar(const std::string& args, std::string* err = nullptr,
           const std::string& prefix = "") const {
    const std::string command = prefix + std::string(XBAR_BINARY) + " " + args + " >" +
                                (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    if (err != nullptr) *err = slurp(dir_ / "err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string out() const { return slurp(dir_ / "out"); }

  fs::path dir_;
};

}  // namespace xbar::testing
