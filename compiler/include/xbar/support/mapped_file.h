// A read-only memory map of a whole file: large models are parsed straight from the page
// cache, without first copying hundreds of MB into a buffer.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace xbar {

class MappedFile {
 public:
  // Throws InputError naming the path when it is missing, a directory or unreadable.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace xbar
