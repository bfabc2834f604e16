// The SystemC model of a chip: the cores' threads, a DRAM controller, an interconnect, the
// crossbars' write slots, the cores' inboxes and the timeline, and what the threads share
// (the barrier, the SEND/RECV channels and credits). Private to the simulator library.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <systemc>
#include <tlm>

#include "crossbar_writes.h"
#include "dram_controller.h"
#include "inboxes.h"
#include "interconnect.h"
#include "timeline.h"
#include "xbar/arch/actions.h"
#include "xbar/arch/arch_config.h"
#include "xbar/codegen/program.h"
#include "xbar/sim/simulator.h"

namespace xbar::sim {

// What one thread did: its busy time by kind and the actions it counted (energy = counts x the
// arch's table). Busy times (MVM, vector, memory, write) of a core's threads never overlap:
// the core runs one at a time.
struct ThreadActivity {
  double mvmNs = 0, vectorNs = 0, memoryNs = 0, communicationNs = 0, writeNs = 0;
  double finishNs = 0;
  arch::ActionCounts actions;  // those a thread does itself (DRAM and links count their own)
  size_t pc = 0;               // next instruction
  bool finished = false;
};

class Chip;

// One thread of a core (one thread of the program): an SC_THREAD with its own quantum keeper.
// Its busy instructions take the core, which the core's threads share in arrival order. It
// keeps its own activity.
class CoreThread : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<CoreThread> socket;
  SC_HAS_PROCESS(CoreThread);
  CoreThread(sc_core::sc_module_name name, int32_t thread, Chip& chip);
  const ThreadActivity& activity() const { return activity_; }

 private:
  void run();
  // Timing and counting: runs one instruction on the core, the DRAM, the network or a meeting.
  void execute(const codegen::Instruction& in);
  void computeMvm(const codegen::Instruction& in);
  // The first WR_XB of a run of consecutive ones grants the whole run's write slots at once.
  void writeCrossbars(const codegen::Instruction& in, bool continuesRun);
  // Busy time by kind, and the partition phase it belongs to.
  void account(const codegen::Instruction& in, double startNs, double durationNs);
  // Waits until the core is free; when the instruction starts. An instruction that asks a
  // shared resource (DRAM, the write slots) for a grant syncs to its start first, holding the
  // core, so that grants go in simulated-time order whatever the SystemC process order.
  sc_core::sc_time takeCore(bool grantsShared);
  void releaseCore();
  bool continuesWriteRun() const;  // a WR_XB right after another
  void dramAccess(tlm::tlm_command command, int64_t address, int64_t bytes);
  void send(const codegen::Instruction& in);
  void receive(const codegen::Instruction& in);
  // Waits until `expected` threads arrived; true for the one that arrived last.
  bool meet(int32_t& arrived, int32_t expected, sc_core::sc_event& released);
  double now() const;  // this thread's local time, ns

  int32_t thread_;
  int32_t core_;
  bool sharesCore_;
  // Where this thread is: instructions before BARRIER p belong to partition p's replace phase,
  // those after it to its reuse phase, and those after SYNC p to partition p + 1's replace.
  int32_t partition_ = 0;
  PhaseSpan::Phase phase_ = PhaseSpan::Phase::Replace;
  Chip& chip_;
  tlm_utils::tlm_quantumkeeper keeper_;
  ThreadActivity activity_;
  // The current run of consecutive WR_XBs: when each one's crossbars and those before it are
  // written, the next one last.
  std::vector<sc_core::sc_time> writeRunEnds_;
};

class Chip {
 public:
  Chip(const codegen::Program& program, const arch::ArchConfig& arch, bool trace);

  const codegen::Program& program;
  const arch::ArchConfig& arch;
  // The components; each counts what passes through it and reports its statistics group.
  std::unique_ptr<DramController> dram;
  Interconnect interconnect;
  CrossbarWrites crossbarWrites;
  Inboxes inboxes;
  Timeline timeline;
  std::vector<std::unique_ptr<CoreThread>> threads;
  std::vector<int32_t> threadsOnCore;
  std::vector<sc_core::sc_time> coreFree;  // when each core's current instruction ends
  // Whether the program has replace phases (a BARRIER ends each): a message sent before a
  // thread's barrier then copies weights; without barriers every message is activations.
  bool replacesWeights = false;
  // A thread waiting for a grant at its start time holds its core; the core's other threads
  // wait for the release (deque: events do not move).
  std::vector<char> coreHeld;
  std::deque<sc_core::sc_event> coreReleased;

  struct Barrier {
    int32_t arrived = 0;
    sc_core::sc_event released;
  } barrier;
  std::deque<Barrier> coreSync;  // SYNC: per core (deque: events do not move)

  // Flow control between a sending and a receiving thread: messages posted and not yet
  // taken, at most the credits of the SEND that posts one more.
  struct Credits {
    int32_t untaken = 0;
    sc_core::sc_event taken;
  };
  // Messages posted from one core to another, by tag, until the receiver takes them.
  struct Channel {
    struct Message {
      int64_t bytes;
      sc_core::sc_time arrival;
      Credits* credits;
      // Activations wait in the receiver's local memory; weights copied in the replace phase
      // stream into its crossbars' write path and do not.
      bool inLocalMemory;
    };
    std::map<int64_t, Message> posted;
    sc_core::sc_event arrived;
  };
  // The thread that receives each message: (sender core, receiver core, tag) -> thread.
  // Hashed: one entry per RECV (millions in a big program), looked up on every SEND.
  struct MessageHash {
    size_t operator()(const std::tuple<int32_t, int32_t, int64_t>& k) const {
      uint64_t h = 0xcbf29ce484222325ull;
      for (uint64_t v : {static_cast<uint64_t>(static_cast<uint32_t>(std::get<0>(k))),
                         static_cast<uint64_t>(static_cast<uint32_t>(std::get<1>(k))),
                         static_cast<uint64_t>(std::get<2>(k))})
        h = (h ^ v) * 0x100000001b3ull;
      return static_cast<size_t>(h);
    }
  };
  std::unordered_map<std::tuple<int32_t, int32_t, int64_t>, int32_t, MessageHash> receiverOf;
  std::map<std::pair<int32_t, int32_t>, std::unique_ptr<Credits>> credits;  // by thread pair
  std::map<std::pair<int32_t, int32_t>, std::unique_ptr<Channel>> channels;
  Channel& channel(int32_t src, int32_t dst);
  std::vector<std::string> errors;  // protocol errors found while running (size, tag)
};

}  // namespace xbar::sim
