// The executor (docs/design.md §9): runs a compiled program on real inputs and computes what
// the chip would. It takes every instruction at its word: LD_W reads a unit's codes from the
// DRAM image at its address, a weight SEND/RECV moves them between cores, WR_XB programs a
// core's crossbars with them, an MVM runs the copies programmed in the crossbars it names
// over the vectors of its tile, LD/ST/SEND/RECV move the boxes they name between DRAM and the
// cores' local stores, and a core finishing a layer group computes the group's ops on what it
// holds. An instruction that reads something its core was never given, or addresses DRAM or
// crossbars other than where its data is, is an ExecutionError naming it.
//
// It checks what moves where, not when: a core computes a box once everything it reads has
// arrived during the partition, even where the program sends a piece one tile ahead of an
// element it depends on (a convolution's halo row, the interleaved vectors of copies under a
// pooling window); the timing model charges those bytes in the tile it sends them [A].
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include "xbar/arch/arch_config.h"
#include "xbar/codegen/program.h"
#include "xbar/execute/weight_image.h"
#include "xbar/ir/graph.h"
#include "xbar/mapping/mapping.h"
#include "xbar/reference/quantized_matrix_ops.h"
#include "xbar/reference/tensor.h"
#include "xbar/schedule/layer_groups.h"

namespace xbar::execute {

// The program does something other than what its data allows: a compiler bug.
class ExecutionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the executor reads besides the program: the model it was compiled from, with weights.
struct ExecutionModel {
  const ir::Graph& graph;
  const arch::ArchConfig& arch;
  const mapping::Mapping& mapping;
  const schedule::LayerGroups& groups;
  const reference::QuantizedMatrixOps& quantized;
};

struct ExecutionOptions {
  bool forceBitSliced = false;  // every product on the bit-level path (the benchmark's slow path)
  // Sample b of the batch is run `firstRun + b` of every matrix: it takes that run's read
  // noise (QuantizedMatrixOps::setRun).
  uint64_t firstRun = 0;
};

// One sample of a value as the program made it: its elements and, per element, the core and
// partition that made it (-1 where none did).
struct MadeValue {
  reference::Tensor tensor;
  std::vector<int32_t> core, partition;
};

struct Execution {
  // Per sample: the graph outputs as the program left them in DRAM.
  std::vector<std::vector<reference::Tensor>> outputs;
  // Per sample: every value a layer group made on some core.
  std::vector<std::map<ir::ValueId, MadeValue>> values;
};

// Runs `program` on its batch of samples (`samples[b]`: one tensor per graph input). InputError
// when the samples do not fit the program or the model; ExecutionError for a program that
// does not compute its model.
Execution executeProgram(const ExecutionModel& model, const codegen::Program& program,
                         const WeightImage& image,
                         const std::vector<std::vector<reference::Tensor>>& samples,
                         const ExecutionOptions& options = {});

}  // namespace xbar::execute
