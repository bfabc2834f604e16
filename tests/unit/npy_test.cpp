// .npy reading and writing: a round trip, float64 read as float, and each malformed file
// refused with a line naming the file and the fault (never a crash or a huge allocation).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "xbar/reference/npy.h"
#include "xbar/support/error.h"

namespace xbar::reference {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "xbar-npy-test";
  fs::create_directories(dir);
  return dir / name;
}

// A version-1.0 file with `header` (padded) and `payload` bytes.
fs::path writeRaw(const std::string& name, std::string header, const std::string& payload) {
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  const fs::path path = scratch(name);
  std::ofstream(path, std::ios::binary) << bytes << header << payload;
  return path;
}

std::string errorOf(const fs::path& path) {
  try {
    readNpy(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Npy, RoundTripKeepsShapeAndValues) {
  const Tensor t({2, 3, 1}, {1.5F, -2.0F, 0.0F, 3.25F, 1e-8F, -7.0F});
  const fs::path path = scratch("round.npy");
  writeNpy(path, t);
  const Tensor back = readNpy(path);
  EXPECT_EQ(back.shape, t.shape);
  EXPECT_EQ(back.data, t.data);
  writeNpy(path, Tensor({5}, {1, 2, 3, 4, 5}));  // the 1-tuple spelling "(5,)"
  EXPECT_EQ(readNpy(path).shape, std::vector<int64_t>{5});
}

TEST(Npy, ReadsInt64LabelsAsFloat) {
  const int64_t values[3] = {0, 9, -3};
  const fs::path path =
      writeRaw("i8.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
               std::string(reinterpret_cast<const char*>(values), 24));
  EXPECT_EQ(readNpy(path).data, (std::vector<float>{0.0F, 9.0F, -3.0F}));
}

TEST(Npy, ReadsFloat64AsFloat) {
  const double values[2] = {0.25, -1e3};
  const fs::path path =
      writeRaw("f8.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
               std::string(reinterpret_cast<const char*>(values), 16));
  EXPECT_EQ(readNpy(path).data, (std::vector<float>{0.25F, -1000.0F}));
}

TEST(Npy, MalformedFilesAreRefusedNamingTheFault) {
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
  struct Case {
    fs::path path;
    std::string expected;
  };
  const Case cases[] = {
      {writeRaw("short.npy", f4, std::string(8, '\0')), "data ends before the 4 elements"},
      {writeRaw("int.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }",
                std::string(8, '\0')),
       "expected little-endian float32"},
      {writeRaw("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
                std::string(4, '\0')),
       "Fortran-ordered"},
      {writeRaw("huge.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000, 4000000000), }",
                std::string(16, '\0')),
       "data ends before the overflowing elements"},
      {writeRaw("badshape.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", ""),
       "bad dimension 'x'"},
  };
  for (const Case& c : cases) {
    const std::string message = errorOf(c.path);
    EXPECT_NE(message.find(c.path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
  const fs::path notNpy = scratch("text.npy");
  std::ofstream(notNpy) << "hello";
  EXPECT_NE(errorOf(notNpy).find("not a .npy file"), std::string::npos);
  EXPECT_NE(errorOf(scratch("absent.npy")).find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace xbar::reference
