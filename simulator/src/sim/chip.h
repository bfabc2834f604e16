// The SystemC model of a chip: cores, a DRAM controller, an interconnect, and the resources
// they share (write-power slots, the barrier, the SEND/RECV channels). Private to the
// simulator library.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <systemc>
#include <tlm>

#include "xbar/arch/actions.h"
#include "xbar/arch/arch_config.h"
#include "xbar/codegen/program.h"
#include "xbar/sim/simulator.h"

namespace xbar::sim {

// What one thread did, counted per action (energy = counts x the arch's table). Busy times
// (MVM, vector, memory, write) of a core's threads never overlap: the core runs one at a time.
struct ThreadActivity {
  double mvmNs = 0, vectorNs = 0, memoryNs = 0, communicationNs = 0, writeNs = 0;
  double finishNs = 0;
  arch::ActionCounts actions;  // those a thread does itself (DRAM and links count their own)
  size_t pc = 0;               // next instruction
  bool finished = false;
};

struct TraceSpan {
  int32_t stream;
  codegen::Opcode op;
  double startNs;
  double durationNs;
};

// DRAM behind one controller: requests of all cores contend for its bandwidth through a
// next-free time; latency is added per request. A TLM-2.0 target (b_transport).
class DramController : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<DramController> socket;  // every core binds to it
  DramController(sc_core::sc_module_name name, const arch::ArchConfig& arch,
                 int64_t weightSegmentBytes);

  double weightBytesRead = 0, activationBytesRead = 0, activationBytesWritten = 0;

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  double bytesPerNs_;
  sc_core::sc_time latency_;
  sc_core::sc_time nextFree_ = sc_core::SC_ZERO_TIME;
  int64_t weightSegmentBytes_;
};

// The network between cores: a bus (one shared channel) or a 2-D mesh with XY routing
// (each link its own channel). A transfer holds each link on its path for its length.
class Interconnect {
 public:
  explicit Interconnect(const arch::ArchConfig& arch);
  // When a transfer of `bytes` from `src` to `dst` that may start at `start` ends.
  sc_core::sc_time transfer(int32_t src, int32_t dst, int64_t bytes, sc_core::sc_time start);
  double byteHops = 0;
  double bytes = 0;

 private:
  const arch::ArchConfig& arch_;
  std::vector<sc_core::sc_time> linkFree_;

 public:
  std::vector<double> linkBusyNs;  // time each link carried data

 private:
  std::vector<int32_t> path_;
};

class Chip;

// One thread of a core (one stream of the program): an SC_THREAD with its own quantum keeper.
// Its busy instructions take the core, which the core's threads share in arrival order.
class CoreThread : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<CoreThread> socket;
  SC_HAS_PROCESS(CoreThread);
  CoreThread(sc_core::sc_module_name name, int32_t stream, Chip& chip);

 private:
  void run();
  sc_core::sc_time takeCore();  // waits until the core is free; when the instruction starts
  void dramAccess(tlm::tlm_command command, int64_t address, int64_t bytes);
  void send(const codegen::Instruction& in);
  void receive(const codegen::Instruction& in);
  // Waits until `expected` threads arrived; true for the one that arrived last.
  bool meet(int32_t& arrived, int32_t expected, sc_core::sc_event& released);
  double now() const;  // this thread's local time, ns

  int32_t stream_;
  int32_t core_;
  bool sharesCore_;
  // Where this thread is: instructions before BARRIER p belong to partition p's replace phase,
  // those after it to its reuse phase, and those after SYNC p to partition p + 1's replace.
  int32_t partition_ = 0;
  PhaseSpan::Phase phase_ = PhaseSpan::Phase::Replace;
  Chip& chip_;
  tlm_utils::tlm_quantumkeeper keeper_;
};

class Chip {
 public:
  Chip(const codegen::Program& program, const arch::ArchConfig& arch, bool trace);

  const codegen::Program& program;
  const arch::ArchConfig& arch;
  std::unique_ptr<DramController> dram;
  Interconnect interconnect;
  std::vector<std::unique_ptr<CoreThread>> threads;
  std::vector<ThreadActivity> activity;  // per stream
  std::vector<int32_t> threadsOnCore;
  std::vector<sc_core::sc_time> coreFree;  // when each core's current instruction ends
  // Posted messages waiting in each core's local memory, now and at most.
  std::vector<double> inboxBytes, peakInboxBytes;
  std::vector<TraceSpan> trace;
  bool tracing;

  // Write-power limit: crossbars written at once, each slot free from its time.
  std::vector<sc_core::sc_time> writeSlots;
  // Writes per crossbar row, for endurance: [core][crossbar][row].
  std::vector<std::vector<std::vector<uint32_t>>> rowWrites;

  struct Barrier {
    int32_t arrived = 0;
    sc_core::sc_event released;
  } barrier;
  std::deque<Barrier> coreSync;  // SYNC: per core (deque: events do not move)
  std::vector<double> barrierReleaseNs;
  // [partition][core][replace, reuse]: the timeline of what each core did.
  std::vector<std::vector<std::array<PhaseSpan, 2>>> phases;

  // Flow control between a sending and a receiving thread: messages posted and not yet
  // taken, at most the program's credits.
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
    };
    std::map<int64_t, Message> posted;
    sc_core::sc_event arrived;
  };
  // The thread that receives each message: (sender core, receiver core, tag) -> stream.
  std::map<std::tuple<int32_t, int32_t, int64_t>, int32_t> receiverOf;
  std::map<std::pair<int32_t, int32_t>, std::unique_ptr<Credits>> credits;  // by stream pair
  std::map<std::pair<int32_t, int32_t>, std::unique_ptr<Channel>> channels;
  Channel& channel(int32_t src, int32_t dst);
  std::vector<std::string> errors;  // protocol errors found while running (size, tag)
};

}  // namespace xbar::sim
