// The program the simulator runs (docs/design.md §7): instruction threads per core, the
// partitions one after another in each thread, separated by barriers. The text form
// (program_text.h) is versioned, readable and diffable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xbar::codegen {

// 2: SEND/RECV carry a tag and SEND is posted (see Opcode::Send); a core may run several
//    threads; SYNC.
// 3: credits per SEND (its thread pair's flow-control window, sized from local memory) where
//    version 2 had one `credits` header line for every pair.
// 4: the program carries its data (docs/design.md §7): LD, ST, SEND and RECV name the box they
//    move, LD_W and WR_XB the unit and copies, MVM and VEC the layer, sample and tile; a
//    segment table says where each tensor and unit lives in DRAM. The executor runs it.
inline constexpr int kProgramVersion = 4;

enum class Opcode {
  LoadWeights,  // LD_W:  weights DRAM -> core       dram, bytes, xb, count, unit
  WriteXbar,    // WR_XB: program crossbar rows      xb, count, rows, cols, unit, copy, copies
  Load,         // LD:    activations DRAM -> core   dram, bytes, data
  Store,        // ST:    activations core -> DRAM   dram, bytes, data
  Mvm,          // MVM:   vectors through crossbars  xb, count, rows, cols, repeat, cycles,
                //                                   layer, sample, tile, tiles
  Vector,       // VEC:   digital vector op          op, elems, layer, sample
  // SEND is posted: the message enters the network and the sender goes on (its network
  // interface moves the data), unless `credits` messages from its thread to the receiving
  // thread are still untaken;
  // RECV waits until the message with its tag from that peer has arrived. Tags tell apart the
  // messages of one (sender, receiver) pair, so a consumer can take them in its own order.
  // A SEND to its own core hands data from one of its threads to another: no network.
  Send,     // SEND:  to a core                  peer, bytes, tag, credits, data
  Receive,  // RECV:  from a core                peer, bytes, tag, data
  Barrier,  // BARRIER: every thread of every core meets   id
  Sync,     // SYNC:  the threads of this core meet       id
};

std::string_view opcodeName(Opcode op);

// What an LD, ST, SEND or RECV moves: a box of one sample of a tensor (a graph value, or the
// matrix output sums of a layer split across cores or partitions), or one unit's weights.
// Text: v12/b0/c0:64/p0:3136 (value 12, sample 0, channels [0, 64), positions [0, 3136)),
// sum3/b0/c0:64/p0:98,196:294 (layer 3's sums; several position runs where one message carries
// several copies' vectors), w7 (unit 7's weights).
struct DataRef {
  enum class Kind : uint8_t { None, Value, Sums, Weights };
  Kind kind = Kind::None;
  int32_t id = 0;  // value, layer or unit
  int64_t sample = 0;
  int64_t firstChannel = 0;
  int64_t endChannel = 0;
  std::vector<std::pair<int64_t, int64_t>> positions;  // [first, end) runs, ascending

  bool operator==(const DataRef&) const = default;
};

// Where a tensor or a unit's weights live in DRAM: a unit's weights at [address, address +
// bytes); a tensor's sample b at address + b x bytes (`bytes` per sample).
struct DramSegment {
  DataRef::Kind kind = DataRef::Kind::Value;  // Value, Sums or Weights
  int32_t id = 0;
  int64_t address = 0;
  int64_t bytes = 0;
  bool operator==(const DramSegment&) const = default;
};

struct Instruction {
  Opcode op = Opcode::Barrier;
  int64_t dram = 0;     // LD_W, LD, ST: byte address
  int64_t bytes = 0;    // LD_W, LD, ST, SEND, RECV
  int32_t xb = 0;       // LD_W, WR_XB, MVM: first crossbar of the core
  int32_t count = 0;    // LD_W, WR_XB, MVM: crossbars
  int64_t rows = 0;     // WR_XB: rows programmed per crossbar; MVM: rows driven
  int64_t cols = 0;     // WR_XB: columns per row; MVM: columns converted per crossbar
  int64_t repeat = 0;   // MVM: input vectors
  int32_t cycles = 0;   // MVM: input cycles per vector
  int32_t peer = 0;     // SEND, RECV: the other core
  int64_t tag = 0;      // SEND, RECV: the message, unique per (sender, receiver)
  int32_t credits = 0;  // SEND: untaken messages its thread pair may hold (at least 1)
  int32_t id = 0;       // BARRIER: partition it starts; SYNC: partition it ends
  std::string vecOp;    // VEC: relu, add, maxpool, ... (lower-case ONNX op names)
  int64_t elems = 0;    // VEC: element operations
  int32_t unit = 0;     // LD_W, WR_XB: the partition unit
  int32_t copy = 0;     // WR_XB: the first copy of the unit it writes (copies of a partition
  int32_t copies = 0;   //        are numbered across cores), and how many
  int32_t layer = 0;    // MVM, VEC: the layer group
  int64_t sample = 0;   // MVM, VEC: the sample (LD, ST, SEND, RECV: in `data`)
  int32_t tile = 0;     // MVM: each copy runs its vectors of tile `tile` of `tiles`
  int32_t tiles = 0;
  DataRef data;  // LD, ST, SEND, RECV

  bool operator==(const Instruction&) const = default;
};

// One thread of a core. A core runs its threads' instructions one at a time: when a thread
// waits (RECV, SYNC, BARRIER) or the core is busy, another thread that is ready goes first.
// The code generator gives each layer of a partition its own thread on every core holding
// it, so the layers sharing a core take turns as their inputs arrive.
struct Thread {
  int32_t core = 0;
  std::vector<Instruction> code;
  bool operator==(const Thread&) const = default;
};

struct Program {
  int version = kProgramVersion;
  std::string model;
  std::string arch;
  std::string archFingerprint;  // of the complete arch config the program was built for
  int32_t cores = 0;
  int32_t crossbarsPerCore = 0;
  int64_t batch = 1;
  int32_t partitions = 0;
  int64_t dramWeightBytes = 0;        // weights occupy [0, dramWeightBytes)
  int64_t dramActivationBytes = 0;    // activations occupy the next dramActivationBytes
  std::vector<DramSegment> segments;  // every unit's weights, then every tensor in DRAM
  std::vector<Thread> threads;        // in core order; a core has one or more

  bool operator==(const Program&) const = default;
  size_t instructionCount() const;
};

}  // namespace xbar::codegen
