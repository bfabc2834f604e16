#include "tensor_decoder.h"

#include <algorithm>

#include <cstring>
#include <fstream>

#include "xbar/support/error.h"

namespace xbar::frontend {

using onnx::TensorProto;

ir::ElementType elementTypeOf(int32_t onnxType, const std::string& where, int* bits) {
  switch (onnxType) {
    case TensorProto::FLOAT:
      *bits = 32;
      return ir::ElementType::Float;
    case TensorProto::DOUBLE:
      *bits = 64;
      return ir::ElementType::Float;
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
      *bits = 16;
      return ir::ElementType::Float;
    case TensorProto::INT64:
      *bits = 64;
      return ir::ElementType::Int;
    case TensorProto::INT32:
    case TensorProto::UINT32:
      *bits = 32;
      return ir::ElementType::Int;
    case TensorProto::INT16:
    case TensorProto::UINT16:
      *bits = 16;
      return ir::ElementType::Int;
    case TensorProto::INT8:
    case TensorProto::UINT8:
      *bits = 8;
      return ir::ElementType::Int;
    case TensorProto::BOOL:
      *bits = 8;
      return ir::ElementType::Int;
    default:
      failInput(where, "element type {} ({}) is not supported; expected a float or integer type",
                TensorProto::DataType_Name(static_cast<TensorProto::DataType>(onnxType)), onnxType);
  }
}

bool tensorHasNoData(const TensorProto& t) {
  return t.data_location() != TensorProto::EXTERNAL && !t.has_raw_data() &&
         t.float_data_size() == 0 && t.double_data_size() == 0 && t.int32_data_size() == 0 &&
         t.int64_data_size() == 0 && t.uint64_data_size() == 0;
}

namespace {

float halfToFloat(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exponent = 127 - 15 + 1;
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --exponent;
      }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

// The ONNX external-data rule: a location is a relative path inside the model's directory. An
// absolute path or one that climbs out ('../../etc/passwd') would let a model read any file
// the user can; a directory or a device is no data file.
std::filesystem::path externalDataFile(const std::string& location,
                                       const std::filesystem::path& baseDir,
                                       const std::string& where) {
  namespace fs = std::filesystem;
  const fs::path relative(location);
  if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory())
    failInput(where,
              "external data location '{}' is absolute; expected a path relative to the "
              "model's directory",
              location);
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(baseDir.empty() ? fs::path(".") : baseDir, ec);
  const fs::path file = fs::weakly_canonical(base / relative, ec);
  const auto [baseEnd, fileAt] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
  if (ec || baseEnd != base.end())
    failInput(where, "external data location '{}' leaves the model's directory {}", location,
              base.string());
  if (!fs::is_regular_file(file, ec))
    failInput(where, "external data location '{}' is {}; expected a data file", location,
              fs::exists(file, ec) ? "not a regular file" : "missing");
  return file;
}

namespace {

std::string readExternal(const TensorProto& t, const std::filesystem::path& baseDir,
                         const std::string& where) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& entry : t.external_data()) {
    try {
      if (entry.key() == "location") location = entry.value();
      if (entry.key() == "offset") offset = std::stoll(entry.value());
      if (entry.key() == "length") length = std::stoll(entry.value());
    } catch (const std::exception&) {
      failInput(where, "external data entry '{}' has a non-numeric value '{}'", entry.key(),
                entry.value());
    }
  }
  if (location.empty()) failInput(where, "external data has no 'location'");
  const std::filesystem::path file = externalDataFile(location, baseDir, where);
  std::ifstream in(file, std::ios::binary);
  if (!in) failInput(where, "external data file '{}' cannot be opened", file.string());
  in.seekg(0, std::ios::end);
  const int64_t size = in.tellg();
  if (length < 0) length = size - offset;
  if (offset < 0 || length < 0 || offset > size || length > size - offset)
    failInput(where, "external data range [{}, {}) lies outside '{}' ({} bytes)", offset,
              offset + length, file.string(), size);
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  return bytes;
}

// Element i of raw little-endian data at p, into the float or integer array.
void decodeRawElement(int dataType, const char* p, size_t i, ir::TensorData& data) {
  switch (dataType) {
    case TensorProto::FLOAT:
      data.floats[i] = load<float>(p);
      break;
    case TensorProto::DOUBLE:
      data.floats[i] = static_cast<float>(load<double>(p));
      break;
    case TensorProto::FLOAT16:
      data.floats[i] = halfToFloat(load<uint16_t>(p));
      break;
    case TensorProto::BFLOAT16: {
      const uint32_t b = static_cast<uint32_t>(load<uint16_t>(p)) << 16;
      data.floats[i] = load<float>(reinterpret_cast<const char*>(&b));
      break;
    }
    case TensorProto::INT64:
      data.ints[i] = load<int64_t>(p);
      break;
    case TensorProto::INT32:
      data.ints[i] = load<int32_t>(p);
      break;
    case TensorProto::UINT32:
      data.ints[i] = load<uint32_t>(p);
      break;
    case TensorProto::INT16:
      data.ints[i] = load<int16_t>(p);
      break;
    case TensorProto::UINT16:
      data.ints[i] = load<uint16_t>(p);
      break;
    case TensorProto::INT8:
      data.ints[i] = load<int8_t>(p);
      break;
    case TensorProto::UINT8:
    case TensorProto::BOOL:
      data.ints[i] = load<uint8_t>(p);
      break;
    default:
      break;
  }
}

}  // namespace

ir::TensorData decodeTensorData(const TensorProto& t, const std::filesystem::path& baseDir,
                                const std::string& where, std::string_view rawData) {
  int bits = 0;
  const ir::ElementType type = elementTypeOf(t.data_type(), where, &bits);
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) failInput(where, "negative dimension {}", d);
    count *= d;
  }
  const auto n = static_cast<size_t>(count);
  ir::TensorData data;
  auto check = [&](size_t got) {
    if (got != n)
      failInput(where, "holds {} elements but its dims promise {} (truncated or corrupt data?)",
                got, n);
  };

  const bool external = t.data_location() == TensorProto::EXTERNAL;
  if (external || t.has_raw_data() || !rawData.empty()) {
    const std::string externalBytes = external ? readExternal(t, baseDir, where) : std::string();
    const std::string_view raw = external           ? std::string_view(externalBytes)
                                 : !rawData.empty() ? rawData
                                                    : std::string_view(t.raw_data());
    const size_t width = static_cast<size_t>(bits / 8);
    check(raw.size() / width);
    if (raw.size() % width != 0)
      failInput(where, "raw data size {} is not a multiple of {}", raw.size(), width);
    const char* p = raw.data();
    if (t.data_type() == TensorProto::FLOAT) {  // the common case, in one copy
      data.floats.resize(n);
      std::memcpy(data.floats.data(), p, n * sizeof(float));
      return data;
    }
    if (type == ir::ElementType::Float)
      data.floats.resize(n);
    else
      data.ints.resize(n);
    for (size_t i = 0; i < n; ++i, p += width) decodeRawElement(t.data_type(), p, i, data);
    return data;
  }

  switch (t.data_type()) {
    case TensorProto::FLOAT:
      check(static_cast<size_t>(t.float_data_size()));
      data.floats.assign(t.float_data().begin(), t.float_data().end());
      break;
    case TensorProto::DOUBLE:
      check(static_cast<size_t>(t.double_data_size()));
      data.floats.assign(t.double_data().begin(), t.double_data().end());
      break;
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
      check(static_cast<size_t>(t.int32_data_size()));
      for (int32_t v : t.int32_data()) {
        const auto h = static_cast<uint16_t>(v);
        if (t.data_type() == TensorProto::FLOAT16) {
          data.floats.push_back(halfToFloat(h));
        } else {
          const uint32_t b = static_cast<uint32_t>(h) << 16;
          data.floats.push_back(load<float>(reinterpret_cast<const char*>(&b)));
        }
      }
      break;
    case TensorProto::INT64:
      check(static_cast<size_t>(t.int64_data_size()));
      data.ints.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case TensorProto::UINT32:
      check(static_cast<size_t>(t.uint64_data_size()));
      data.ints.assign(t.uint64_data().begin(), t.uint64_data().end());
      break;
    default:  // INT32, INT16, UINT16, INT8, UINT8, BOOL live in int32_data
      check(static_cast<size_t>(t.int32_data_size()));
      data.ints.assign(t.int32_data().begin(), t.int32_data().end());
      break;
  }
  return data;
}

void encodeTensorData(const ir::Value& value, int32_t onnxType, TensorProto* tensor) {
  tensor->set_name(value.name);
  for (int64_t d : value.shape) tensor->add_dims(d);
  tensor->set_data_type(onnxType);
  if (value.type == ir::ElementType::Int) {
    for (int64_t x : value.data->ints) {
      if (onnxType == TensorProto::INT64)
        tensor->add_int64_data(x);
      else
        tensor->add_int32_data(static_cast<int32_t>(x));
    }
  } else if (onnxType == TensorProto::DOUBLE) {
    for (float x : value.data->floats) tensor->add_double_data(x);
  } else {
    tensor->set_data_type(TensorProto::FLOAT);
    for (float x : value.data->floats) tensor->add_float_data(x);
  }
}

}  // namespace xbar::frontend
