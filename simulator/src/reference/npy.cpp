#include "xbar/reference/npy.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::reference {

namespace {

constexpr char kMagic[] = "\x93NUMPY";

// The value of 'key' in the header's Python dict literal, up to the next top-level comma.
std::string headerField(const std::string& header, const std::string& key,
                        const std::string& where) {
  const size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) failInput(where, "the .npy header has no '{}'", key);
  size_t start = header.find(':', at);
  if (start == std::string::npos) failInput(where, "the .npy header's '{}' has no value", key);
  ++start;
  int depth = 0;
  size_t end = start;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == ',' || c == '}') && depth == 0) break;
  }
  std::string v = header.substr(start, end - start);
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t") + 1);
  return v;
}

std::vector<int64_t> parseShape(const std::string& text, const std::string& where) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    failInput(where, "the .npy shape '{}' is not a tuple", text);
  std::vector<int64_t> shape;
  std::stringstream in(text.substr(1, text.size() - 2));
  std::string item;
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item.empty()) continue;
    size_t used = 0;
    int64_t d = -1;
    try {
      d = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || d < 0)
      failInput(where, "the .npy shape '{}' has a bad dimension '{}'", text, item);
    shape.push_back(d);
  }
  return shape;
}

}  // namespace

Tensor readNpy(const std::filesystem::path& path) {
  const std::string where = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) failInput(where, "cannot open the .npy file");
  char magic[8] = {};
  in.read(magic, 8);
  if (!in || std::memcmp(magic, kMagic, 6) != 0)
    failInput(where, "not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t headerBytes = 0;
  if (major == 1) {
    unsigned char len[2] = {};
    in.read(reinterpret_cast<char*>(len), 2);
    headerBytes = len[0] | (len[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char len[4] = {};
    in.read(reinterpret_cast<char*>(len), 4);
    headerBytes = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<uint32_t>(len[3]) << 24);
  } else {
    failInput(where, ".npy format version {} (expected 1, 2 or 3)", major);
  }
  if (!in || headerBytes > (1U << 20)) failInput(where, "truncated or oversized .npy header");
  std::string header(headerBytes, '\0');
  in.read(header.data(), headerBytes);
  if (!in) failInput(where, "truncated .npy header");
  const std::string descr = headerField(header, "descr", where);
  // Integer arrays (class labels) are read as float: exact below 2^24.
  const bool f4 = descr == "'<f4'", f8 = descr == "'<f8'", i4 = descr == "'<i4'",
             i8 = descr == "'<i8'";
  if (!f4 && !f8 && !i4 && !i8)
    failInput(where,
              "dtype {} (expected little-endian float32 '<f4', float64 '<f8', int32 '<i4' "
              "or int64 '<i8')",
              descr);
  if (headerField(header, "fortran_order", where) != "False")
    failInput(where, "Fortran-ordered array (expected C order)");
  Tensor t;
  t.shape = parseShape(headerField(header, "shape", where), where);
  const int64_t n = t.elementCount();
  // Checked against the file's size before allocating, so a corrupt shape cannot ask for
  // more memory than the file could fill.
  const auto dataStart = static_cast<int64_t>(in.tellg());
  const auto fileBytes = static_cast<int64_t>(std::filesystem::file_size(path));
  const int64_t width = f4 || i4 ? 4 : 8;
  if (n < 0 || n > (fileBytes - dataStart) / width)
    failInput(where, "the data ends before the {} elements its shape {} holds",
              n < 0 ? std::string("overflowing") : std::to_string(n),
              headerField(header, "shape", where));
  t.data.resize(static_cast<size_t>(n));
  if (f4) {
    in.read(reinterpret_cast<char*>(t.data.data()), static_cast<std::streamsize>(n * 4));
  } else {
    std::vector<char> raw(static_cast<size_t>(n * width));
    in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    for (size_t i = 0; i < t.data.size(); ++i) {
      const char* p = raw.data() + i * static_cast<size_t>(width);
      if (f8) {
        double v;
        std::memcpy(&v, p, 8);
        t.data[i] = static_cast<float>(v);
      } else if (i8) {
        int64_t v;
        std::memcpy(&v, p, 8);
        t.data[i] = static_cast<float>(v);
      } else {
        int32_t v;
        std::memcpy(&v, p, 4);
        t.data[i] = static_cast<float>(v);
      }
    }
  }
  if (!in) failInput(where, "the data ends before the {} elements its shape holds", n);
  return t;
}

void writeNpy(const std::filesystem::path& path, const Tensor& tensor) {
  // Python's tuple spelling: "()", "(5,)", "(2, 3)".
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    shape += (i > 0 ? ", " : "") + std::to_string(tensor.shape[i]);
  shape += tensor.shape.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Magic (6) + version (2) + length (2) + header + newline, padded to a multiple of 64.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(tensor.data.data()), tensor.data.size() * 4);
  writeFileAtomically(path, out);
}

}  // namespace xbar::reference
