#include "xbar/codegen/program_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::codegen {
namespace {

struct OpcodeSpec {
  Opcode op;
  std::string_view name;
  std::array<std::string_view, 10> operands;  // in the order they are written
};

constexpr std::array kOpcodes = {
    OpcodeSpec{Opcode::LoadWeights, "LD_W", {"dram", "bytes", "xb", "count", "unit"}},
    OpcodeSpec{
        Opcode::WriteXbar, "WR_XB", {"xb", "count", "rows", "cols", "unit", "copy", "copies"}},
    OpcodeSpec{Opcode::Load, "LD", {"dram", "bytes", "data"}},
    OpcodeSpec{Opcode::Store, "ST", {"dram", "bytes", "data"}},
    OpcodeSpec{
        Opcode::Mvm,
        "MVM",
        {"xb", "count", "rows", "cols", "repeat", "cycles", "layer", "sample", "tile", "tiles"}},
    OpcodeSpec{Opcode::Vector, "VEC", {"op", "elems", "layer", "sample"}},
    OpcodeSpec{Opcode::Send, "SEND", {"peer", "bytes", "tag", "credits", "data"}},
    OpcodeSpec{Opcode::Receive, "RECV", {"peer", "bytes", "tag", "data"}},
    OpcodeSpec{Opcode::Barrier, "BARRIER", {"id"}},
    OpcodeSpec{Opcode::Sync, "SYNC", {"id"}},
};

const OpcodeSpec& specOf(Opcode op) {
  for (const OpcodeSpec& s : kOpcodes)
    if (s.op == op) return s;
  return kOpcodes.back();
}

std::string_view kindPrefix(DataRef::Kind kind) {
  switch (kind) {
    case DataRef::Kind::Value:
      return "v";
    case DataRef::Kind::Sums:
      return "sum";
    case DataRef::Kind::Weights:
      return "w";
    case DataRef::Kind::None:
      break;
  }
  return "none";
}

std::string operandText(const Instruction& in, std::string_view key) {
  if (key == "data") return dataText(in.data);
  if (key == "dram") return fmt::format("{}", in.dram);
  if (key == "bytes") return fmt::format("{}", in.bytes);
  if (key == "xb") return fmt::format("{}", in.xb);
  if (key == "count") return fmt::format("{}", in.count);
  if (key == "rows") return fmt::format("{}", in.rows);
  if (key == "cols") return fmt::format("{}", in.cols);
  if (key == "repeat") return fmt::format("{}", in.repeat);
  if (key == "cycles") return fmt::format("{}", in.cycles);
  if (key == "peer") return fmt::format("{}", in.peer);
  if (key == "id") return fmt::format("{}", in.id);
  if (key == "tag") return fmt::format("{}", in.tag);
  if (key == "credits") return fmt::format("{}", in.credits);
  if (key == "op") return in.vecOp;
  if (key == "unit") return fmt::format("{}", in.unit);
  if (key == "copy") return fmt::format("{}", in.copy);
  if (key == "copies") return fmt::format("{}", in.copies);
  if (key == "layer") return fmt::format("{}", in.layer);
  if (key == "sample") return fmt::format("{}", in.sample);
  if (key == "tile") return fmt::format("{}", in.tile);
  if (key == "tiles") return fmt::format("{}", in.tiles);
  return fmt::format("{}", in.elems);  // elems
}

// The largest operand a program may hold: 256 TiB of DRAM, and far more repeats, bytes or
// elements than any program needs, while sums and products of operands stay inside int64.
constexpr int64_t kMaxOperand = int64_t{1} << 48;
constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// Operands kept as 32-bit integers (crossbar, core, partition and cycle counts).
bool is32Bit(std::string_view key) {
  return key == "xb" || key == "count" || key == "cycles" || key == "peer" || key == "id" ||
         key == "credits" || key == "unit" || key == "copy" || key == "copies" || key == "layer" ||
         key == "tile" || key == "tiles";
}

// The header lines, each required exactly once, in the order saveProgram writes them.
constexpr std::array<std::string_view, 5> kHeaderLines = {"model", "arch", "cores", "batch",
                                                          "dram"};

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

  Program run() {
    Program p;
    bool sawVersion = false;
    int32_t core = -1;
    for (size_t start = 0; start <= text_.size();) {
      size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = text_.substr(start, end - start);
      start = end + 1;
      ++lineNumber_;
      if (const size_t comment = line.find(';'); comment != std::string_view::npos)
        line = line.substr(0, comment);
      const auto w = words(line);
      if (w.empty()) continue;
      if (!sawVersion) {
        if (w[0] != "xasm" || w.size() != 2)
          fail("expected the header 'xasm {}' first", kProgramVersion);
        p.version = static_cast<int>(bounded(w[1], "version", 0, kMaxInt32));
        if (p.version != kProgramVersion)
          fail("program version {} is not supported; this xbar reads version {}", p.version,
               kProgramVersion);
        sawVersion = true;
        continue;
      }
      if (core < 0 &&
          std::find(kHeaderLines.begin(), kHeaderLines.end(), w[0]) != kHeaderLines.end() &&
          !header_.insert(std::string(w[0])).second)
        fail("the header line '{}' appears twice", w[0]);
      if (w[0] == "model" && w.size() == 2) {
        p.model = std::string(w[1]);
      } else if (w[0] == "arch" && w.size() == 3) {
        p.arch = std::string(w[1]);
        p.archFingerprint = std::string(w[2]);
      } else if (w[0] == "cores" && w.size() == 4 && w[2] == "crossbars") {
        p.cores = static_cast<int32_t>(positive(w[1], "cores", kMaxInt32));
        p.crossbarsPerCore = static_cast<int32_t>(positive(w[3], "crossbars", kMaxInt32));
      } else if (w[0] == "batch" && w.size() == 4 && w[2] == "partitions") {
        p.batch = positive(w[1], "batch", kMaxOperand);
        p.partitions = static_cast<int32_t>(positive(w[3], "partitions", kMaxInt32));
      } else if (w[0] == "dram" && w.size() == 5 && w[1] == "weights" && w[3] == "activations") {
        p.dramWeightBytes = bounded(w[2], "weights", 0, kMaxOperand);
        p.dramActivationBytes = bounded(w[4], "activations", 0, kMaxOperand);
      } else if (w[0] == "segment" && w.size() == 4 && core < 0) {
        p.segments.push_back(segment(w));
      } else if (w[0] == "core" && w.size() == 2) {
        if (header_.size() != kHeaderLines.size()) {
          std::vector<std::string_view> missing;
          for (std::string_view h : kHeaderLines)
            if (!header_.count(std::string(h))) missing.push_back(h);
          fail("'core' before the header is complete; missing {}", fmt::join(missing, ", "));
        }
        const int64_t next = number(w[1], "core");
        if (next < 0 || next >= p.cores)
          fail("core {} does not exist; the program has cores 0 to {}", next, p.cores - 1);
        if (next < core) fail("core {} after core {}; expected the cores in order", next, core);
        core = static_cast<int32_t>(next);
        p.threads.push_back({core, {}});  // each 'core' section is one thread of that core
      } else {
        if (core < 0) fail("unknown header line '{}'", line);
        p.threads.back().code.push_back(instruction(w));
      }
    }
    if (!sawVersion) fail("empty program; expected the header 'xasm {}'", kProgramVersion);
    if (p.threads.empty())
      throw InputError(fmt::format(
          "{}: no 'core N' section; expected the header ({}) and then each core's instructions",
          source_, fmt::join(kHeaderLines, ", ")));
    return p;
  }

 private:
  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
    failInput(fmt::format("{}:{}", source_, lineNumber_), format, std::forward<Args>(args)...);
  }

  int64_t number(std::string_view text, std::string_view what) const {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
      fail("{} should be an integer, got '{}'", what, text);
    return v;
  }

  int64_t bounded(std::string_view text, std::string_view what, int64_t low, int64_t high) const {
    const int64_t v = number(text, what);
    if (v < low || v > high) fail("{} should be from {} to {}, got {}", what, low, high, v);
    return v;
  }
  int64_t positive(std::string_view text, std::string_view what, int64_t high) const {
    return bounded(text, what, 1, high);
  }

  // segment w3 dram=0 bytes=4704
  DramSegment segment(const std::vector<std::string_view>& w) const {
    const DataRef d = data(w[1]);
    if (d.kind != DataRef::Kind::Weights && !d.positions.empty())
      fail("a segment names a tensor (v12, sum3) or a unit's weights (w7), got '{}'", w[1]);
    DramSegment seg{d.kind, d.id, 0, 0};
    const auto operand = [&](std::string_view token, std::string_view key) {
      if (token.substr(0, key.size() + 1) != fmt::format("{}=", key))
        fail("segment operand should be '{}=...', got '{}'", key, token);
      return bounded(token.substr(key.size() + 1), key, 0, kMaxOperand);
    };
    seg.address = operand(w[2], "dram");
    seg.bytes = operand(w[3], "bytes");
    return seg;
  }

  // v12/b0/c0:64/p0:3136, sum3/b0/c0:64/p0:98,196:294, or w7 (a segment: v12, sum3, w7).
  DataRef data(std::string_view text) const {
    DataRef d;
    const size_t slash = text.find('/');
    const std::string_view name = text.substr(0, slash);
    std::string_view id;
    if (name.substr(0, 3) == "sum") {
      d.kind = DataRef::Kind::Sums;
      id = name.substr(3);
    } else if (!name.empty() && (name[0] == 'v' || name[0] == 'w')) {
      d.kind = name[0] == 'v' ? DataRef::Kind::Value : DataRef::Kind::Weights;
      id = name.substr(1);
    } else {
      fail(
          "data should name a value (v12), a layer's sums (sum3) or a unit's weights (w7), got "
          "'{}'",
          text);
    }
    d.id = static_cast<int32_t>(bounded(id, "data id", 0, kMaxInt32));
    if (slash == std::string_view::npos) return d;
    if (d.kind == DataRef::Kind::Weights) fail("weights data is only 'w<unit>', got '{}'", text);
    const auto field = [&](std::string_view rest, char tag) {
      if (rest.empty() || rest[0] != tag)
        fail("data '{}': expected '/{}...' (v12/b0/c0:64/p0:3136)", text, tag);
      return rest.substr(1);
    };
    const auto range = [&](std::string_view r) {
      const size_t colon = r.find(':');
      if (colon == std::string_view::npos) fail("data '{}': expected a range first:end", text);
      const int64_t first = bounded(r.substr(0, colon), "range start", 0, kMaxOperand);
      const int64_t end = bounded(r.substr(colon + 1), "range end", first, kMaxOperand);
      return std::pair{first, end};
    };
    std::vector<std::string_view> parts;
    for (size_t i = slash + 1; i <= text.size();) {
      size_t j = text.find('/', i);
      if (j == std::string_view::npos) j = text.size();
      parts.push_back(text.substr(i, j - i));
      i = j + 1;
    }
    if (parts.size() != 3) fail("data '{}': expected v12/b0/c0:64/p0:3136", text);
    d.sample = bounded(field(parts[0], 'b'), "sample", 0, kMaxOperand);
    std::tie(d.firstChannel, d.endChannel) = range(field(parts[1], 'c'));
    std::string_view runs = field(parts[2], 'p');
    for (size_t i = 0; i <= runs.size();) {
      size_t j = runs.find(',', i);
      if (j == std::string_view::npos) j = runs.size();
      const auto run = range(runs.substr(i, j - i));
      if (!d.positions.empty() && run.first < d.positions.back().second)
        fail("data '{}': position runs should ascend without overlap", text);
      d.positions.push_back(run);
      i = j + 1;
    }
    return d;
  }

  Instruction instruction(const std::vector<std::string_view>& w) const {
    const OpcodeSpec* spec = nullptr;
    for (const OpcodeSpec& s : kOpcodes)
      if (s.name == w[0]) spec = &s;
    if (spec == nullptr)
      fail(
          "unknown opcode '{}'; expected LD_W, WR_XB, LD, ST, MVM, VEC, SEND, RECV, BARRIER or "
          "SYNC",
          w[0]);
    Instruction in;
    in.op = spec->op;
    size_t expected = 0;
    for (std::string_view key : spec->operands) expected += key.empty() ? 0 : 1;
    if (w.size() - 1 != expected)
      fail("{} takes {} operands ({}), got {}", spec->name, expected,
           fmt::join(spec->operands.begin(),
                     spec->operands.begin() + static_cast<std::ptrdiff_t>(expected), " "),
           w.size() - 1);
    for (size_t i = 0; i < expected; ++i) {
      const std::string_view token = w[i + 1];
      const size_t eq = token.find('=');
      const std::string_view key = token.substr(0, eq);
      if (eq == std::string_view::npos || key != spec->operands[i])
        fail("{} operand {} should be '{}=...', got '{}'", spec->name, i + 1, spec->operands[i],
             token);
      const std::string_view value = token.substr(eq + 1);
      if (key == "op") {
        if (value.empty()) fail("VEC op is empty");
        in.vecOp = std::string(value);
        continue;
      }
      if (key == "data") {
        in.data = data(value);
        const bool weights = in.data.kind == DataRef::Kind::Weights;
        if (weights && in.op != Opcode::Send && in.op != Opcode::Receive)
          fail("{} moves activations or sums, not weights ('{}')", spec->name, value);
        if (!weights && in.data.positions.empty())
          fail("{} data '{}' should give its box: v12/b0/c0:64/p0:3136", spec->name, value);
        continue;
      }
      const int64_t v = number(value, key);
      const int64_t high = is32Bit(key) ? kMaxInt32 : kMaxOperand;
      if (v < 0 || v > high) fail("{} {} should be from 0 to {}, got {}", spec->name, key, high, v);
      if (key == "dram")
        in.dram = v;
      else if (key == "bytes")
        in.bytes = v;
      else if (key == "xb")
        in.xb = static_cast<int32_t>(v);
      else if (key == "count")
        in.count = static_cast<int32_t>(v);
      else if (key == "rows")
        in.rows = v;
      else if (key == "cols")
        in.cols = v;
      else if (key == "repeat")
        in.repeat = v;
      else if (key == "cycles")
        in.cycles = static_cast<int32_t>(v);
      else if (key == "peer")
        in.peer = static_cast<int32_t>(v);
      else if (key == "id")
        in.id = static_cast<int32_t>(v);
      else if (key == "tag")
        in.tag = v;
      else if (key == "unit")
        in.unit = static_cast<int32_t>(v);
      else if (key == "copy")
        in.copy = static_cast<int32_t>(v);
      else if (key == "copies")
        in.copies = static_cast<int32_t>(v);
      else if (key == "layer")
        in.layer = static_cast<int32_t>(v);
      else if (key == "sample")
        in.sample = v;
      else if (key == "tile")
        in.tile = static_cast<int32_t>(v);
      else if (key == "tiles")
        in.tiles = static_cast<int32_t>(v);
      else if (key == "credits") {
        if (v < 1) fail("SEND credits should be from 1 to {}, got {}", kMaxInt32, v);
        in.credits = static_cast<int32_t>(v);
      } else
        in.elems = v;
    }
    return in;
  }

  std::string_view text_;
  std::string source_;
  int lineNumber_ = 0;
  std::set<std::string> header_;  // header lines seen
};

}  // namespace

std::string dataText(const DataRef& d) {
  std::string out = fmt::format("{}{}", kindPrefix(d.kind), d.id);
  if (d.kind == DataRef::Kind::Weights || d.kind == DataRef::Kind::None) return out;
  out += fmt::format("/b{}/c{}:{}/p", d.sample, d.firstChannel, d.endChannel);
  for (size_t i = 0; i < d.positions.size(); ++i)
    out += fmt::format("{}{}:{}", i ? "," : "", d.positions[i].first, d.positions[i].second);
  return out;
}

std::string_view opcodeName(Opcode op) {
  return specOf(op).name;
}

size_t Program::instructionCount() const {
  size_t n = 0;
  for (const auto& s : threads) n += s.code.size();
  return n;
}

std::string writeProgramText(const Program& p) {
  std::string out;
  out.reserve(p.instructionCount() * 40 + 256);
  out += fmt::format(
      "xasm {}\nmodel {}\narch {} {}\ncores {} crossbars {}\nbatch {} partitions {}\n"
      "dram weights {} activations {}\n",
      p.version, p.model, p.arch, p.archFingerprint, p.cores, p.crossbarsPerCore, p.batch,
      p.partitions, p.dramWeightBytes, p.dramActivationBytes);
  for (const DramSegment& seg : p.segments)
    out += fmt::format("segment {}{} dram={} bytes={}\n", kindPrefix(seg.kind), seg.id, seg.address,
                       seg.bytes);
  for (const Thread& thread : p.threads) {
    out += fmt::format("\ncore {}\n", thread.core);
    for (const Instruction& in : thread.code) {
      const OpcodeSpec& spec = specOf(in.op);
      out += "  ";
      out += spec.name;
      for (std::string_view key : spec.operands) {
        if (key.empty()) break;
        out += fmt::format(" {}={}", key, operandText(in, key));
      }
      out += '\n';
    }
  }
  return out;
}

Program parseProgramText(std::string_view text, const std::string& sourceName) {
  return Parser(text, sourceName).run();
}

Program loadProgram(const std::filesystem::path& path) {
  return parseProgramText(readFile(path), path.string());
}

void saveProgram(const Program& program, const std::filesystem::path& path) {
  writeFileAtomically(path, writeProgramText(program));
}

}  // namespace xbar::codegen
