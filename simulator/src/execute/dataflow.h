// The executor's values (executor.h): one partition's recorded data instructions evaluated in
// an order that respects what each reads, on per-core local stores and a DRAM shadow.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "xbar/execute/executor.h"
#include "xbar/execute/group_evaluator.h"
#include "xbar/numerics/programmed_weights.h"

namespace xbar::execute {

// A unit's codes as a core's crossbars hold them, sliced into cells (one per weight piece).
struct ProgrammedUnit {
  const UnitWeights* source = nullptr;
  std::vector<numerics::ProgrammedWeights> pieces;
};

// One copy of a unit that an MVM runs, as the crossbars held it when the MVM was issued.
struct CopyRun {
  int32_t unit = 0;
  int32_t copy = 0;
  int32_t replicas = 1;  // copies of the unit in the partition
  std::shared_ptr<const ProgrammedUnit> weights;
};

// An LD, ST, SEND, RECV or MVM of the partition, in the order the program reached it.
struct RecordedOp {
  int32_t thread = 0;
  size_t index = 0;
  int32_t core = 0;
  std::vector<CopyRun> runs;  // MVM
};

class Dataflow {
 public:
  Dataflow(const ExecutionModel& model, const codegen::Program& program,
           const ExecutionOptions& options, Execution& result);

  // The graph inputs of every sample, in DRAM where the segment table puts them.
  void setInputs(const std::vector<std::vector<reference::Tensor>>& samples);
  // Evaluates partition `partition`'s ops, then empties every core's local store.
  void runPartition(int32_t partition, std::vector<RecordedOp> ops);
  // The graph outputs, from DRAM.
  void readOutputs();

  // "core C thread T instruction I (TEXT)".
  std::string where(int32_t thread, size_t index) const;

 private:
  struct CoreStore {
    std::map<std::pair<ir::ValueId, int64_t>, HeldValue> values;  // (value, sample)
    std::map<std::pair<int32_t, int64_t>, HeldSums> sums;         // (layer, sample)
    std::map<std::pair<int32_t, int64_t>, int> finished;          // 1 before sums, 2 with
    // (layer, sample): the matrix input's codes, and 1 where the core lacks the element (empty
    // where it lacks none).
    std::map<std::pair<int32_t, int64_t>, std::pair<std::vector<int64_t>, std::vector<int64_t>>>
        codes;
  };
  struct Payload {
    codegen::DataRef data;
    std::vector<float> values;
    std::vector<int64_t> acc, rows;
  };
  using Key = std::tuple<int32_t, int32_t, int32_t>;  // group, stage, order within the stage

  Key orderOf(const codegen::Instruction& in) const;
  // Whether the op could run: not yet where it moves a box some of which has yet to arrive
  // (then it waits for the other ops of its stage), unless `strict`: then that is an error.
  bool evaluate(const RecordedOp& op, bool strict);
  void mvm(const RecordedOp& op, const codegen::Instruction& in);
  bool send(const RecordedOp& op, const codegen::Instruction& in, bool strict);
  bool receive(const RecordedOp& op, const codegen::Instruction& in, bool strict);
  // Not yet (false) where some of its box is still to be stored, unless `strict`.
  bool load(const RecordedOp& op, const codegen::Instruction& in, bool strict);
  bool store(const RecordedOp& op, const codegen::Instruction& in, bool strict);
  // The core's box of a value, finishing the group that makes it where the core lacks some;
  // nullptr where it still lacks some and not `strict` (else an error).
  HeldValue* ensureValue(const RecordedOp& op, const codegen::DataRef& d, bool strict);
  // `withSums`: the values after the matrix op too (once its sums are complete), else only
  // those made before it.
  void finishGroup(int32_t core, int32_t layer, int64_t sample, bool withSums);
  void checkAddress(const RecordedOp& op, const codegen::Instruction& in) const;
  HeldSums& sumsOf(CoreStore& s, int32_t layer, int64_t sample) const;
  schedule::Extent extentOf(const codegen::DataRef& d) const;
  std::string nameOf(const codegen::DataRef& d) const;
  [[noreturn]] void fail(const RecordedOp& op, const std::string& what) const;

  const ExecutionModel& model_;
  const codegen::Program& program_;
  ExecutionOptions options_;
  Execution& result_;
  GroupEvaluator evaluator_;
  int32_t partition_ = 0;
  std::vector<CoreStore> cores_;
  std::map<std::pair<ir::ValueId, int64_t>, HeldValue> dramValues_;
  std::map<std::pair<int32_t, int64_t>, HeldSums> dramSums_;
  std::map<std::tuple<int32_t, int32_t, int64_t>, Payload> inFlight_;     // (from, to, tag)
  std::map<std::pair<int32_t, int32_t>, codegen::DramSegment> segments_;  // (kind, id)
};

}  // namespace xbar::execute
