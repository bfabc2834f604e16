// Outputs are written to a temporary file and renamed into place, and only ever replace a
// regular file: renaming over a FIFO or a device node once replaced it with a regular file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar {
namespace {

namespace fs = std::filesystem;

TEST(AtomicFile, OnlyARegularFileIsReplaced) {
  const fs::path dir = fs::temp_directory_path() / ("xbar_atomic_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  writeFileAtomically(dir / "out.json", "1");
  writeFileAtomically(dir / "out.json", "2");
  EXPECT_EQ(readFile(dir / "out.json"), "2") << "a regular file is replaced";

  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_THROW(writeFileAtomically(dir / "fifo", "x"), InputError);
  EXPECT_TRUE(fs::is_fifo(dir / "fifo")) << "the FIFO is still there";
  fs::create_directories(dir / "sub");
  EXPECT_THROW(writeFileAtomically(dir / "sub", "x"), InputError);
  fs::create_symlink(dir / "out.json", dir / "link");
  EXPECT_THROW(writeFileAtomically(dir / "link", "x"), InputError);
  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_EQ(readFile(dir / "out.json"), "2");
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos)
        << "no temporary left: " << e.path();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace xbar
