// The program the simulator runs (docs/design.md §7): instruction threads per core, the
// partitions one after another in each thread, separated by barriers. The text form
// (program_text.h) is versioned, readable and diffable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xbar::codegen {

// 2: SEND/RECV carry a tag and SEND is posted (see Opcode::Send); a core may run several
//    threads; SYNC.
// 3: credits per SEND (its thread pair's flow-control window, sized from local memory) where
//    version 2 had one `credits` header line for every pair.
inline constexpr int kProgramVersion = 3;

enum class Opcode {
  LoadWeights,  // LD_W:  weights DRAM -> core       dram, bytes, xb, count
  WriteXbar,    // WR_XB: program crossbar rows      xb, count, rows, cols
  Load,         // LD:    activations DRAM -> core   dram, bytes
  Store,        // ST:    activations core -> DRAM   dram, bytes
  Mvm,          // MVM:   vectors through crossbars  xb, count, rows, cols, repeat, cycles
  Vector,       // VEC:   digital vector op          op, elems
  // SEND is posted: the message enters the network and the sender goes on (its network
  // interface moves the data), unless `credits` messages from its thread to the receiving
  // thread are still untaken;
  // RECV waits until the message with its tag from that peer has arrived. Tags tell apart the
  // messages of one (sender, receiver) pair, so a consumer can take them in its own order.
  // A SEND to its own core hands data from one of its threads to another: no network.
  Send,     // SEND:  to a core                  peer, bytes, tag, credits
  Receive,  // RECV:  from a core                peer, bytes, tag
  Barrier,  // BARRIER: every thread of every core meets   id
  Sync,     // SYNC:  the threads of this core meet       id
};

std::string_view opcodeName(Opcode op);

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
  int64_t dramWeightBytes = 0;      // weights occupy [0, dramWeightBytes)
  int64_t dramActivationBytes = 0;  // activations occupy the next dramActivationBytes
  std::vector<Thread> threads;      // in core order; a core has one or more

  bool operator==(const Program&) const = default;
  size_t instructionCount() const;
};

}  // namespace xbar::codegen
