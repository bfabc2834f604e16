#include "xbar/execute/executor.h"

#include <deque>
#include <set>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <fmt/format.h>

#include "dataflow.h"
#include "xbar/numerics/keyed_draws.h"
#include "xbar/support/error.h"

namespace xbar::execute {
namespace {

using codegen::DataRef;
using codegen::Instruction;
using codegen::Opcode;

// The program's threads taken in an order they allow (a RECV after its SEND, a BARRIER once
// every thread is at it, a SYNC once the core's threads are), moving weights into crossbar
// state as they go and recording each partition's data instructions for the dataflow, which
// evaluates a partition once every thread has reached the next barrier.
class Machine {
 public:
  Machine(const ExecutionModel& model, const codegen::Program& program, const WeightImage& image,
          const ExecutionOptions& options, Execution& result)
      : model_(model),
        program_(program),
        image_(image),
        flow_(model, program, options, result),
        buffers_(static_cast<size_t>(program.cores)),
        crossbars_(static_cast<size_t>(program.cores),
                   std::vector<Cell>(static_cast<size_t>(program.crossbarsPerCore))) {
    countReplicas();
  }

  void run(const std::vector<std::vector<reference::Tensor>>& samples) {
    flow_.setInputs(samples);
    const size_t threads = program_.threads.size();
    pc_.assign(threads, 0);
    barriers_.assign(threads, 0);
    ops_.assign(static_cast<size_t>(program_.partitions), {});
    for (const codegen::Thread& t : program_.threads) ++threadsOnCore_[t.core];
    std::deque<int32_t> ready;
    for (size_t t = 0; t < threads; ++t) ready.push_back(static_cast<int32_t>(t));
    while (!ready.empty()) {
      const int32_t t = ready.front();
      ready.pop_front();
      advance(t, ready);
    }
    for (size_t t = 0; t < threads; ++t)
      if (pc_[t] < program_.threads[t].code.size())
        throw ExecutionError(flow_.where(static_cast<int32_t>(t), pc_[t]) +
                             ": the program cannot go on: this thread waits for ever");
    flow_.runPartition(program_.partitions - 1, std::move(ops_.back()));
    flow_.readOutputs();
  }

 private:
  struct Cell {
    int32_t unit = -1;
    int32_t copy = 0;
    std::shared_ptr<const ProgrammedUnit> weights;
  };

  // Copies of each unit per partition: a WR_XB before barrier p programs partition p's.
  void countReplicas() {
    for (const codegen::Thread& t : program_.threads) {
      int32_t partition = 0;
      for (const Instruction& in : t.code) {
        if (in.op == Opcode::Barrier) ++partition;
        if (in.op == Opcode::WriteXbar) {
          int32_t& r = replicas_[{partition, in.unit}];
          r = std::max(r, in.copy + in.copies);
        }
      }
    }
  }

  [[noreturn]] void fail(int32_t t, const std::string& what) const {
    throw ExecutionError(fmt::format("{}: {}", flow_.where(t, pc_[static_cast<size_t>(t)]), what));
  }

  // Runs thread t until it waits or ends.
  void advance(int32_t t, std::deque<int32_t>& ready) {
    const codegen::Thread& thread = program_.threads[static_cast<size_t>(t)];
    size_t& pc = pc_[static_cast<size_t>(t)];
    while (pc < thread.code.size()) {
      const Instruction& in = thread.code[pc];
      if (in.op == Opcode::Barrier) {
        if (in.id != barriers_[static_cast<size_t>(t)])
          fail(t, fmt::format("barrier {} where partition {} starts", in.id,
                              barriers_[static_cast<size_t>(t)]));
        if (++atBarrier_ < static_cast<int32_t>(program_.threads.size())) return;
        atBarrier_ = 0;
        if (in.id > 0)
          flow_.runPartition(in.id - 1, std::move(ops_[static_cast<size_t>(in.id - 1)]));
        for (size_t k = 0; k < pc_.size(); ++k) {
          ++pc_[k];
          ++barriers_[k];
          ready.push_back(static_cast<int32_t>(k));
        }
        return;
      }
      if (in.op == Opcode::Sync) {
        auto& waiting = atSync_[thread.core];
        waiting.push_back(t);
        if (static_cast<int32_t>(waiting.size()) < threadsOnCore_[thread.core]) return;
        for (int32_t k : waiting) {
          ++pc_[static_cast<size_t>(k)];
          ready.push_back(k);
        }
        waiting.clear();
        return;
      }
      if (in.op == Opcode::Receive) {
        const auto key = std::tuple{in.peer, thread.core, in.tag};
        if (!sent_.count(key)) {
          waitingOn_[key] = t;
          return;
        }
        sent_.erase(key);
      }
      apply(t, in);
      if (in.op == Opcode::Send) {
        const auto key = std::tuple{thread.core, in.peer, in.tag};
        sent_.insert(key);
        if (const auto w = waitingOn_.find(key); w != waitingOn_.end()) {
          ready.push_back(w->second);
          waitingOn_.erase(w);
        }
      }
      ++pc;
    }
  }

  void apply(int32_t t, const Instruction& in) {
    const int32_t core = program_.threads[static_cast<size_t>(t)].core;
    auto& buffer = buffers_[static_cast<size_t>(core)];
    const bool weights = in.data.kind == DataRef::Kind::Weights;
    switch (in.op) {
      case Opcode::LoadWeights: {
        const UnitWeights* w = image_.at(in.dram);
        if (w == nullptr) fail(t, fmt::format("no unit's weights start at DRAM byte {}", in.dram));
        if (w->unit != in.unit)
          fail(t, fmt::format("DRAM byte {} holds unit {}'s weights, not unit {}'s", in.dram,
                              w->unit, in.unit));
        buffer[in.unit] = w;
        return;
      }
      case Opcode::Send:
        if (weights) {
          const auto w = buffer.find(in.data.id);
          if (w == buffer.end())
            fail(t, fmt::format("the core sends unit {}'s weights but holds none", in.data.id));
          weightsInFlight_[{core, in.peer, in.tag}] = w->second;
          return;
        }
        break;
      case Opcode::Receive:
        if (weights) {
          const auto w = weightsInFlight_.find({in.peer, core, in.tag});
          if (w == weightsInFlight_.end() || w->second->unit != in.data.id)
            fail(t, fmt::format("the matching SEND does not carry unit {}'s weights", in.data.id));
          buffer[in.data.id] = w->second;
          weightsInFlight_.erase(w);
          return;
        }
        break;
      case Opcode::WriteXbar:
        return write(t, core, in);
      case Opcode::Mvm:
        return recordMvm(t, core, in);
      case Opcode::Load:
      case Opcode::Store:
        break;
      default:
        return;  // VEC: the values of a group's ops are made where a box leaves its core
    }
    record(t, core, {});
  }

  void record(int32_t t, int32_t core, std::vector<CopyRun> runs) {
    const int32_t partition = barriers_[static_cast<size_t>(t)] - 1;
    if (partition < 0) fail(t, "moves activations before the first barrier");
    ops_[static_cast<size_t>(partition)].push_back(
        {t, pc_[static_cast<size_t>(t)], core, std::move(runs)});
  }

  // Programs copies [copy, copy + copies) of a unit into `count` crossbars from `xb`, each copy
  // count / copies of them, from the unit's codes in the core's weight buffer.
  void write(int32_t t, int32_t core, const Instruction& in) {
    const auto& buffer = buffers_[static_cast<size_t>(core)];
    const auto w = buffer.find(in.unit);
    if (w == buffer.end())
      fail(t, fmt::format("programs unit {} but the core holds none of its weights", in.unit));
    if (in.copies <= 0 || in.count % in.copies != 0 || in.xb + in.count > program_.crossbarsPerCore)
      fail(t, "the crossbars do not divide among the copies");
    std::shared_ptr<const ProgrammedUnit>& programmed = programmed_[w->second];
    if (!programmed) programmed = program(*w->second);
    const int32_t per = in.count / in.copies;
    auto& cells = crossbars_[static_cast<size_t>(core)];
    for (int32_t j = 0; j < in.count; ++j)
      cells[static_cast<size_t>(in.xb + j)] = {in.unit, in.copy + j / per, programmed};
  }

  // A unit's codes sliced into cells: each piece as a block of its (layer, group) matrix,
  // drawing the same faults as the whole matrix does in the quantized reference.
  std::shared_ptr<const ProgrammedUnit> program(const UnitWeights& w) const {
    auto p = std::make_shared<ProgrammedUnit>();
    p->source = &w;
    const ir::NodeId node = model_.mapping.layers[static_cast<size_t>(w.layer)].layer.node;
    const numerics::CrossbarNumerics& numerics = model_.quantized.layers().at(node).numerics;
    for (const WeightPiece& piece : w.pieces) {
      const uint64_t stream =
          numerics::drawKey(static_cast<uint64_t>(node), {static_cast<uint64_t>(piece.group)});
      p->pieces.emplace_back(numerics, piece.codes, piece.endOutput - piece.firstOutput,
                             piece.endRow - piece.firstRow, stream, piece.firstRow,
                             piece.firstOutput);
    }
    return p;
  }

  // The copies in the MVM's crossbars, each wholly programmed, of the layer it names.
  void recordMvm(int32_t t, int32_t core, const Instruction& in) {
    const auto& cells = crossbars_[static_cast<size_t>(core)];
    if (in.xb + in.count > program_.crossbarsPerCore) fail(t, "names crossbars the core lacks");
    std::vector<CopyRun> runs;
    const int32_t partition = barriers_[static_cast<size_t>(t)] - 1;
    for (int32_t x = in.xb; x < in.xb + in.count; ++x) {
      const Cell& c = cells[static_cast<size_t>(x)];
      if (c.unit < 0 || model_.groups.unit(c.unit).layer != in.layer)
        fail(t, fmt::format("crossbar {} holds {}, not a unit of layer '{}'", x,
                            c.unit < 0 ? std::string("nothing") : fmt::format("unit {}", c.unit),
                            model_.groups.layer(in.layer).name));
      if (std::any_of(runs.begin(), runs.end(),
                      [&](const CopyRun& r) { return r.unit == c.unit && r.copy == c.copy; }))
        continue;
      const int64_t written = std::count_if(cells.begin(), cells.end(), [&](const Cell& o) {
        return o.unit == c.unit && o.copy == c.copy;
      });
      if (written != model_.groups.unit(c.unit).crossbars)
        fail(t, fmt::format("copy {} of unit {} is programmed in {} of its {} crossbars", c.copy,
                            c.unit, written, model_.groups.unit(c.unit).crossbars));
      runs.push_back({c.unit, c.copy, replicas_.at({partition, c.unit}), c.weights});
    }
    record(t, core, std::move(runs));
  }

  const ExecutionModel& model_;
  const codegen::Program& program_;
  const WeightImage& image_;
  Dataflow flow_;
  std::vector<std::map<int32_t, const UnitWeights*>> buffers_;  // per core: by unit
  std::vector<std::vector<Cell>> crossbars_;                    // per core
  std::map<const UnitWeights*, std::shared_ptr<const ProgrammedUnit>> programmed_;
  std::map<std::pair<int32_t, int32_t>, int32_t> replicas_;  // (partition, unit)
  std::vector<size_t> pc_;
  std::vector<int32_t> barriers_;             // per thread: barriers passed
  std::vector<std::vector<RecordedOp>> ops_;  // per partition
  std::map<int32_t, int32_t> threadsOnCore_;
  std::map<int32_t, std::vector<int32_t>> atSync_;
  int32_t atBarrier_ = 0;
  std::set<std::tuple<int32_t, int32_t, int64_t>> sent_;  // (from, to, tag) not yet received
  std::map<std::tuple<int32_t, int32_t, int64_t>, int32_t> waitingOn_;
  std::map<std::tuple<int32_t, int32_t, int64_t>, const UnitWeights*> weightsInFlight_;
};

}  // namespace

Execution executeProgram(const ExecutionModel& model, const codegen::Program& program,
                         const WeightImage& image,
                         const std::vector<std::vector<reference::Tensor>>& samples,
                         const ExecutionOptions& options) {
  const ir::Graph& g = model.graph;
  const std::string where = g.source.empty() ? g.name : g.source;
  if (g.weightsStripped)
    failInput(where,
              "the model's weights were stripped: its program can be timed (xbar run, simulate) "
              "but not executed");
  if (static_cast<int64_t>(samples.size()) != program.batch)
    failInput(where, "{} samples given to a program compiled for a batch of {}", samples.size(),
              program.batch);
  for (const auto& sample : samples) {
    if (sample.size() != g.inputs.size())
      failInput(where, "{} inputs given, the model takes {}", sample.size(), g.inputs.size());
    for (size_t i = 0; i < sample.size(); ++i)
      if (sample[i].shape != g.value(g.inputs[i]).shape)
        failInput(where, "input '{}' has shape {}, the model expects {}", g.value(g.inputs[i]).name,
                  ir::shapeToString(sample[i].shape),
                  ir::shapeToString(g.value(g.inputs[i]).shape));
  }
#if defined(__GLIBC__)
  // The executor allocates and frees many tensor-sized blocks (a core's boxes of a value, a
  // group's masks); above glibc's mmap threshold each one is fresh pages the kernel zeroes,
  // which took most of its time. Keep them in the heap instead.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
  Execution result;
  Machine(model, program, image, options, result).run(samples);
  return result;
}

}  // namespace xbar::execute
