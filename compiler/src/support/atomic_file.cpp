#include "xbar/support/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "xbar/support/error.h"

namespace xbar {

void writeFileAtomically(const std::filesystem::path& path, std::string_view contents) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) failInput(path.parent_path().string(), "cannot create directory: {}", ec.message());
  }
  // Renaming over a device node, a FIFO, a directory or a symbolic link would replace what the
  // user made with a regular file: only a regular file (or nothing) is replaced.
  const fs::file_status target = fs::symlink_status(path, ec);
  if (fs::exists(target) && !fs::is_regular_file(target))
    failInput(path.string(), "exists and is not a regular file; refusing to replace it");
  // The temporary name carries the pid so two processes writing the same output never
  // share a temporary.
  fs::path tmp = path;
  tmp += fmt::format(".tmp.{}", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) failInput(tmp.string(), "cannot open for writing: {}", std::strerror(errno));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      failInput(path.string(), "write failed: {}", std::strerror(errno));
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    failInput(path.string(), "cannot rename temporary file into place: {}", ec.message());
  }
}

std::string readFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) failInput(path.string(), "no such file");
  if (std::filesystem::is_directory(path, ec))
    failInput(path.string(), "is a directory, expected a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) failInput(path.string(), "cannot open: {}", std::strerror(errno));
  std::string contents(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!in) failInput(path.string(), "read failed: {}", std::strerror(errno));
  return contents;
}

}  // namespace xbar
