#include "xbar/codegen/program_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "xbar/support/atomic_file.h"
#include "xbar/support/error.h"

namespace xbar::codegen {
namespace {

struct OpcodeSpec {
  Opcode op;
  std::string_view name;
  std::array<std::string_view, 6> operands;  // in the order they are written
};

constexpr std::array kOpcodes = {
    OpcodeSpec{Opcode::LoadWeights, "LD_W", {"dram", "bytes", "xb", "count"}},
    OpcodeSpec{Opcode::WriteXbar, "WR_XB", {"xb", "count", "rows", "cols"}},
    OpcodeSpec{Opcode::Load, "LD", {"dram", "bytes"}},
    OpcodeSpec{Opcode::Store, "ST", {"dram", "bytes"}},
    OpcodeSpec{Opcode::Mvm, "MVM", {"xb", "count", "rows", "cols", "repeat", "cycles"}},
    OpcodeSpec{Opcode::Vector, "VEC", {"op", "elems"}},
    OpcodeSpec{Opcode::Send, "SEND", {"peer", "bytes", "tag", "credits"}},
    OpcodeSpec{Opcode::Receive, "RECV", {"peer", "bytes", "tag"}},
    OpcodeSpec{Opcode::Barrier, "BARRIER", {"id"}},
    OpcodeSpec{Opcode::Sync, "SYNC", {"id"}},
};

const OpcodeSpec& specOf(Opcode op) {
  for (const OpcodeSpec& s : kOpcodes)
    if (s.op == op) return s;
  return kOpcodes.back();
}

std::string operandText(const Instruction& in, std::string_view key) {
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
  return fmt::format("{}", in.elems);  // elems
}

// The largest operand a program may hold: 256 TiB of DRAM, and far more repeats, bytes or
// elements than any program needs, while sums and products of operands stay inside int64.
constexpr int64_t kMaxOperand = int64_t{1} << 48;
constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// Operands kept as 32-bit integers (crossbar, core, partition and cycle counts).
bool is32Bit(std::string_view key) {
  return key == "xb" || key == "count" || key == "cycles" || key == "peer" || key == "id" ||
         key == "credits";
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
